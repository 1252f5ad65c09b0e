import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { countAll } from '../../src/ledger/counters.js';
import type { LedgerDoc, Status } from '../../src/ledger/types.js';
import { rollUp } from '../../src/ledger/status.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { ItemChanges } from '../../src/store/item-changes.js';
import { DomainError } from '../../src/core/errors.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { itemToHash, ledgerToHash } from '../../src/store/serialize.js';
import { bigrams } from '../../src/store/indexes.js';
import { TARGETS, testTarget } from '../helpers/redis.js';
import { isCluster } from '../../src/store/redis.js';


const actor = { platform: 'console', userId: 'office', name: '王静' };
const fast = { graceMs: 20, awaitCleanup: true };
const newId = () => `gen-${randomUUID().slice(0, 8)}`;

/** The same ledger with every measure in another status (so the two versions' counters differ). */
function restatus(doc: LedgerDoc, status: Status): LedgerDoc {
  const d = structuredClone(doc);
  d.measures = d.measures.map((m) => ({ ...m, status }));
  d.problems = d.problems.map((p) => ({ ...p, status: rollUp(d.measures.filter((m) => m.problemId === p.id).map((m) => m.status)) }));
  return d;
}

describe.each(TARGETS)('re-import generations (%s Redis)', (target) => {
  let open: OpenServices;
  beforeAll(async () => { open = await openServices({ redisUrl: testTarget(target) }); });
  afterAll(async () => { await open.close(); });

  async function keysUnder(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for (const node of isCluster(open.redis) ? open.redis.nodes('master') : [open.redis]) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        out.push(...keys);
      } while (cursor !== '0');
    }
    return out;
  }

  /** ItemChanges whose first attempt's write waits for `between` (a re-import) after its read. */
  function racing(between: () => Promise<void>) {
    return new ItemChanges(open.redis, () => new Date(), {
      beforeWrite: async (_L, _id, attempt) => { if (attempt === 0) await between(); },
    });
  }

  it('a write read before a re-import is refused and re-decided against the new ledger (no ABA)', async () => {
    const L = newId();
    const store = open.services.ledgers;
    const v1 = syntheticDoc(L, 2, 3, 2);
    await store.saveDoc(v1, undefined, fast);
    const id = v1.measures[0].id;
    const old = await store.generation(L);
    // The item is version 0 in both versions of the ledger: only the generation tells them apart.
    const v2 = restatus(v1, '推进中');
    const gens: number[] = [];
    const messageId = randomUUID();
    const r = await racing(() => store.saveDoc(v2, { actor: 'cli', note: '重新导入' }, fast))
      .apply(L, id, actor, messageId, (m, at) => {
        gens.push(at.gen);
        return { action: '完成', status: '待销号', note: `决定时状态为${m.status}` };
      });
    const now = await store.generation(L);
    expect(now.gen).toBeGreaterThan(old.gen);
    expect(gens).toEqual([old.gen, now.gen]);
    expect(r !== 'duplicate' && r.before.status).toBe('推进中');
    expect(await store.getItem(L, id)).toMatchObject({ status: '待销号', version: 1 });
    const doc = (await store.loadDoc(L))!;
    expect(await store.counters(L)).toEqual(countAll(doc.problems, doc.measures));
    const events = (await store.events(L)).filter((e) => e.messageId === messageId);
    expect(events.map((e) => e.note)).toEqual(['决定时状态为推进中']);
    expect(await keysUnder(old.prefix)).toEqual([]);
  });

  it('when the re-import dropped the item, the stale write does not land and the writer gets a clear error', async () => {
    const L = newId();
    const store = open.services.ledgers;
    const v1 = syntheticDoc(L, 2, 3, 2);
    await store.saveDoc(v1, undefined, fast);
    const gone = v1.measures[v1.measures.length - 1];
    const v2 = structuredClone(v1);
    v2.measures = v2.measures.filter((m) => m.id !== gone.id);
    v2.problems = v2.problems.map((p) => ({ ...p, status: rollUp(v2.measures.filter((m) => m.problemId === p.id).map((m) => m.status)) }));
    const messageId = randomUUID();
    const err = await racing(() => store.saveDoc(v2, { actor: 'cli', note: 'v2' }, fast))
      .apply(L, gone.id, actor, messageId, () => ({ action: '完成', status: '待销号' }))
      .catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('not_found');
    expect((err as DomainError).message).toContain('重新导入');
    expect(await store.getItem(L, gone.id)).toBeNull();
    expect(await store.counters(L)).toEqual(countAll(v2.problems, v2.measures));
    expect((await store.events(L)).filter((e) => e.messageId === messageId)).toEqual([]);
  });

  it('readers during an import see the old or the new ledger, never a mix', async () => {
    const L = newId();
    const store = open.services.ledgers;
    const v1 = syntheticDoc(L, 4, 25, 10); // 1,000 measures
    await store.saveDoc(v1, undefined, fast);
    const v2 = restatus(v1, '已完成');
    const want = [JSON.stringify(countAll(v1.problems, v1.measures)), JSON.stringify(countAll(v2.problems, v2.measures))];
    const sorted = (c: Record<string, number>) => JSON.stringify(Object.fromEntries(Object.entries(c).sort()));
    const wantSorted = want.map((w) => sorted(JSON.parse(w)));
    let done = false;
    const seen: number[] = [];
    const reader = (async () => {
      while (!done) {
        const snap = sorted(await store.counters(L));
        const which = wantSorted.indexOf(snap);
        expect(which, 'a counters snapshot that is neither version').not.toBe(-1);
        seen.push(which);
        const hits = await store.search(L, '规范');
        expect(hits.total).toBe(1100); // every problem and measure title of both versions has it
      }
    })();
    // Small chunks: many round trips, so the reader runs many times while the new generation is written.
    await store.saveDoc(v2, undefined, { ...fast, chunk: 50 });
    done = true;
    await reader;
    expect(seen[0]).toBe(0);
    expect(seen.filter((x) => x === 0).length).toBeGreaterThan(3);
    expect(sorted(await store.counters(L))).toBe(wantSorted[1]);
  });

  it('a second import of the same ledger while one runs is refused; the first completes', async () => {
    const L = newId();
    const store = open.services.ledgers;
    const v1 = syntheticDoc(L, 1, 2, 2);
    let second: unknown;
    await store.saveDoc(v1, undefined, {
      ...fast,
      beforeSwitch: async () => { second = await store.saveDoc(v1, undefined, fast).catch((e) => e); },
    });
    expect(second).toBeInstanceOf(DomainError);
    expect((second as DomainError).code).toBe('import_busy');
    expect(await store.counters(L)).toEqual(countAll(v1.problems, v1.measures));
  });

  it('a ledger in the layout before generations stays readable and writable, and a re-import moves it over', async () => {
    const L = newId();
    const store = open.services.ledgers;
    const doc = syntheticDoc(L, 1, 2, 2);
    // What the previous (one-MULTI) import wrote: keys directly under rb:{L}:, plain bigram sets, and a
    // registry that also listed the meta hash.
    const p = `rb:{${L}}:`;
    const tx = open.redis.multi();
    tx.hset(`${p}meta`, ledgerToHash(doc.ledger));
    const registry = [`${p}meta`, `${p}order`, `${p}codes`, `${p}cnt`];
    const items = [...doc.aspects, ...doc.problems, ...doc.measures];
    for (const item of items) {
      const h = itemToHash(item);
      if (item.level === 'problem') h.kids = JSON.stringify(doc.measures.filter((m) => m.problemId === item.id).map((m) => m.id));
      tx.hset(`${p}i:${item.id}`, h);
      registry.push(`${p}i:${item.id}`);
      if (item.level === 'aspect') continue;
      for (const g of bigrams(item.title)) { tx.sadd(`${p}g:${g}`, item.id); registry.push(`${p}g:${g}`); }
    }
    for (const m of doc.measures) tx.sadd(`${p}st:${m.status}`, m.id);
    tx.rpush(`${p}order`, ...items.map((i) => i.id));
    for (const m of doc.measures) tx.hset(`${p}codes`, `${doc.problems.find((x) => x.id === m.problemId)!.number}.${m.number}`, m.id);
    tx.hset(`${p}cnt`, countAll(doc.problems, doc.measures));
    tx.sadd(`${p}keys`, ...registry);
    await tx.exec();

    expect((await store.generation(L)).gen).toBe(0);
    const legacy = await store.search(L, '规范');
    expect(legacy.total).toBe(items.filter((i) => i.level !== 'aspect' && i.title.includes('规范')).length);
    expect(legacy.items[0].id).toBe(doc.problems[0].id);
    const m = doc.measures[0];
    const r = await open.services.changes.apply(L, m.id, actor, randomUUID(), () => ({ action: '进展', status: '推进中', note: '旧格式上的修改' }));
    expect(r !== 'duplicate' && r.after.version).toBe(1);

    const v2 = restatus(doc, '已完成');
    await store.saveDoc(v2, { actor: 'cli', note: '迁移' }, fast);
    expect((await store.generation(L)).gen).toBeGreaterThan(0);
    expect(await store.getLedger(L)).toEqual(v2.ledger);
    expect(await store.counters(L)).toEqual(countAll(v2.problems, v2.measures));
    expect((await store.events(L)).map((e) => e.note)).toEqual(['旧格式上的修改', '迁移']);
    const left = (await keysUnder(p)).filter((key) => /^rb:\{[^}]+\}:(i:|order$|codes$|cnt$|st:|g:|keys$)/.test(key));
    expect(left).toEqual([]);
  });
});

