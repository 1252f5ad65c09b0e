import { distance } from 'fastest-levenshtein';
import { normalizeInput } from '../ledger/normalize.js';
import { parseCode } from '../ledger/codes.js';
import { readStatus } from '../ledger/lexicon.js';
import type { CommandSpec } from './types.js';
import { COMMANDS } from './index.js';
import { clarify } from './clarify.js';
import { memoize } from '../core/memo.js';

export type Routed =
  | { kind: 'command'; spec: CommandSpec; args: string }
  | { kind: 'help'; topic?: string }
  | { kind: 'miss'; suggestion?: CommandSpec; input: string; hint?: string };

const HELP = ['帮助', 'help', '?', '？', '菜单', '指令', '命令', '怎么用', '使用说明'];

/** Strips a leading @mention (the bot's name) and normalises width and spacing. */
export function cleanText(raw: string): string {
  let t = normalizeInput(raw);
  while (/^@\S+/.test(t)) t = t.replace(/^@\S+\s*/, '');
  return t.trim();
}

function find(word: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === word || c.aliases.includes(word));
}

/**
 * Text → a command. Order: help; "<keyword> <args>" (keyword may be glued to
 * its argument: "查看二.3"); natural phrasing ("3.2 已完成，制度已印发", a bare
 * code); otherwise a miss with the nearest command.
 */
export const route: (text: string) => Routed = memoize(routeText, 1024);

function routeText(text: string): Routed {
  const t = cleanText(text);
  if (!t || HELP.includes(t.toLowerCase())) return { kind: 'help' };
  const hm = t.match(/^(?:帮助|help)\s*(.+)$/i);
  if (hm) return { kind: 'help', topic: hm[1] };
  const sp = t.indexOf(' ');
  const head = sp === -1 ? t : t.slice(0, sp);
  const rest = sp === -1 ? '' : t.slice(sp + 1).trim();
  // A keyword written in two words ("删除 佐证 3.2 1") wins over its first word: "撤回 佐证 3.2 1" is
  // 删除佐证, not 撤销 (alias 撤回) with ignored words; "取消 订阅" is 退订, not 撤销.
  const sp2 = rest.indexOf(' ');
  const two = rest && find(head + (sp2 === -1 ? rest : rest.slice(0, sp2)));
  if (two) return { kind: 'command', spec: two, args: sp2 === -1 ? '' : rest.slice(sp2 + 1).trim() };
  const exact = find(head);
  if (exact) return { kind: 'command', spec: exact, args: rest };
  // Keyword glued to the argument: 查看二.3, 临期30, 部门政治部.
  const names = COMMANDS.flatMap((c) => [c.name, ...c.aliases].map((n) => [n, c] as const)).sort((a, b) => b[0].length - a[0].length);
  for (const [n, c] of names) {
    if (n.length >= 2 && t.startsWith(n)) return { kind: 'command', spec: c, args: t.slice(n.length).trim() };
  }
  const natural = routeNatural(t);
  if (natural) return natural;
  return { kind: 'miss', suggestion: nearest(head), input: t };
}

/**
 * A code at the start of free text: "5.2怎么样？", "1.1：已完成，…", "二.3 已完成".
 * A bare Chinese numeral glued to words ("十分感谢", "一半") is not a code, nor
 * is a number that starts a date or a count ("2025年…", "3个…").
 */
export function splitCode(t: string): { code: string; tail: string } | undefined {
  const m = t.match(/^(?:问题|措施|事项|第)?[\d〇零一二三四五六七八九十两()（）.．、。·\-]+(?:项|条|号|个问题)?/);
  if (!m) return undefined;
  for (let n = m[0].length; n > 0; n--) {
    const code = m[0].slice(0, n);
    if (!parseCode(code)) continue;
    const raw = t.slice(n);
    if (/^[年月日号个件条人次项%岁天]/.test(raw)) return undefined;
    const glued = raw !== '' && !/^[\s，,；;。:：、]/.test(raw);
    if (glued && !/\d|^第|^问题|\)$/.test(code)) return undefined;
    return { code: code.replace(/[、。.]$/, ''), tail: raw.replace(/^[\s，,；;。:：、]+/, '').trim() };
  }
  return undefined;
}

function routeNatural(t: string): Routed | undefined {
  const split = splitCode(t);
  if (!split) return undefined;
  const { code, tail } = split;
  const cmd = (name: string, args: string): Routed => ({ kind: 'command', spec: find(name)!, args: args.trim() });
  if (!tail) return cmd('查看', code);
  const r = readStatus(tail);
  // Questions ("5.2进展如何") only ever read; nothing is written on a guess.
  if (r.kind === 'question') return cmd('查看', code);
  if (r.kind === 'unsure') return { kind: 'command', spec: clarify(code, tail, r.readings, r.rest), args: '' };
  if (r.kind === 'none') {
    return {
      kind: 'miss', suggestion: find('进展'), input: `${code} ${tail}`,
      hint: `如要记录进展，请发送：进展 ${code} ${tail}；如已完成，请发送：完成 ${code} ${tail}`,
    };
  }
  switch (r.status) {
    case '已完成': return cmd('完成', `${code} ${r.rest}`);
    case '已完成并长期坚持': return cmd('完成', `${code} 长期坚持 ${r.rest}`);
    case '待销号': return cmd('完成', `${code} ${tail}`);
    case '已销号':
      return { kind: 'miss', input: `${code} ${tail}`, hint: `销号由整改办审核后办理，请整改办发送：销号 ${code}` };
    default: return cmd('进展', `${code} ${tail}`);
  }
}

/** The command whose keyword is closest to what was typed. */
export function nearest(word: string): CommandSpec | undefined {
  let best: { spec: CommandSpec; d: number } | undefined;
  for (const c of COMMANDS) {
    for (const n of [c.name, ...c.aliases]) {
      const d = distance(word.slice(0, n.length + 1), n) / Math.max(n.length, 1);
      const contains = word.includes(n) || n.includes(word);
      const score = contains ? 0 : d;
      if (score <= 0.5 && (!best || score < best.d)) best = { spec: c, d: score };
    }
  }
  return best?.spec;
}
