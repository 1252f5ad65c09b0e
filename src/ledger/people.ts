import { normalizeInput } from './normalize.js';

/**
 * Titles and honorifics written around a name in ledger cells and chat:
 * "孙海燕（纪检组长）", "院长王建国", "党组书记、院长杜波", "孙海燕同志", "王建国院长".
 * Longest first, so 副院长 is not read as 院长 with a stray 副.
 */
const TITLES = [
  '党组书记', '党组副书记', '党组成员', '审判委员会专职委员', '专职委员', '政治部主任', '执行局局长', '纪检监察组组长',
  '纪检组长', '副院长', '院长', '副庭长', '庭长', '副主任', '主任', '副局长', '局长', '副书记', '书记', '副组长', '组长',
  '副科长', '科长', '审判员', '法官助理', '书记员', '干警',
].sort((a, b) => b.length - a.length);
const HONORIFIC = ['同志', '老师'];
const HAN_NAME = /^[\u4e00-\u9fa5·]{2,4}$/;

/** A person as written: the bare name (what links the person) and the title kept for display. */
export interface Person {
  name: string;
  title?: string;
}

function stripEnds(s: string): Person {
  let name = s;
  const titles: string[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const t of [...TITLES, ...HONORIFIC]) {
      if (name.length - t.length >= 2 && name.startsWith(t)) { titles.push(t); name = name.slice(t.length).replace(/^[、，,\s]+/, ''); changed = true; }
      if (name.length - t.length >= 2 && name.endsWith(t)) { if (!HONORIFIC.includes(t)) titles.push(t); name = name.slice(0, -t.length).trim(); changed = true; }
    }
  }
  return HAN_NAME.test(name) ? { name, ...(titles.length ? { title: titles.join('、') } : {}) } : { name: s };
}

/** Reads "孙海燕（纪检组长）" → { name: 孙海燕, title: 纪检组长 }; a plain name stays as it is. */
export function parsePerson(raw: string): Person {
  const s = normalizeInput(raw).replace(/\s/g, '');
  const paren = s.match(/^(.+?)\((.+)\)$/);
  if (paren && HAN_NAME.test(stripEnds(paren[1]).name)) {
    const inner = stripEnds(paren[1]);
    return { name: inner.name, title: [inner.title, paren[2]].filter(Boolean).join('、') };
  }
  return stripEnds(s);
}

/** The name that links a person across cells, chat and the user directory. */
export function personKey(raw: string): string {
  return parsePerson(raw).name;
}

/** Whether two written forms name the same person ("孙海燕（纪检组长）" and "孙海燕同志"). */
export function samePerson(a: string, b: string): boolean {
  return personKey(a) === personKey(b);
}
