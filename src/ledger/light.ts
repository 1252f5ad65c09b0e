import type { Light, Measure } from './types.js';
import { deadlineDate, dayNumber } from './dates.js';
import { isClosed } from './status.js';

/**
 * Deadline light: red = past its deadline and not closed; yellow = due within
 * `yellowDays` (today included); green otherwise (closed, long-term, far off).
 */
export function lightOf(m: Pick<Measure, 'deadline' | 'status'>, today: string, yellowDays: number): Light {
  if (isClosed(m.status)) return 'green';
  const due = deadlineDate(m.deadline);
  if (!due) return 'green';
  const left = dayNumber(due) - dayNumber(today);
  if (left < 0) return 'red';
  if (left <= yellowDays) return 'yellow';
  return 'green';
}

export const LIGHT_EMOJI: Record<Light, string> = { red: '🔴', yellow: '🟡', green: '🟢' };
export const LIGHT_WORD: Record<Light, string> = { red: '逾期', yellow: '临期', green: '正常' };

/** A text progress bar: ▓▓▓▓▓░░░░░ 50% */
export function progressBar(done: number, total: number, width = 10): string {
  const ratio = total > 0 ? done / total : 0;
  const filled = Math.round(ratio * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${formatPercent(ratio)}`;
}

export function formatPercent(ratio: number): string {
  const p = Math.round(ratio * 1000) / 10;
  return `${Number.isInteger(p) ? p.toFixed(0) : p.toFixed(1)}%`;
}
