import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { lk } from '../../src/store/ledger-keys.js';
import { GenerationMoved } from '../../src/store/read-scripts.js';
import { removeLedgerKeys } from '../../src/store/ledger-remove.js';
import { LedgerStore } from '../../src/store/ledger-store.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import { makeWorld, type World } from '../helpers/world.js';
import { testTarget, TARGETS } from '../helpers/redis.js';

/**
 * Chat reads run on the ledger meta this instance cached, fenced by the
 * generation it was cached with: a re-import (or removal) by another
 * instance is seen by the very next message, within the cache's lifetime.
 */
describe.each(TARGETS)('fenced chat reads on %s Redis', (target) => {
  let w: World;
  let other: OpenServices;
  const text = async (who: string, msg: string) => (await w.say(who, msg))?.text ?? '';
  beforeAll(async () => {
    w = await makeWorld({ target, at: '2021-09-25T02:00:00.000Z' });
    // Another instance: its own store (and cache) on the same Redis.
    other = await openServices({ redisUrl: testTarget(target) });
  });
  afterAll(async () => { await other.close(); await w.close(); });

  it('a reader whose meta is cached sees a re-import by another instance at once (meta and items of the new generation)', async () => {
    const before = await text('viewer', '进度');
    expect(before).toContain('区委第十二轮第一巡察组反馈意见整改台账');
    expect(await text('viewer', '查看 一.1.1')).not.toContain('重新导入后的措施标题');
    const gen0 = await w.open.redis.get(lk.gen(w.ledgerId));
    const doc = buildDemoDoc(w.ledgerId);
    doc.ledger.title = '重新导入的整改台账';
    const m = doc.measures.find((x) => x.code === '一.1.1')!;
    m.title = '重新导入后的措施标题';
    await other.services.ledgers.saveDoc(doc);
    expect(await w.open.redis.get(lk.gen(w.ledgerId))).not.toBe(gen0);
    // Within the cache's lifetime: the fence, not the expiry, brings the new ledger.
    const after = await text('viewer', '进度');
    expect(after).toContain('重新导入的整改台账');
    expect(after).not.toContain('区委第十二轮');
    expect(await text('viewer', '查看 一.1.1')).toContain('重新导入后的措施标题');
  });

  it('a fenced read on a stale generation throws GenerationMoved and drops the cache; the next read is current', async () => {
    // A cache that would live a minute: only the fence can notice the switch.
    const store = new LedgerStore(w.open.redis, { metaTtlMs: 60_000 });
    const alias = aliasOf(parseCode('一.1.1')!);
    const cached = (await store.current(w.ledgerId))!;
    expect((await store.lookup(w.ledgerId, alias)).item?.code).toBe('一.1.1');
    await other.services.ledgers.saveDoc(buildDemoDoc(w.ledgerId));
    await expect(store.lookup(w.ledgerId, alias)).rejects.toBeInstanceOf(GenerationMoved);
    await expect(store.progressFigures(w.ledgerId, 0, 0, 0)).resolves.toMatchObject({ counters: { 'm:total': 21 } });
    const fresh = (await store.current(w.ledgerId))!;
    expect(fresh.g.gen).toBeGreaterThan(cached.g.gen);
    expect(fresh.g.gen).toBe(Number(await w.open.redis.get(lk.gen(w.ledgerId))));
    expect((await store.lookup(w.ledgerId, alias)).item?.code).toBe('一.1.1');
  });

  it('a ledger removed by another instance: the next read answers that the bound ledger is gone', async () => {
    expect(await text('viewer', '进度')).toContain('完成率');
    await removeLedgerKeys(other.redis, w.ledgerId);
    expect(await w.open.redis.exists(lk.gen(w.ledgerId))).toBe(0);
    expect(await text('viewer', '进度')).toContain('本群绑定的台账已不存在');
  });
});
