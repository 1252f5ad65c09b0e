import type { Services } from '../commands/types.js';
import { dayNumber, shanghaiDate } from '../ledger/dates.js';
import type { DaySnapshot } from '../ledger/day-snapshot.js';
import { statusCounts } from '../ledger/counters.js';
import { isDone } from '../ledger/status.js';
import type { Status } from '../ledger/types.js';
import type { DashboardStore } from '../store/dashboard-store.js';

/**
 * A ledger's figures of `today` from its counters and deadline index (three
 * small reads), equal to snapshotOf(whole ledger): the deadline index holds
 * exactly the open measures with a date, so red and yellow are two ZCOUNTs
 * and every other measure is green. A 100k-measure ledger is never loaded.
 */
export async function snapshotFromIndexes(ledgers: Pick<Services['ledgers'], 'getLedger' | 'counters' | 'countDue'>, L: string, today: string): Promise<DaySnapshot | null> {
  const ledger = await ledgers.getLedger(L);
  if (!ledger) return null;
  const day = dayNumber(today);
  const [c, red, yellow] = await Promise.all([
    ledgers.counters(L), ledgers.countDue(L, '-inf', day - 1), ledgers.countDue(L, day, day + ledger.yellowDays),
  ]);
  const by = statusCounts(c);
  const scope = Object.values(by).reduce((a, b) => a + b, 0);
  const done = Object.entries(by).reduce((a, [st, n]) => a + (isDone(st as Status) ? n : 0), 0);
  return { date: today, scope, done, struck: by.已销号 ?? 0, red, yellow, green: scope - red - yellow };
}

/**
 * Records today's snapshot of every ledger for the dashboard's burn-up and
 * lights charts, so days nobody opened the dashboard still have their point.
 * Run hourly by every instance; `claim` (SET NX per ledger and hour) lets one
 * of them do the work. A later run of the same day overwrites the earlier one,
 * so the day keeps its last figures. Returns the ledgers recorded.
 */
export async function recordDailySnapshots(
  services: Pick<Services, 'ledgers' | 'clock'>,
  store: Pick<DashboardStore, 'recordSnapshot'>,
  claim: (ledgerId: string, hour: string) => Promise<boolean>,
): Promise<string[]> {
  const now = services.clock.now();
  const today = shanghaiDate(now);
  const hour = `${today}T${String(new Date(now.getTime() + 8 * 3_600_000).getUTCHours()).padStart(2, '0')}`;
  const done: string[] = [];
  for (const L of await services.ledgers.listLedgers()) {
    if (!(await claim(L, hour))) continue;
    const snap = await snapshotFromIndexes(services.ledgers, L, today);
    if (!snap) continue;
    await store.recordSnapshot(L, snap);
    done.push(L);
  }
  return done;
}
