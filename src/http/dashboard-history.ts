import type { AuditEvent, LedgerDoc, Status } from '../ledger/types.js';
import { shanghaiDate } from '../ledger/dates.js';
import { isDone } from '../ledger/status.js';
import type { DaySnapshot } from '../store/dashboard-store.js';

/**
 * Done and struck-off counts at the end of each of `days`, replayed backwards
 * from today's statuses through the audit stream (each change's from → to
 * undone in turn), so the burn-up has a line before the first daily snapshot
 * was kept. A whole-ledger write (import, restore: an event with no item) is
 * a wall: days before it get no figure, as do days before the ledger existed
 * and days after today; so do days before the oldest event when `truncated`
 * (only the newest events were read). Lights are not replayed (deadlines move with 改期);
 * only real snapshots draw those.
 */
export function replayDone(doc: LedgerDoc, events: AuditEvent[], days: string[], today: string, truncated = false): Array<DaySnapshot | null> {
  const status = new Map<string, Status>(doc.measures.map((m) => [m.id, m.status]));
  let done = 0, struck = 0;
  for (const s of status.values()) { if (isDone(s)) done++; if (s === '已销号') struck++; }
  const born = doc.ledger.createdAt ? shanghaiDate(new Date(doc.ledger.createdAt)) : '';
  const out: Array<DaySnapshot | null> = new Array(days.length).fill(null);
  let j = events.length - 1;
  const dayOf = (e: AuditEvent) => shanghaiDate(new Date(e.at));
  // Only the newest events were read: nothing is known before the oldest of them.
  let wall = truncated && events.length ? dayOf(events[0]) : '';
  for (let i = days.length - 1; i >= 0; i--) {
    const d = days[i];
    if (d > today) continue;
    // Undo every change made after day d.
    while (j >= 0 && dayOf(events[j]) > d) {
      const e = events[j--];
      if (!e.itemId) { wall = dayOf(e); break; }
      const was = status.get(e.itemId);
      if (was === undefined || !e.from || !e.to || was !== e.to) continue;
      if (isDone(was)) done--;
      if (was === '已销号') struck--;
      if (isDone(e.from)) done++;
      if (e.from === '已销号') struck++;
      status.set(e.itemId, e.from);
    }
    if (wall && d < wall) break;
    if (born && d < born) break;
    out[i] = { date: d, scope: status.size, done, struck, red: 0, yellow: 0, green: 0 };
  }
  return out;
}
