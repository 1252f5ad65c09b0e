import type { Services } from './types.js';
import type { Kind, Ledger, Status } from '../ledger/types.js';
import { KINDS, STATUSES } from '../ledger/types.js';
import { addDays, dayNumber } from '../ledger/dates.js';
import { statusCounts, type Counters } from '../ledger/counters.js';
import { DomainError } from '../core/errors.js';

/** `rectify status --json`: the ledger's figures at a date, from counters and the deadline index. */
export interface StatusReport {
  ledger: string;
  asOf: string;
  measures: number;
  problems: number;
  byStatus: Partial<Record<Status, number>>;
  byKind: Partial<Record<Kind, number>>;
  red: number;
  yellow: number;
  /** Done measures / all measures, 0..1, rounded to 4 places. */
  completionRate: number;
  /** Open 申请延期 requests awaiting the office (optional for reports built elsewhere). */
  extensionsPending?: number;
  /** Measures whose deadline the office has extended. */
  extended?: number;
}

export async function statusReport(
  services: Pick<Services, 'ledgers'>, ledgerId: string, asOf: string, known?: { ledger: Ledger; counters: Counters; red?: number; yellow?: number },
): Promise<StatusReport> {
  const store = services.ledgers;
  const ledger = known?.ledger ?? (await store.getLedger(ledgerId));
  if (!ledger) throw new DomainError('no_ledger', `台账 ${ledgerId} 不存在。`);
  const today = dayNumber(asOf);
  const [c, red, yellow] = await Promise.all([
    known?.counters ?? store.counters(ledgerId),
    known?.red ?? store.countDue(ledgerId, '-inf', today - 1),
    known?.yellow ?? store.countDue(ledgerId, today, dayNumber(addDays(asOf, ledger.yellowDays))),
  ]);
  const byStatusRaw = statusCounts(c, 'm');
  const byStatus: Partial<Record<Status, number>> = {};
  for (const s of STATUSES) if (byStatusRaw[s]) byStatus[s] = byStatusRaw[s];
  const byKind: Partial<Record<Kind, number>> = {};
  for (const kd of KINDS) if (c[`k:${kd}`]) byKind[kd] = c[`k:${kd}`];
  const measures = c['m:total'] ?? 0;
  const done = (byStatus['已完成'] ?? 0) + (byStatus['已完成并长期坚持'] ?? 0) + (byStatus['已销号'] ?? 0);
  return {
    ledger: ledgerId, asOf, measures, problems: c['p:total'] ?? 0, byStatus, byKind, red, yellow,
    completionRate: measures ? Math.round((done / measures) * 10000) / 10000 : 0,
    extensionsPending: c['x:pending'] ?? 0, extended: c['x:extended'] ?? 0,
  };
}
