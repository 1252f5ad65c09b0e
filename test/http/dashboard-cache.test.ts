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

  it('after chat changes it re-reads only the changed measures and their problems; events are carried over', async () => {
    const real = open.services.ledgers;
    let loads = 0;
    // The real store, counting whole-ledger reads.
    const counted = {
      loadDoc: (L: string) => { loads++; return real.loadDoc(L); },
      generation: real.generation.bind(real), recentEvents: real.recentEvents.bind(real), events: real.events.bind(real), getItems: real.getItems.bind(real),
    };
    const docs = new DashboardDocs(counted);
    const first = await docs.docAndEvents(L, 1000);
    expect(loads).toBe(1);
    const p = first.doc!.problems[1];
    const kids = first.doc!.measures.filter((m) => m.problemId === p.id);
    for (const m of kids) {
      await open.services.changes.apply(L, m.id, { platform: 'console', userId: 'u', name: '测试' }, `p-${randomUUID()}`, () => ({ action: '完成', status: '已完成', note: `补丁${m.id}` }));
    }
    const next = await docs.docAndEvents(L, 1000);
    expect(loads).toBe(1);
    const fresh = (await real.loadDoc(L))!;
    expect(next.doc).toEqual(fresh);
    expect(next.doc!.problems[1].status).toBe('已完成');
    expect(next.events.slice(-kids.length).map((e) => e.note)).toEqual(kids.map((m) => `补丁${m.id}`));
    expect(next.events).toEqual(await real.recentEvents(L, 1000));
    // The first copy was not changed under its readers.
    expect(first.doc!.problems[1]).toBe(p);
    // A re-import is read whole.
    await open.services.ledgers.saveDoc(syntheticDoc(L, 2, 3, 2), { actor: 'test', note: '导入' }, { awaitCleanup: true });
    await docs.doc(L);
    expect(loads).toBe(2);
  });

  it('keeps at most `max` ledgers', async () => {
    const docs = new DashboardDocs(open.services.ledgers, 1);
    const a = await docs.doc(L);
    expect(await docs.doc('no-such-ledger')).toBeNull();
    expect(await docs.doc(L)).not.toBe(a);
  });
});
