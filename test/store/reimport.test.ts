import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { countAll } from '../../src/ledger/counters.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { TARGETS, testTarget } from '../helpers/redis.js';

const actor = { platform: 'console', userId: 'office', name: '王静' };

describe.each(TARGETS)('re-importing a ledger (%s Redis)', (target) => {
  let open: OpenServices;
  beforeAll(async () => { open = await openServices({ redisUrl: testTarget(target) }); });
  afterAll(async () => { await open.close(); });
  it('replaces items, indexes and counters completely, keeps the audit trail, and a reset wipes it', async () => {
    const L = `re-${randomUUID().slice(0, 8)}`;
    const store = open.services.ledgers;
    await store.saveDoc(buildDemoDoc(L), { actor: 'cli', note: 'first' });
    await open.services.changes.apply(L, '2.1.1', actor, randomUUID(), () => ({ action: '完成', status: '待销号', note: '报完成' }));
    expect(await store.idsByStatus(L, '待销号')).toEqual(['2.1.1']);

    // The second version drops aspect 三 and renames 机关工会.
    const v2 = buildDemoDoc(L);
    v2.aspects = v2.aspects.filter((a) => a.aspect !== 3);
    v2.problems = v2.problems.filter((p) => p.aspect !== 3);
    v2.measures = v2.measures.filter((m) => m.aspect !== 3).map((m) => ({ ...m, departments: m.departments.map((d) => (d === '机关工会' ? '工会委员会' : d)) }));
    await store.saveDoc(v2, { actor: 'cli', note: 'second' }, { graceMs: 10 });

    expect(await store.departments(L)).toContain('工会委员会');
    expect(await store.departments(L)).not.toContain('机关工会');
    expect(await store.idsByStatus(L, '待销号')).toEqual([]);
    expect(await store.resolveAlias(L, 'A3.2')).toEqual([]);
    expect((await store.search(L, '问责追责')).total).toBe(0);
    expect(await store.idsByLeader(L, '杜波')).not.toContain('3.2.1');
    expect(await store.getItem(L, '3.2.1')).toBeNull();
    expect(await store.counters(L)).toEqual(countAll(v2.problems, v2.measures));
    const events = await store.events(L);
    expect(events.map((e) => e.note)).toEqual(['first', '报完成', 'second']);
    expect(await store.history(L, '2.1.1')).toHaveLength(1);

    await store.saveDoc(buildDemoDoc(L), { actor: 'demo', note: 'reset' }, { wipeHistory: true, graceMs: 10 });
    expect((await store.events(L)).map((e) => e.note)).toEqual(['reset']);
    expect(await store.history(L, '2.1.1')).toEqual([]);
    expect(await store.counters(L)).toEqual(countAll(buildDemoDoc(L).problems, buildDemoDoc(L).measures));
  });
});
