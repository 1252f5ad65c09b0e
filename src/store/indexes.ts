import type { Measure } from '../ledger/types.js';
import { dayNumber, deadlineDate } from '../ledger/dates.js';
import { isClosed } from '../ledger/status.js';
import { normalizeInput } from '../ledger/normalize.js';
import type { GenKeys } from './ledger-keys.js';

/** The status-dependent index entries of a measure: its status set and the open-deadline zset. */
export function dynamicIndexes(g: GenKeys, m: Pick<Measure, 'id' | 'status' | 'deadline'>) {
  const due = deadlineDate(m.deadline);
  return {
    statusSet: g.byStatus(m.status),
    dueScore: !isClosed(m.status) && due ? dayNumber(due) : null,
  };
}

/**
 * Text as the search index sees it: width-folded, lower case, without spaces,
 * punctuation and symbols. Queries are folded the same way, so "公车 管理"
 * finds "公车管理".
 */
export function searchText(text: string): string {
  return normalizeInput(text).toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Character bigrams used by the search index (Chinese has no word breaks). */
export function bigrams(text: string): string[] {
  const t = searchText(text);
  const out = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return [...out];
}
