import type { LedgerDoc } from './types.js';
import { lightOf } from './light.js';
import { isDone } from './status.js';

/** One day's figures of a ledger, as the burn-up and the lights chart draw them. */
export interface DaySnapshot {
  /** Shanghai date YYYY-MM-DD. */
  date: string;
  /** Measures in the ledger that day. */
  scope: number;
  /** Done (已完成, 已完成并长期坚持, 已销号). */
  done: number;
  /** Struck off (已销号), a part of done. */
  struck: number;
  red: number;
  yellow: number;
  green: number;
}

/** Today's figures of a ledger (the snapshot kept for the burn-up). */
export function snapshotOf(doc: LedgerDoc, today: string): DaySnapshot {
  const s: DaySnapshot = { date: today, scope: doc.measures.length, done: 0, struck: 0, red: 0, yellow: 0, green: 0 };
  for (const m of doc.measures) {
    if (isDone(m.status)) s.done++;
    if (m.status === '已销号') s.struck++;
    s[lightOf(m, today, doc.ledger.yellowDays)]++;
  }
  return s;
}
