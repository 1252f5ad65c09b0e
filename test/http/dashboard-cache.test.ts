import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { DashboardDocs } from '../../src/http/dashboard-cache.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { testRedisUrl } from '../helpers/redis.js';

describe('the dashboard ledger cache is never older than the request', () => {
  let open: OpenServices;
  const L = `cache-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    open = await openServices({ redisUrl: testRedisUrl() });
    await open.services.ledgers.saveDoc(syntheticDoc(L, 2, 3, 2), { actor: 'test', note: '导入' }, { awaitCleanup: true });
  });
  afterAll(async () => { await open.close(); });

  it('reuses the copy while nothing changed; a change (from this or another client) or a re-import reloads it', async () => {
    const docs = new DashboardDocs(open.services.ledgers);
    const a = await docs.doc(L);
    expect(await docs.doc(L)).toBe(a);
    // A change through another connection, as another instance would make it.
    const other = await openServices({ redisUrl: testRedisUrl() });
    try {
      const id = a!.measures[0].id;
      await other.services.changes.apply(L, id, { platform: 'console', userId: 'u', name: '测试' }, `m-${randomUUID()}`, () => ({ action: '完成', status: '已完成', note: '已办结' }));
      const b = await docs.doc(L);
      expect(b).not.toBe(a);
      expect(b!.measures[0].status).toBe('已完成');
      const { events } = await docs.docAndEvents(L, 100);
      expect(events.at(-1)?.note).toBe('已办结');
      // A re-import without an audit event still moves the generation.
      const v2 = syntheticDoc(L, 2, 3, 2);
      v2.measures[1].title = '重新导入后的标题';
      await other.services.ledgers.saveDoc(v2, undefined, { awaitCleanup: true });
      expect((await docs.doc(L))!.measures[1].title).toBe('重新导入后的标题');
    } finally {
      await other.close();
    }
  });

  it('keeps at most `max` ledgers', async () => {
    const docs = new DashboardDocs(open.services.ledgers, 1);
    const a = await docs.doc(L);
    expect(await docs.doc('no-such-ledger')).toBeNull();
    expect(await docs.doc(L)).not.toBe(a);
  });
});
