import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Item, LedgerDoc } from '../../src/ledger/types.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { bigrams, searchText } from '../../src/store/indexes.js';
import { SEARCH_BLOCK_ROWS, SEARCH_SCAN_CAP, searchGeneration } from '../../src/store/ledger-search.js';
import { upgradeSearchIndex } from '../../src/store/search-upgrade.js';
import { lk } from '../../src/store/ledger-keys.js';
import { TARGETS, testTarget } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const fast = { graceMs: 20, awaitCleanup: true };
const newId = () => `srch-${randomUUID().slice(0, 8)}`;

/** Problems and measures in document order (what 搜索 lists), as the store keeps them. */
async function rows(open: OpenServices, L: string): Promise<Item[]> {
  const items = await open.services.ledgers.getItems(L, await open.services.ledgers.orderedIds(L));
  return items.filter((i) => i.level !== 'aspect');
}

/** The expected answer: every title holding the keyword (spaces and punctuation ignored), in document order. */
const expected = (items: Item[], q: string) => items.filter((i) => searchText(i.title).includes(searchText(q))).map((i) => i.id);

describe.each(TARGETS)('搜索 index: title blocks (%s Redis)', (target) => {
  let open: OpenServices;
  beforeAll(async () => { open = await openServices({ redisUrl: testTarget(target) }); });
  afterAll(async () => { await open.close(); });

  /**
   * Rewrites the current generation in the layout before title blocks: a bigram sorted set per bigram (scored
   * by document position) and an id → text hash, no `sx`/`sb:` keys. What an import of the previous release left.
   */
  async function toBigramLayout(L: string): Promise<void> {
    const g = await open.services.ledgers.generation(L);
    const order = await open.services.ledgers.orderedIds(L);
    const items = await open.services.ledgers.getItems(L, order);
    const blocks = Number((await open.redis.get(g.searchMeta))!.split(':')[0]) / SEARCH_BLOCK_ROWS;
    // The old index first (pipelines of 100 items, not one huge MULTI), then the blocks go.
    for (let i = 0; i < items.length; i += 100) {
      const p = open.redis.pipeline();
      items.slice(i, i + 100).forEach((item, k) => {
        if (item.level === 'aspect') return;
        p.hset(g.text, item.id, searchText(item.title));
        for (const gram of bigrams(item.title)) p.zadd(g.gram(gram), i + k, item.id).sadd(g.registry, g.gram(gram));
      });
      await p.exec();
    }
    const blockKeys = Array.from({ length: Math.ceil(blocks) }, (_, i) => g.searchBlock(i));
    await open.redis.multi().del(g.searchMeta, g.searchGrams, ...blockKeys).srem(g.registry, g.searchMeta, g.searchGrams, ...blockKeys).sadd(g.registry, g.text).exec();
  }

  it('finds the same items in the same order as the bigram index did, across blocks, with exact totals', async () => {
    const L = newId();
    const doc = syntheticDoc(L, 2, 60, 10); // 1,320 rows: three blocks
    await open.services.ledgers.saveDoc(doc, undefined, fast);
    const g = await open.services.ledgers.generation(L);
    expect(await open.redis.get(g.searchMeta)).toBe(`1320:${SEARCH_BLOCK_ROWS}:ga`);
    expect(await open.redis.exists(g.text, g.gram('制度'))).toBe(0);
    const all = await rows(open, L);
    const keywords = ['制度', '规范台账管理', '管理完善', '第1199条', '（第 77 条）', '问题2.3', '台账执行', '不存在的词语'];
    const blockHits = new Map<string, unknown>();
    for (const q of keywords) {
      const want = expected(all, q);
      const hits = await searchGeneration(open.redis, g, q, 20);
      expect(hits, q).toEqual({ total: want.length, exact: true, ids: want.slice(0, 20) });
      blockHits.set(q, hits);
    }
    // Blocks without the bigram bitmaps (the first block layout) are all scanned, with the same answers.
    const bitmaps = await open.redis.hgetallBuffer(g.searchGrams);
    expect(Object.keys(bitmaps).length).toBeGreaterThan(20);
    // A bigram's bitmap marks exactly the blocks of 500 titles that hold it (第1: the first and third here).
    const holding = [0, 1, 2].filter((b) => all.slice(b * SEARCH_BLOCK_ROWS, (b + 1) * SEARCH_BLOCK_ROWS).some((i) => searchText(i.title).includes('第1')));
    expect(holding).toEqual([0, 2]);
    expect([...bitmaps['第1']!]).toEqual([0b10100000]);
    await open.redis.multi().set(g.searchMeta, `1320:${SEARCH_BLOCK_ROWS}`).del(g.searchGrams).exec();
    for (const q of keywords) expect(await searchGeneration(open.redis, g, q, 20), q).toEqual(blockHits.get(q));
    // The same ledger in the older layout answers every keyword identically (read path kept for old generations).
    await toBigramLayout(L);
    expect(await open.redis.exists(g.searchMeta)).toBe(0);
    for (const q of keywords) expect(await searchGeneration(open.redis, g, q, 20, { upgrade: false }), q).toEqual(blockHits.get(q));
    // The upgrade in place writes the same blocks and drops the bigram sets and the text hash.
    expect(await upgradeSearchIndex(open.redis, g)).toBe(true);
    expect(await open.redis.get(g.searchMeta)).toBe(`1320:${SEARCH_BLOCK_ROWS}:ga`);
    expect(await open.redis.exists(g.text, g.gram('制度'), g.gram('台账'))).toBe(0);
    expect((await open.redis.smembers(g.registry)).filter((key) => key.startsWith(`${g.prefix}g:`) || key === g.text)).toEqual([]);
    expect(await open.redis.sismember(g.registry, g.searchBlock(2))).toBe(1);
    expect(await open.redis.exists(lk.lock(L))).toBe(0);
    for (const q of keywords) expect(await searchGeneration(open.redis, g, q, 20), q).toEqual(blockHits.get(q));
    expect(await upgradeSearchIndex(open.redis, g)).toBe(false);
    // A search of an old-layout generation starts the upgrade by itself.
    await toBigramLayout(L);
    expect(await searchGeneration(open.redis, g, '规范台账管理', 20)).toEqual(blockHits.get('规范台账管理'));
    await waitFor(async () => (await open.redis.exists(g.searchMeta)) === 1 && (await open.redis.exists(lk.lock(L))) === 0, { timeoutMs: 25_000, what: 'the upgrade in the background' });
    expect(await open.redis.exists(g.text, g.gram('制度'))).toBe(0);
    // A re-import writes title blocks again and leaves no bigram key behind.
    await open.services.ledgers.saveDoc(doc, undefined, fast);
    const g2 = await open.services.ledgers.generation(L);
    expect(g2.gen).toBeGreaterThan(g.gen);
    expect(await open.redis.exists(g2.searchMeta)).toBe(1);
    expect(await open.redis.exists(g.text, g.gram('制度'), g.searchMeta, g.searchBlock(0))).toBe(0);
    expect(await searchGeneration(open.redis, g2, '规范台账管理', 20)).toEqual(blockHits.get('规范台账管理'));
  });

  it('counts a match only inside a title, never inside the id stored beside it', async () => {
    const L = newId();
    const doc: LedgerDoc = syntheticDoc(L, 12, 2, 2);
    for (const x of [...doc.problems, ...doc.measures]) x.title = x.level === 'problem' ? '问题标题' : '落实整改措施';
    doc.measures[doc.measures.length - 1].title = '第12次专题会议';
    await open.services.ledgers.saveDoc(doc, undefined, fast);
    const g = await open.services.ledgers.generation(L);
    // Ids of aspect 12 are "12.1", "12.1.1", …: stored in the rows, but only the one title says 12.
    expect(await searchGeneration(open.redis, g, '12', 20)).toEqual({ total: 1, exact: true, ids: [doc.measures[doc.measures.length - 1].id] });
    expect((await searchGeneration(open.redis, g, '措施', 20)).total).toBe(doc.measures.length - 1);
    expect(await searchGeneration(open.redis, g, '车', 20)).toEqual({ total: 0, exact: true, ids: [] });
    // Ids that are not ASCII (a JSON import may name them freely): a Chinese needle is checked against them too.
    const L2 = newId();
    const d2: LedgerDoc = structuredClone({ ...doc, ledger: { ...doc.ledger, id: L2 } });
    const rename = (id: string) => `号${id}`;
    for (const a of d2.aspects) a.id = rename(a.id);
    for (const p of d2.problems) p.id = rename(p.id);
    for (const m of d2.measures) { m.id = rename(m.id); m.problemId = rename(m.problemId); }
    await open.services.ledgers.saveDoc(d2, undefined, fast);
    const g2 = await open.services.ledgers.generation(L2);
    expect(await open.redis.get(g2.searchMeta)).toMatch(/:g$/);
    expect(await searchGeneration(open.redis, g2, '号1', 20)).toEqual({ total: 0, exact: true, ids: [] });
    expect(await searchGeneration(open.redis, g2, '措施', 1)).toEqual({ total: d2.measures.length - 1, exact: true, ids: [d2.measures[0].id] });
  });

  it(`counts exactly up to ${SEARCH_SCAN_CAP} matches, then estimates; the first 20 stay in document order`, async () => {
    const L = newId();
    const doc = syntheticDoc(L, 2, 500, 10); // 11,000 rows, all with 制度
    await open.services.ledgers.saveDoc(doc, undefined, fast);
    const g = await open.services.ledgers.generation(L);
    const all = await rows(open, L);
    const want = expected(all, '制度');
    const hits = await searchGeneration(open.redis, g, '制度', 20);
    expect(hits.exact).toBe(false);
    expect(hits.ids).toEqual(want.slice(0, 20));
    expect(Math.abs(hits.total - want.length) / want.length).toBeLessThan(0.05);
    // Fewer matches than the cap, spread over the whole ledger: every block is read and the total is exact.
    const rare = expected(all, '规范台账管理');
    expect(rare.length).toBeLessThan(SEARCH_SCAN_CAP);
    expect(await searchGeneration(open.redis, g, '规范台账管理', 20)).toEqual({ total: rare.length, exact: true, ids: rare.slice(0, 20) });
  });
});
