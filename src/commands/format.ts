import type { Measure, Note } from '../ledger/types.js';
import { formatMonthDayCn, shanghaiDate } from '../ledger/dates.js';
import { IMPORT_AUTHOR, deadlineShort, stateLabel, stateMark } from '../ledger/deadline-truth.js';
import { safeText } from '../core/safe-text.js';
import type { CommandContext } from './types.js';
import type { ReplyBuilder } from './reply.js';
import { short } from './resolve.js';

/** One list line: 🔴 **二.1.1** 纠正司法行政人员…｜政治部｜陈敏｜2021年9月30日 */
export function measureLine(ctx: CommandContext, m: Measure): string {
  // A closed measure shows its state (✅/☑️/⏳), never a green light; 逾期完成 when reported after its deadline.
  const s = stateMark(m, ctx.today, ctx.ledger.yellowDays);
  const who = [m.departments.join('、'), m.owners.join('、')].filter(Boolean).map(safeText).join('｜');
  return `${s.emoji} **${m.code}** ${short(m.title, 24)}｜${m.status}${s.late ? '（逾期完成）' : ''}｜${deadlineShort(m.deadline)}${who ? `｜${who}` : ''}`;
}

/**
 * "12月3日 陈敏（完成说明）：制度已印发" — a 完成's note (its evidence flag) is a
 * completion note, not an attached file (files are listed as 佐证材料 第N份).
 * An imported narrative has no date of its own (it carries the import day):
 * "（导入）佐证材料：学习计划文件", "（导入）已印发制度".
 */
export function noteLine(n: Note): string {
  if (n.by === IMPORT_AUTHOR) return `（导入）${n.evidence ? '佐证材料：' : ''}${safeText(n.text)}`;
  const when = formatMonthDayCn(shanghaiDate(new Date(n.at)));
  return `${when} ${safeText(n.by)}${n.evidence ? '（完成说明）' : ''}：${safeText(n.text)}`;
}

/** Writes up to `max` measure lines, then “……另有N项” (N from `total`, which may exceed what was fetched). */
export function listMeasures(b: ReplyBuilder, ctx: CommandContext, ms: Measure[], max = 20, total = ms.length): void {
  const shown = ms.slice(0, max);
  for (const m of shown) b.item(measureLine(ctx, m));
  if (total > shown.length) b.line(`……另有${total - shown.length}项未列出`);
}

export function lightLabel(ctx: CommandContext, m: Measure): string {
  return stateLabel(stateMark(m, ctx.today, ctx.ledger.yellowDays));
}

/** Sorts measures by deadline (dated first, earliest first), then by document order. */
export function byDeadline(a: Measure, b: Measure): number {
  const da = a.deadline.type === 'longterm' ? '9999' : (a.deadline.date ?? '9998');
  const db = b.deadline.type === 'longterm' ? '9999' : (b.deadline.date ?? '9998');
  return da.localeCompare(db) || a.id.localeCompare(b.id, undefined, { numeric: true });
}
