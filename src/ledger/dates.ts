import type { Deadline } from './types.js';
import { normalizeInput } from './normalize.js';
import { memoize } from '../core/memo.js';

/** All calendar dates are Asia/Shanghai (UTC+8, no DST). */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

const DAY_MS = 86_400_000;

/** The Shanghai day last asked for, as its first and past-the-last instant (ms): most asks are of today. */
let lastDay = { from: 0, to: -1, date: '' };

/** The Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(at: Date): string {
  const t = at.getTime();
  if (t >= lastDay.from && t < lastDay.to) return lastDay.date;
  const date = new Date(t + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
  const from = Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
  lastDay = { from, to: from + DAY_MS, date };
  return date;
}

/** Days since 1970-01-01 for a YYYY-MM-DD date (used as sorted-set scores); remembered per date (few are asked). */
export const dayNumber: (date: string) => number = memoize((date: string) => {
  const [y, m, d] = date.split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}, 4_096);

/** The dates of the day numbers last asked for (bounded as memoize bounds). */
const dates = new Map<number, string>();
export function fromDayNumber(n: number): string {
  let s = dates.get(n);
  if (s === undefined) {
    s = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (dates.size >= 4_096) dates.delete(dates.keys().next().value!);
    dates.set(n, s);
  }
  return s;
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

function valid(y: number, m: number, d: number): string | null {
  if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Parses the dates cadres write: 2025年1月3日, 2025-01-03, 2025/1/3, 2025.1.3,
 * 1月3日 (this year, or next year when that is closer ahead of `today`),
 * 2025年1月底 / 1月底 (end of month), 2025年1月 (end of month).
 * Returns null for nonsense ("2月30日", "明年吧").
 */
export function parseDate(input: string, today: string): string | null {
  const s = normalizeInput(input).replace(/\s/g, '').replace(/[号]$/, '日');
  const thisYear = Number(today.slice(0, 4));
  let m = s.match(/^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));
  m = s.match(/^(\d{4})(\d{2})(\d{2})$/);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));
  m = s.match(/^(?:(\d{4})年)?(\d{1,2})月(底|末|份?)$/);
  if (m) {
    const y = m[1] ? Number(m[1]) : thisYear;
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) return null;
    const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    return valid(y, mo, last);
  }
  m = s.match(/^(?:(\d{4})年)(\d{1,2})月$/);
  if (m) return null;
  m = s.match(/^(\d{1,2})[月/-](\d{1,2})日?$/);
  if (m) return valid(thisYear, Number(m[1]), Number(m[2]));
  return null;
}

/** Parses a deadline cell: a date, 立行立改, 长期坚持 (or 长期). */
export function parseDeadline(input: string, today: string): Deadline | null {
  const s = normalizeInput(input).replace(/\s/g, '');
  if (!s) return null;
  if (/^(立行立改|立即整改|立即)$/.test(s)) return { type: 'immediate' };
  if (/^(长期坚持|长期|持续推进|持续整改|常态化|长期坚持常态化)$/.test(s)) return { type: 'longterm' };
  // 立行立改，长期坚持 / 立行立改并长期坚持: fixed at once and then kept up — no end date.
  if (/^立行立改[,，、;；并且]*长期坚持$/.test(s)) return { type: 'longterm' };
  const imm = s.match(/^立行立改[(（]?(.+?)[)）]?$/);
  if (imm) {
    const d = parseDate(imm[1].replace(/(前|之前|以前)$/, ''), today);
    return d ? { type: 'immediate', date: d } : null;
  }
  const d = parseDate(s.replace(/^(于|在)/, '').replace(/(完成|办结)$/, '').replace(/(前|之前|以前)$/, ''), today);
  return d ? { type: 'date', date: d } : null;
}

/** The date a deadline falls due, if any. */
export function deadlineDate(d: Deadline): string | undefined {
  return d.type === 'longterm' ? undefined : d.date;
}

/** 2025-01-03 → 2025年1月3日 */
export function formatDateCn(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** 2025-01-03 → 1月3日 */
export function formatMonthDayCn(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日`;
}

export function formatDeadline(d: Deadline): string {
  if (d.type === 'longterm') return '长期坚持';
  if (d.type === 'immediate') return d.date ? `立行立改（${formatDateCn(d.date)}前）` : '立行立改';
  return formatDateCn(d.date);
}
