import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotOf } from '../../src/ledger/day-snapshot.js';
import { addDays } from '../../src/ledger/dates.js';
import { snapshotFromIndexes } from '../../src/schedule/snapshots.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { makeWorld, type World } from '../helpers/world.js';

let w: World;
beforeAll(async () => { w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' }); });
afterAll(async () => { await w.close(); });

describe('daily snapshot from the counters and the deadline index', () => {
  it('equals the figures counted over the whole ledger, on any day and after chat changes', async () => {
    const L = w.ledgerId;
    const check = async (day: string) => {
      const doc = (await w.open.services.ledgers.loadDoc(L))!;
      expect(await snapshotFromIndexes(w.open.services.ledgers, L, day), day).toEqual(snapshotOf(doc, day));
    };
    for (const d of [-400, -30, -1, 0, 1, 9, 10, 11, 60, 400]) await check(addDays('2021-09-25', d));
    // Changes move measures between statuses and in or out of the deadline index.
    expect((await w.say('office', '销号 二.1.2'))!.text).toContain('二.1.2');
    expect((await w.say('office', '完成 一.1.1 制度已印发'))!.text).toContain('一.1.1');
    expect((await w.say('office', '改期 一.2.1 2021年9月30日 确认 会议推迟'))!.text).toContain('一.2.1');
    for (const d of [-1, 0, 3, 5, 30]) await check(addDays('2021-09-25', d));
  });

  it('matches on a large synthetic ledger with every status and long-term measures', async () => {
    const doc = syntheticDoc(`snapidx-${Date.now()}`, 3, 20, 10, '2026-11-22');
    await w.open.services.ledgers.saveDoc(doc, undefined, { graceMs: 0, awaitCleanup: true });
    for (const day of ['2026-10-01', '2026-11-22', '2026-12-05', '2027-06-01']) {
      expect(await snapshotFromIndexes(w.open.services.ledgers, doc.ledger.id, day), day).toEqual(snapshotOf(doc, day));
    }
    expect(await snapshotFromIndexes(w.open.services.ledgers, 'no-such-ledger', '2026-11-22')).toBeNull();
  });
});
