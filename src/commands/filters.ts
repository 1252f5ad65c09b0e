import type { Status } from '../ledger/types.js';
import { normalizeInput } from '../ledger/normalize.js';
import { parseNumeral } from '../ledger/numerals.js';
import { parseStatus } from '../ledger/status.js';
import { personKey } from '../ledger/people.js';
import type { ParseFailure } from './types.js';

/**
 * One condition of a list command. Every list command takes the others as
 * filters, in any order: "逾期 政治部", "部门 政治部 待销号", "我的 逾期",
 * "临期 30 政治部", "领导 孙海燕 逾期".
 */
export type Filter =
  | { kind: 'overdue' }
  | { kind: 'due'; days?: number }
  | { kind: 'mine' }
  | { kind: 'dept'; name: string }
  | { kind: 'leader'; name: string }
  | { kind: 'status'; status: Status }
  /** A bare word: a department, a leader or a person, resolved against the ledger. */
  | { kind: 'word'; word: string };

const KEYWORDS: Array<[RegExp, (next: () => string | undefined) => Filter | ParseFailure]> = [
  [/^(?:逾期|超期|红灯|逾期事项)$/, () => ({ kind: 'overdue' })],
  [/^(?:临期|黄灯|即将到期|快到期|到期)$/, () => ({ kind: 'due' })],
  [/^(?:我的|我负责的|我的事项)$/, () => ({ kind: 'mine' })],
  [/^(?:部门|责任部门|单位)$/, (next) => { const n = next(); return n ? { kind: 'dept', name: n } : { error: '请在“部门”后写上部门名称。' }; }],
  [/^(?:领导|责任领导|分管领导)$/, (next) => { const n = next(); return n ? { kind: 'leader', name: personKey(n) } : { error: '请在“领导”后写上领导姓名。' }; }],
];
/** Keywords glued to a name ("逾期政治部", "部门政治部逾期") are split off; 领导小组 is part of a name. */
const GLUED = /(责任部门|责任领导|分管领导|逾期|临期|我的|待销号|待审核|待验收|部门|领导(?!小组))/g;

function days(token: string): number | null | undefined {
  const m = token.match(/^(\d+|[〇零一二三四五六七八九十两百]+)天?(?:内)?$/);
  if (!m) return undefined;
  const n = parseNumeral(m[1]);
  return n && n > 0 && n <= 366 ? n : null;
}

/** Parses the words of a list command (its own keyword first) into filters. */
export function parseFilters(text: string): Filter[] | ParseFailure {
  const tokens = normalizeInput(text).replace(GLUED, ' $1 ').split(/[\s,，、；;]+/).filter(Boolean);
  const out: Filter[] = [];
  let i = 0;
  const next = () => tokens[++i];
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    const kw = KEYWORDS.find(([re]) => re.test(t));
    if (kw) {
      const f = kw[1](next);
      if ('error' in f) return f;
      out.push(f);
      continue;
    }
    const d = days(t);
    const last = out[out.length - 1];
    if (d !== undefined && last?.kind === 'due' && last.days === undefined) {
      if (d === null) return { error: '天数请写 1 到 366 之间的数字，例如：临期 30。' };
      last.days = d;
      continue;
    }
    const st = /^(?:待销号|待审核|待验收)$/.test(t) ? '待销号' : parseStatus(t);
    if (st) { out.push({ kind: 'status', status: st }); continue; }
    out.push({ kind: 'word', word: personKey(t) });
  }
  return out;
}

/** The filters after bare words are resolved against the ledger. */
export interface ResolvedFilters {
  overdue: boolean;
  dueDays?: number;
  mine: boolean;
  dept?: string;
  leader?: string;
  person?: string;
  statuses: Status[];
}

/** Title and empty-list sentence for a filtered list: "🔴 政治部的逾期事项" / "政治部目前没有逾期事项。" */
export function describeFilters(f: ResolvedFilters, mineName: string, yellowDays = Infinity): { title: string; empty: string } {
  const who = f.mine || f.person
    ? `${f.mine ? mineName : f.person}负责的`
    : f.dept && f.leader ? `${f.dept}中${f.leader}分管的` : f.dept ? `${f.dept}的` : f.leader ? `${f.leader}分管的` : '';
  const st = f.statuses.join('、');
  const thing = f.overdue ? `${st}逾期事项`
    : f.dueDays !== undefined ? `${f.dueDays}天内到期的${st}事项`
      : st ? `${st}事项` : f.mine ? '未完成事项' : '整改措施';
  const emoji = f.overdue ? '🔴 ' : f.dueDays === undefined ? '' : f.dueDays <= yellowDays ? '🟡 ' : '📅 ';
  const subject = who.replace(/的$/, '') || '台账中';
  // One 的 per phrase: "政治部30天内到期的事项", not "政治部的30天内到期的事项".
  const phrase = who.endsWith('的') && thing.includes('的') ? `${who.slice(0, -1)}${thing}` : `${who}${thing}`;
  return { title: `${emoji}${phrase}`, empty: `${subject}目前没有${thing}。` };
}
