import type { Measure } from '../ledger/types.js';
import { dayNumber, deadlineDate } from '../ledger/dates.js';
import { isClosed } from '../ledger/status.js';
import { normalizeInput } from '../ledger/normalize.js';
import { k } from './keys.js';

/** The status-dependent index entries of a measure: its status set and the open-deadline zset. */
export function dynamicIndexes(L: string, m: Pick<Measure, 'id' | 'status' | 'deadline'>) {
  const due = deadlineDate(m.deadline);
  return {
    statusSet: k.byStatus(L, m.status),
    dueScore: !isClosed(m.status) && due ? dayNumber(due) : null,
  };
}

/** Character bigrams used by the search index (Chinese has no word breaks). */
export function bigrams(text: string): string[] {
  const t = normalizeInput(text).toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
  const out = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return [...out];
}
