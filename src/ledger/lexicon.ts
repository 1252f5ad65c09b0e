import type { Status } from './types.js';
import { normalizeInput } from './normalize.js';
import { parseNumeral } from './numerals.js';
import { statusPrefix } from './status.js';

/**
 * What a status statement means, read the way a 整改办 reads it: by meaning,
 * not by its first word. "完成一半" and "已完成80%" are progress, "尚未完成"
 * is not done, "完成，待验收" waits for review, "完成了吗" asks.
 * Used by chat writes and by ledger imports alike.
 */
export type StatusReading =
  /** A question: never a write. */
  | { kind: 'question' }
  /** No status word: a plain progress note (or nothing to read). */
  | { kind: 'none' }
  /** A statement we are sure of. `percent` is kept when one was given; `review` when it asks for 验收/审核. */
  | { kind: 'status'; status: Status; percent?: number; review?: boolean; rest: string }
  /** A statement we are not sure of: the two likely readings, the lower first. */
  | { kind: 'unsure'; readings: [Status, Status]; rest: string };

const CLAUSE = /[，,；;。:：!！]/;
const QUESTION = /[?？]|(?:吗|么|呢|没有?)[。!！]?$|怎么样|怎样了?|如何|什么情况|啥情况|什么进展|进展情况|是否|有没有|能否|可否|咋样|多少|谁负责/;
/** Not done: 未/尚未/没有/还没/仍未/未能/暂未 … 完成. */
const NEGATED_DONE = /(?:未|没有|没|尚未|仍未|还未|还没有?|未能|暂未|暂时没有?|不能|无法|未按期|未如期)[^，,；;。]{0,6}?(?:完成|到位|办结|落实|整改|结束|销号)/;
const NOT_STARTED = /(?:未|没有|没|尚未|还没有?|暂未)(?:启动|开始|开展|着手)/;
const PERCENT = /(\d+(?:\.\d+)?)\s*%|百分之([〇零一二三四五六七八九十百]+)|([一二三四五六七八九])成(?!果|效|立|员)/;
const FRACTION = /([一二三四五六七八九十\d]+)分之([一二三四五六七八九十\d]+)/;
const HALF = /一半|过半|大半|多半/;
const PARTIAL = /部分完成|完成(?:了)?(?:一)?部分|大部分|阶段性|初步完成|初见成效/;
const BASIC = /基本(?:完成|整改到位|到位|办结|落实|结束|整改完成|完成整改)|主体(?:工作)?(?:已)?完成|大体完成/;
const REVIEW = /待验收|待审核|待销号|待审批销号|申请销号|申请验收|提请销号|报请销号|等待验收|等待审核|已提交验收|已报送验收|提交审核/;
const HEDGE = /差不多|应该|估计|可能|大概|似乎|好像/;
const NEARLY = /快要?|接近|即将|马上|就要/;
const DONE_WORD = /完成|办结|落实|整改到位|到位|完毕|立行立改/;
/** A completion followed by what is still missing reads as "maybe only 基本完成". */
const CAVEAT = /但|不过|还需|仍需|尚需|还要|还差|仍有|尚有|有待|需进一步|待(?!验收|审核|销号)|正在|未完全/;
const LONGTERM = /长期坚持|持续巩固|常态化坚持/;
/** Words that carry no meaning for the status: 已经 → 已, trailing 了/啦. */
const FILLER: Array<[RegExp, string]> = [
  [/已经/g, '已'], [/目前|现在|当前|截至目前|截止目前|本项|该项|此项|这项|这个|这条/g, ''],
  [/(?:了|啦|的|咯)(?=$|[，,；;。])/g, ''], [/\s+/g, ''],
];

function compact(s: string): string {
  let t = s;
  for (const [re, to] of FILLER) t = t.replace(re, to);
  return t;
}

function percentOf(head: string): number | undefined {
  const p = head.match(PERCENT);
  if (p) {
    if (p[1]) return Number(p[1]);
    if (p[2]) return parseNumeral(p[2]) ?? undefined;
    if (p[3]) return (parseNumeral(p[3]) ?? 0) * 10;
  }
  const f = head.match(FRACTION);
  if (f) {
    const d = /\d/.test(f[1]) ? Number(f[1]) : parseNumeral(f[1]);
    const n = /\d/.test(f[2]) ? Number(f[2]) : parseNumeral(f[2]);
    if (d && n && n <= d) return Math.round((n / d) * 100);
  }
  if (/一半/.test(head)) return 50;
  return undefined;
}

/** The rest of the text after the first clause (the note), or the whole text. */
function afterHead(t: string): string {
  const i = t.search(CLAUSE);
  return i === -1 ? '' : t.slice(i + 1).replace(/^[\s，,；;。:：、]+/, '').trim();
}

/**
 * Reads a status statement ("完成一半，已起草台账模板", "已经基本完成了",
 * "完成，待验收", "5.2怎么样？" minus the code). Pure; see the table tests.
 */
export function readStatus(text: string): StatusReading {
  const t = normalizeInput(text).replace(/^[，,；;。:：、\s]+/, '');
  if (!t) return { kind: 'none' };
  if (isQuestion(t)) return { kind: 'question' };
  // "完成进度：60%" and "整改情况：已完成" put the status after a label.
  const label = t.match(/^(?:完成进度|整改进度|进度|完成率|完成情况|整改情况|整改进展|进展|状态)[:：]\s*/);
  const body = label && t.length > label[0].length ? t.slice(label[0].length) : t;
  const headRaw = body.split(CLAUSE)[0];
  const head = compact(label && /进度|完成率/.test(label[0]) ? `完成进度${headRaw}` : headRaw);
  const all = compact(body);
  const rest = afterHead(body);
  const progress = /完成|进度|进展|整改|推进|落实|办结/.test(head);

  if (NOT_STARTED.test(head)) return { kind: 'status', status: '未启动', rest };
  if (NEGATED_DONE.test(head)) return { kind: 'status', status: '推进中', rest };
  const pct = progress || /^(?:一半|过半|大半)$/.test(head) ? percentOf(head) : undefined;
  if (pct !== undefined) {
    if (pct >= 100) return { kind: 'status', status: '已完成', percent: 100, rest };
    return { kind: 'status', status: '推进中', percent: pct, rest };
  }
  if (HALF.test(head) && progress) return { kind: 'status', status: '推进中', rest };
  if (BASIC.test(head)) return { kind: 'status', status: '基本完成', rest };
  if (PARTIAL.test(head)) return { kind: 'status', status: '阶段性完成', rest };
  if (DONE_WORD.test(head) && NEARLY.test(head)) return { kind: 'unsure', readings: ['推进中', '基本完成'], rest };
  if (DONE_WORD.test(head) && HEDGE.test(head)) return { kind: 'unsure', readings: ['基本完成', '已完成'], rest };
  const said = statusPrefix(head.replace(/^(?:均已|都已|全部已|已全部|全部|均|都|业已)/, '已'));
  if (REVIEW.test(all) && (!said || said.status === '已完成' || said.status === '待销号')) {
    return { kind: 'status', status: '待销号', review: true, rest: said ? rest : t };
  }
  if (!said) return { kind: 'none' };
  const done = said.status === '已完成' || said.status === '已完成并长期坚持';
  if (said.status === '已完成' && LONGTERM.test(all)) return { kind: 'status', status: '已完成并长期坚持', rest: rest.replace(LONGTERM, '').replace(/^[，,；;。\s]+/, '') };
  // "已完成，但制度尚未印发": something is still missing.
  if (done && (CAVEAT.test(said.rest) || CAVEAT.test(rest) || NEGATED_DONE.test(rest))) {
    return { kind: 'unsure', readings: ['基本完成', said.status], rest };
  }
  return { kind: 'status', status: said.status, rest: said.rest ? (rest ? `${said.rest}，${rest}` : said.rest) : rest };
}

/**
 * Whether text asks rather than states. `strict` (inside an explicit write
 * command) only counts a question mark or a closing 吗/呢, so a note such as
 * "研究如何落实" is not mistaken for a question.
 */
export function isQuestion(text: string, strict = false): boolean {
  const t = normalizeInput(text);
  return strict ? /[?？]|(?:吗|呢)[。!！]?$/.test(t) : QUESTION.test(t);
}

/** Whether a reading claims the work is finished (completion or finished-and-sustained). */
export function claimsDone(r: StatusReading): boolean {
  return r.kind === 'status' && (r.status === '已完成' || r.status === '已完成并长期坚持' || r.status === '待销号');
}
