import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardStore } from '../../src/store/dashboard-store.js';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { recordDailySnapshots } from '../../src/schedule/snapshots.js';
import { testTarget } from '../helpers/redis.js';
import { makeWorld, type World } from '../helpers/world.js';

let w: World;
let redis: RedisClient;
beforeAll(async () => {
  w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' });
  redis = connectRedis(testTarget());
  await waitReady(redis);
});
afterAll(async () => {
  redis.disconnect();
  await w.close();
});

describe('daily dashboard snapshots', () => {
  it('records each ledger\'s figures for the day once per hour, whichever instance claims it, and the day keeps its last', async () => {
    const dash = new DashboardStore(redis);
    const claim = (L: string, hour: string) => dash.claimSnapshotHour(L, hour);
    const first = await recordDailySnapshots(w.open.services, dash, claim);
    expect(first).toContain(w.ledgerId);
    // A second instance in the same hour finds the claim taken and does nothing.
    expect(await recordDailySnapshots(w.open.services, dash, claim)).not.toContain(w.ledgerId);
    const [snap] = (await dash.snapshots(w.ledgerId)).filter((s) => s.date === '2021-09-25');
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    expect(snap).toMatchObject({ date: '2021-09-25', scope: doc.measures.length });
    expect(snap!.red + snap!.yellow + snap!.green).toBe(doc.measures.length);
    // Later that day (another hour), after a change: the day's point is replaced by the new figures.
    expect((await w.say('office', '销号 二.1.2'))!.text).toContain('二.1.2');
    w.clock.advance(3_600_000);
    expect(await recordDailySnapshots(w.open.services, dash, claim)).toContain(w.ledgerId);
    const again = (await dash.snapshots(w.ledgerId)).filter((s) => s.date === '2021-09-25');
    expect(again).toHaveLength(1);
    expect(again[0]!.struck).toBe(snap!.struck + 1);
  });
});
