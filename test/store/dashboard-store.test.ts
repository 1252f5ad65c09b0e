import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { DashboardStore } from '../../src/store/dashboard-store.js';
import { removeLedgerKeys } from '../../src/store/ledger-remove.js';
import { testRedisUrl } from '../helpers/redis.js';

describe('dashboard store: daily snapshots and the sensitive mark', () => {
  let open: OpenServices;
  let store: DashboardStore;
  const L = `dash-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    open = await openServices({ redisUrl: testRedisUrl() });
    store = new DashboardStore(open.redis);
  });
  afterAll(async () => { await open.close(); });

  it('keeps one snapshot per day (the last write wins), oldest first, under the ledger hash tag', async () => {
    const s = (date: string, done: number) => ({ date, scope: 5, done, struck: 0, red: 1, yellow: 1, green: 3 });
    await store.recordSnapshot(L, s('2021-05-03', 2));
    await store.recordSnapshot(L, s('2021-05-01', 1));
    await store.recordSnapshot(L, s('2021-05-03', 3));
    expect((await store.snapshots(L)).map((x) => [x.date, x.done])).toEqual([['2021-05-01', 1], ['2021-05-03', 3]]);
    expect(await open.redis.exists(`rb:{${L}}:dash:snap`)).toBe(1);
    // A damaged field is skipped rather than breaking the page.
    await open.redis.hset(`rb:{${L}}:dash:snap`, '2021-05-02', '{oops');
    expect(await store.snapshots(L)).toHaveLength(2);
  });

  it('marks and clears a ledger as sensitive; removing the ledger removes its dashboard keys', async () => {
    expect(await store.isSensitive(L)).toBe(false);
    await store.setSensitive(L, true);
    expect(await store.isSensitive(L)).toBe(true);
    await store.setSensitive(L, false);
    expect(await store.isSensitive(L)).toBe(false);
    await store.setSensitive(L, true);
    await removeLedgerKeys(open.redis, L);
    expect(await store.snapshots(L)).toEqual([]);
    expect(await store.isSensitive(L)).toBe(false);
  });
});
