import type { Services } from '../commands/types.js';
import { shanghaiDate } from '../ledger/dates.js';
import { snapshotOf } from '../ledger/day-snapshot.js';
import type { DashboardStore } from '../store/dashboard-store.js';

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
    const doc = await services.ledgers.loadDoc(L);
    if (!doc) continue;
    await store.recordSnapshot(L, snapshotOf(doc, today));
    done.push(L);
  }
  return done;
}
