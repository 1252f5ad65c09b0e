/**
 * The 完成时限 cells ledgers really carry, on top of what the chat's date
 * parser reads: periods ("第四季度", "年底前", "上半年", "2027年3月底前",
 * "9月中旬") fall due at the end of the period; a date that cannot exist
 * says why ("2027年2月30日不存在") instead of "unrecognised".
 */
import type { Deadline } from '../ledger/types.js';
import { normalizeInput } from '../ledger/normalize.js';
import { parseDeadline } from '../ledger/dates.js';
import { parseNumeral } from '../ledger/numerals.js';

/** A deadline, or the precise reason the cell is not one. */
export type DeadlineReading = { ok: true; deadline: Deadline } | { ok: false; reason: string };

const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const monthEnd = (y: number, m: number) => iso(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate());
const UNTIL = /(?:前|之前|以前|内|为止|完成|办结|截止)+$/;
const YEAR = /^(?:(\d{4})年|(今年|本年度?|当年)|(明年))?/;

/** The end of the period a cell names, or null when it names none. */
function periodEnd(s: string, baseYear: number): string | null {
  const y = s.match(YEAR)!;
  const year = y[1] ? Number(y[1]) : y[3] ? baseYear + 1 : baseYear;
  const rest = s.slice(y[0].length).replace(/^第/, '').replace(UNTIL, '').replace(/(?:末|底)$/, '');
  if (!rest || /^(?:年|年度|全年)$/.test(rest)) return y[0] || rest ? iso(year, 12, 31) : null;
  const q = rest.match(/^([一二三四1-4])季度?$/);
  if (q) return monthEnd(year, (parseNumeral(q[1]) ?? Number(q[1])) * 3);
  if (rest === '上半年') return iso(year, 6, 30);
  if (rest === '下半年') return iso(year, 12, 31);
  const ten = rest.match(/^(\d{1,2})月(上旬|中旬|下旬)$/);
  if (ten) {
    const m = Number(ten[1]);
    if (m < 1 || m > 12) return null;
    return ten[2] === '上旬' ? iso(year, m, 10) : ten[2] === '中旬' ? iso(year, m, 20) : monthEnd(year, m);
  }
  return null;
}

/** Why a written date cannot be (month 13, 2月30日), or null when it looks fine or is no date. */
function impossible(s: string): string | null {
  const m = s.match(/^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?/);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12) return `${y}年${mo}月${d}日不存在（月份应为1到12）`;
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > last) return `${y}年${mo}月${d}日不存在（${y}年${mo}月只有${last}天）`;
  if (y < 2000 || y > 2100) return `年份${y}不合常理`;
  return null;
}

/**
 * Reads a 完成时限 cell. `today` resolves month-day dates as chat does;
 * `baseYear` is the year of periods written without one ("第四季度").
 */
export function readDeadline(cell: string, today: string, baseYear = Number(today.slice(0, 4))): DeadlineReading {
  const s = normalizeInput(cell).replace(/\s/g, '');
  const d = parseDeadline(s, today);
  if (d) return { ok: true, deadline: d };
  const bare = s.replace(/^(?:于|在|力争|确保)/, '');
  const end = periodEnd(bare, baseYear);
  if (end) return { ok: true, deadline: { type: 'date', date: end } };
  const why = impossible(bare);
  if (why) return { ok: false, reason: why };
  return { ok: false, reason: `无法识别的完成时限“${cell}”，应为具体日期（如2025年1月3日、2025-01-03）、期限（如2026年第四季度、年底前、6月底前）、立行立改或长期坚持。` };
}
