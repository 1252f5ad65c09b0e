import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';
import { fixedClock } from '../../src/core/clock.js';
import { byDeadline } from '../../src/commands/format.js';
import { isClosed, isDone } from '../../src/ledger/status.js';
import type { Measure } from '../../src/ledger/types.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { genKeys } from '../../src/store/ledger-keys.js';
import { CLOSED_STATUSES, DONE_STATUSES, openOnes, SELECT_CHUNK, selectMeasures, unclosedOnes } from '../../src/store/list-select.js';
import { STATUSES } from '../../src/ledger/types.js';
import { GenerationMoved } from '../../src/store/read-scripts.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { testRedisUrl } from '../helpers/redis.js';

// The plain lists (我的, 部门, 领导, 待销号) on 5,000 measures: counted exactly, the first 20 by
// deadline read whole, the rest ranked by their order fields only (src/store/list-select.ts).
let open: OpenServices;
let pipeline: Pipeline;
let redis: RedisClient;
const L = `lbig-${randomUUID().slice(0, 6)}`;
const doc = syntheticDoc(L, 5, 100, 10);
doc.measures.forEach((m, n) => {
  // 李程's measures: undated 立行立改 and long-term ones, so order falls to the numeric id (1.10.x after 1.9.x).
  if (m.leaders[0] === '李程') m.deadline = n % 2 ? { type: 'immediate' } : { type: 'longterm' };
  // 25 awaiting review: more than a reply lists.
  if (n % 200 === 7) m.status = '待销号';
  // 黄河 owns five measures, two of them done: the small list read whole in one round trip.
  if (n % 1000 === 3) { m.owners = ['黄河']; m.status = n < 2000 ? '已完成' : '推进中'; }
});
beforeAll(async () => {
  open = await openServices({ redisUrl: testRedisUrl(), clock: fixedClock('2026-11-22T02:00:00Z') });
  redis = connectRedis(testRedisUrl());
  await open.services.ledgers.saveDoc(doc, undefined, { awaitCleanup: true });
  await open.services.directory.putUsers([
    { platform: 'console', userId: 'chen', name: '陈敏', department: '政治部', role: 'owner' },
    { platform: 'console', userId: 'huang', name: '黄河', department: '', role: 'leader' },
    { platform: 'console', userId: 'wang', name: '王静', department: '综合办公室', role: 'office' },
  ]);
  await open.services.directory.bind({ platform: 'console', chatId: L, ledgerId: L, channel: {}, boundAt: new Date().toISOString() });
  pipeline = createPipeline({ services: open.services, logger: silentLogger(), metrics: new Metrics(), claim: open.claim });
});
afterAll(async () => { redis.disconnect(); await open.close(); });

const say = async (text: string, senderId = 'v') => (await pipeline.handle({ platform: 'console', chatId: L, chatType: 'group', messageId: randomUUID(), senderId, text }))!.text;
const listed = (t: string) => t.split('\n').filter((l) => l.startsWith('- '));

/** The reply lists exactly these measures' codes, in this order, and counts `total` (what the whole read gave). */
function expectList(t: string, want: Measure[]) {
  const total = want.length;
  expect(t).toContain(`（${total}项）`);
  const lines = listed(t);
  expect(lines).toHaveLength(Math.min(20, total));
  want.slice(0, 20).forEach((m, i) => expect(lines[i], `line ${i}`).toContain(` ${m.code} `));
  if (total > 20) expect(t).toContain(`另有${total - 20}项未列出`);
  else expect(t).not.toContain('另有');
}

describe('plain lists on a large ledger', () => {
  it('我的 of an owner counts every open measure of hers and her department and lists the earliest 20', async () => {
    const mine = doc.measures.filter((m) => m.owners.includes('陈敏') || m.leaders.includes('陈敏') || m.departments.includes('政治部'));
    const openOnes = mine.filter((m) => !isDone(m.status)).sort(byDeadline);
    expect(openOnes.length).toBeGreaterThan(500);
    const t = await say('我的', 'chen');
    expect(t).toContain('陈敏负责的未完成事项');
    expectList(t, openOnes);
    expect(t).toContain('更新进展：进展 编号 说明');
    // The store's counts are the same as the ledger's.
    const r = await open.services.ledgers.listRead(L, { person: '陈敏', dept: '政治部' }, { openOnly: true });
    expect({ total: r.total, open: r.open, deptCount: r.deptCount }).toEqual({
      total: mine.length, open: openOnes.length, deptCount: doc.measures.filter((m) => m.departments.includes('政治部')).length,
    });
  });

  it('部门 and 领导 list all their measures, done or not, by deadline then numeric id', async () => {
    const dept = doc.measures.filter((m) => m.departments.includes('执行局')).sort(byDeadline);
    expectList(await say('部门 执行局'), dept);
    // Found by part of its name (审判管理 → 审判管理办公室).
    expectList(await say('部门 审判管理'), doc.measures.filter((m) => m.departments.includes('审判管理办公室')).sort(byDeadline));
    const li = doc.measures.filter((m) => m.leaders.includes('李程')).sort(byDeadline);
    expect(li[0]!.deadline.type).toBe('immediate');
    expect(li.slice(0, 20).map((m) => m.id).slice(3, 6)).toEqual(['1.3.4', '1.3.10', '1.4.6']);
    expectList(await say('领导 李程'), li);
  });

  it('待销号 (and 我的 from the office) counts the 25 awaiting review and lists 20', async () => {
    const review = doc.measures.filter((m) => m.status === '待销号').sort(byDeadline);
    expect(review).toHaveLength(25);
    expectList(await say('待销号'), review);
    const t = await say('我的', 'wang');
    expect(t).toContain('待销号事项');
    expectList(t, review);
  });

  it('a short list is read whole: 黄河 has three open of five', async () => {
    const his = doc.measures.filter((m) => m.owners.includes('黄河'));
    expect(his).toHaveLength(5);
    expectList(await say('我的', 'huang'), his.filter((m) => !isDone(m.status)).sort(byDeadline));
    const r = await open.services.ledgers.listRead(L, { person: '黄河' }, { openOnly: true });
    expect([r.total, r.open]).toEqual([5, 3]);
  });

  it('a ranked read of a generation that a re-import replaced throws GenerationMoved', async () => {
    const before = await open.services.ledgers.generation(L);
    const ids = await open.services.ledgers.idsByDepartment(L, '政治部');
    await open.services.ledgers.saveDoc(doc, undefined, { graceMs: 0 });
    const now = await open.services.ledgers.generation(L);
    expect(now.gen).not.toBe(before.gen);
    await expect(selectMeasures(redis, genKeys(L, before.gen), ids, 20)).rejects.toBeInstanceOf(GenerationMoved);
    const fresh = await selectMeasures(redis, now, ids, 20);
    expect(fresh.total).toBe(ids.length);
    expect(fresh.measures.map((m) => m.id)).toEqual(doc.measures.filter((m) => m.departments.includes('政治部')).sort(byDeadline).slice(0, 20).map((m) => m.id));
  });

  it('ranked in Redis, the lists agree with a ranking of every measure decoded here (all, open, unclosed; 0 to 700 lines)', async () => {
    // Every status isDone counts as done is the script's, and only those.
    expect(DONE_STATUSES.split(',').sort()).toEqual(STATUSES.filter((st) => isDone(st)).sort());
    expect(CLOSED_STATUSES.split(',').sort()).toEqual(STATUSES.filter((st) => isClosed(st)).sort());
    const g = await open.services.ledgers.generation(L);
    const ids = await open.services.ledgers.idsByDepartment(L, '政治部');
    const mine = doc.measures.filter((m) => m.departments.includes('政治部'));
    expect(ids.length).toBeGreaterThan(SELECT_CHUNK); // more than one chunk
    // A custom keep is decided in JS from the same fields: the reference the script must match.
    const openHere = (m: Pick<Measure, 'status' | 'deadline'>) => !isDone(m.status);
    for (const limit of [0, 1, 20, 700]) {
      const inRedis = await selectMeasures(redis, g, ids, limit, openOnes);
      const here = await selectMeasures(redis, g, ids, limit, openHere);
      expect(inRedis).toEqual(here);
      const open = mine.filter((m) => !isDone(m.status)).sort(byDeadline);
      expect([inRedis.total, inRedis.open, inRedis.kept]).toEqual([mine.length, open.length, open.length]);
      expect(inRedis.measures.map((m) => m.id)).toEqual(open.slice(0, limit).map((m) => m.id));
      const unclosed = await selectMeasures(redis, g, ids, limit, unclosedOnes);
      expect(unclosed).toEqual(await selectMeasures(redis, g, ids, limit, (m) => !isClosed(m.status)));
      expect(unclosed.kept).toBe(mine.filter((m) => !isClosed(m.status)).length);
      const all = await selectMeasures(redis, g, ids, limit);
      expect(all.kept).toBe(mine.length);
      expect(all.measures.map((m) => m.id)).toEqual([...mine].sort(byDeadline).slice(0, limit).map((m) => m.id));
    }
  });
});
