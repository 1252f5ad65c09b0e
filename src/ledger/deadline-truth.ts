import type { Deadline, Ledger, Measure } from './types.js';
import { addDays, deadlineDate, formatMonthDayCn, shanghaiDate } from './dates.js';
import { isClosed } from './status.js';
import { LIGHT_EMOJI, LIGHT_WORD, lightOf } from './light.js';

/** Default days after the feedback date a 立行立改 measure falls due. */
export const IMMEDIATE_DAYS = 30;

/** The due date of the ledger's 立行立改 measures: feedback date + `immediateDays` (default 30). */
export function immediateDue(ledger: Pick<Ledger, 'feedbackDate' | 'immediateDays'>): string {
  return addDays(ledger.feedbackDate, ledger.immediateDays ?? IMMEDIATE_DAYS);
}

/** A 立行立改 deadline without a date gets the ledger's, so it turns red like any other. */
export function withImmediateDue(d: Deadline, ledger: Pick<Ledger, 'feedbackDate' | 'immediateDays'>): Deadline {
  return d.type === 'immediate' && !d.date ? { type: 'immediate', date: immediateDue(ledger) } : d;
}

/** A deadline for chat and lists: "立行立改（5月13日前）", "2025年6月30日", "长期坚持". */
export function deadlineShort(d: Deadline): string {
  if (d.type === 'immediate') return d.date ? `立行立改（${formatMonthDayCn(d.date)}前）` : '立行立改';
  if (d.type === 'longterm') return '长期坚持';
  const [y, m, day] = d.date.split('-').map(Number);
  return `${y}年${m}月${day}日`;
}

/** Who an imported narrative is attributed to (src/reports/ledger-notes.ts writes it). */
export const IMPORT_AUTHOR = '导入';

/**
 * The Shanghai date a closed measure was reported done: its latest evidence
 * note written in chat (完成 always writes one). Undefined when open or unknown:
 * a note from an import (by 导入) is dated on the import day, not the completion,
 * so a measure imported as done carries no completion date and no 逾期完成.
 */
export function completedOn(m: Pick<Measure, 'status' | 'notes'>): string | undefined {
  if (!isClosed(m.status)) return undefined;
  const n = m.notes.find((x) => x.evidence && x.by !== IMPORT_AUTHOR);
  return n ? shanghaiDate(new Date(n.at)) : undefined;
}

/** Completed after its deadline ("逾期完成"). */
export function finishedLate(m: Pick<Measure, 'status' | 'notes' | 'deadline'>): boolean {
  const done = completedOn(m);
  const due = deadlineDate(m.deadline);
  return !!done && !!due && done > due;
}

/** What a list line shows for a measure's state: a closed one its state, an open one its deadline light. */
export interface StateMark {
  emoji: string;
  word: string;
  late: boolean;
}

/**
 * ✅ 已销号 / ☑️ 已完成 / ⏳ 待销号 for closed measures (with 逾期完成 when
 * reported after the deadline); 🔴 逾期 / 🟡 临期 / 🟢 正常 for open ones.
 */
export function stateMark(m: Pick<Measure, 'status' | 'notes' | 'deadline'>, today: string, yellowDays: number): StateMark {
  const late = finishedLate(m);
  if (m.status === '已销号') return { emoji: '✅', word: '已销号', late };
  if (m.status === '待销号') return { emoji: '⏳', word: '待销号', late };
  if (isClosed(m.status)) return { emoji: '☑️', word: m.status, late };
  const l = lightOf(m, today, yellowDays);
  return { emoji: LIGHT_EMOJI[l], word: LIGHT_WORD[l], late: false };
}

/** "☑️ 已完成（逾期完成）", "🔴 逾期". */
export function stateLabel(s: StateMark): string {
  return `${s.emoji} ${s.word}${s.late ? '（逾期完成）' : ''}`;
}
