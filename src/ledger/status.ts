import type { Status } from './types.js';
import { STATUSES } from './types.js';
import { normalizeInput } from './normalize.js';

/**
 * Status words as ledgers and notices write them, mapped onto the canonical
 * statuses. Longest match wins, so 已完成整改并长期坚持 beats 已完成.
 */
const SYNONYMS: Array<[string, Status]> = [
  ['已完成整改并长期坚持', '已完成并长期坚持'],
  ['已完成并长期坚持', '已完成并长期坚持'],
  ['完成整改并长期坚持', '已完成并长期坚持'],
  ['完成并长期坚持', '已完成并长期坚持'],
  ['长期坚持', '已完成并长期坚持'],
  ['持续巩固', '已完成并长期坚持'],
  ['基本完成整改', '基本完成'],
  ['基本完成', '基本完成'],
  ['基本整改到位', '基本完成'],
  ['阶段性完成', '阶段性完成'],
  ['阶段性完成整改', '阶段性完成'],
  ['取得阶段性成效', '阶段性完成'],
  ['阶段性成效', '阶段性完成'],
  ['已完成整改', '已完成'],
  ['完成整改', '已完成'],
  ['整改完成', '已完成'],
  ['整改到位', '已完成'],
  ['已整改到位', '已完成'],
  ['已整改', '已完成'],
  ['已立行立改', '已完成'],
  ['已落实', '已完成'],
  ['已办结', '已完成'],
  ['办结', '已完成'],
  ['已完成', '已完成'],
  ['完成', '已完成'],
  ['待销号', '待销号'],
  ['申请销号', '待销号'],
  ['待审核', '待销号'],
  ['待验收', '待销号'],
  ['已销号', '已销号'],
  ['销号', '已销号'],
  ['未启动', '未启动'],
  ['未开始', '未启动'],
  ['尚未启动', '未启动'],
  ['未整改', '未启动'],
  ['正在整改', '推进中'],
  ['整改中', '推进中'],
  ['正在推进', '推进中'],
  ['推进中', '推进中'],
  ['持续推进', '推进中'],
  ['持续整改', '推进中'],
  ['正在办理', '推进中'],
  ['办理中', '推进中'],
  ['进行中', '推进中'],
  ['逾期', '推进中'],
  ['未完成', '推进中'],
];
SYNONYMS.sort((a, b) => b[0].length - a[0].length);

/** Maps a status word (any synonym, full/half width, with spaces) to a canonical status. */
export function parseStatus(word: string): Status | null {
  const w = normalizeInput(word).replace(/\s/g, '');
  if (!w) return null;
  if ((STATUSES as readonly string[]).includes(w)) return w as Status;
  for (const [syn, st] of SYNONYMS) if (w === syn) return st;
  return null;
}

/** Finds a status word at the start of free text ("已完成，制度已印发"). */
export function statusPrefix(text: string): { status: Status; rest: string } | null {
  const t = normalizeInput(text);
  for (const [syn, st] of SYNONYMS) {
    if (t.startsWith(syn)) return { status: st, rest: t.slice(syn.length).replace(/^[\s,，。;；:：、]+/, '') };
  }
  return null;
}

/** Done for the completion rate: finished, struck off or finished-and-sustained. */
export function isDone(s: Status): boolean {
  return s === '已完成' || s === '已完成并长期坚持' || s === '已销号';
}

/** Closed for deadline purposes: the owner has finished (review may be pending). */
export function isClosed(s: Status): boolean {
  return isDone(s) || s === '待销号';
}

/** Progress rank used for roll-up and for spotting items that went backwards. */
export const STATUS_RANK: Record<Status, number> = {
  未启动: 0, 推进中: 1, 阶段性完成: 2, 基本完成: 3, 待销号: 4, 已完成: 5, 已完成并长期坚持: 6, 已销号: 7,
};

/**
 * A problem's status from its measures: all struck off → 已销号; all done →
 * 已完成并长期坚持 if any measure is long-term, else 已完成; otherwise the least
 * advanced measure's status (an untouched measure among started ones → 推进中).
 */
export function rollUp(statuses: Status[]): Status {
  if (statuses.length === 0) return '未启动';
  if (statuses.every((s) => s === '已销号')) return '已销号';
  if (statuses.every(isDone)) return statuses.includes('已完成并长期坚持') ? '已完成并长期坚持' : '已完成';
  if (statuses.every(isClosed)) return '待销号';
  const min = statuses.reduce((a, b) => (STATUS_RANK[a] <= STATUS_RANK[b] ? a : b));
  if (min === '未启动' && statuses.some((s) => s !== '未启动')) return '推进中';
  return min;
}
