import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { byDeadline } from '../../src/commands/format.js';
import { addDays, dayNumber } from '../../src/ledger/dates.js';
import { isClosed, isDone } from '../../src/ledger/status.js';
import type { Measure } from '../../src/ledger/types.js';
import { isCluster, type RedisClient } from '../../src/store/redis.js';
import type { GenKeys } from '../../src/store/ledger-keys.js';
import { every, openOnes, unclosedOnes, type Keep } from '../../src/store/list-select.js';
import { scanMeasures, type Condition } from '../../src/store/list-scan.js';
import { GenerationMoved } from '../../src/store/read-scripts.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { testTarget, TARGETS } from '../helpers/redis.js';

// Lists ranked where their ids are (src/store/list-scan.ts), against the same lists computed here from
// the document: exact counts and the first lines, whichever condition drives and however small the pages.
const TODAY = '2026-11-22';
const day = dayNumber(TODAY);
const date = (m: Measure) => (m.deadline.type === 'date' ? m.deadline.date : undefined);
const dueIn = (m: Measure, from: number | '-inf', to: number) => {
  const d = date(m);
  return !isClosed(m.status) && !!d && (from === '-inf' || dayNumber(d) >= from) && dayNumber(d) <= to;
};

describe.each(TARGETS)('lists ranked in Redis on %s Redis', (target) => {
  let open: OpenServices;
  let redis: RedisClient;
  const L = `lscan-${randomUUID().slice(0, 6)}`;
  const doc = syntheticDoc(L, 5, 20, 10, TODAY); // 1,000 measures
  let g: GenKeys;
  beforeAll(async () => {
    open = await openServices({ redisUrl: testTarget(target) });
    redis = open.redis;
    await open.services.ledgers.saveDoc(doc, undefined, { awaitCleanup: true });
    g = await open.services.ledgers.generation(L);
  });
  afterAll(async () => { await open.close(); });

  /** Keys of the ledger left behind by list reads (the temporary sets), on every master. */
  async function tmpKeys(): Promise<string[]> {
    const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
    const out: string[] = [];
    for (const n of nodes) out.push(...(await n.keys(`rb:{${L}}:*tmp:*`)));
    return out;
  }

  const expectSame = (got: { total: number; open: number; kept: number; measures: Measure[] }, all: Measure[], keep: Keep, limit: number) => {
    const kept = all.filter((m) => keep(m)).sort(byDeadline);
    expect({ total: got.total, open: got.open, kept: got.kept }).toEqual({ total: all.length, open: all.filter((m) => !isDone(m.status)).length, kept: kept.length });
    expect(got.measures.map((m) => m.id)).toEqual(kept.slice(0, limit).map((m) => m.id));
  };

  it('a union of sets (an owner, a leader, a department) counts each measure once, in pages of any size', async () => {
    const conds: Condition[] = [{ sets: [g.owner('陈敏'), g.leader('李程'), g.dept('政治部')] }];
    const all = doc.measures.filter((m) => m.owners.includes('陈敏') || m.leaders.includes('李程') || m.departments.includes('政治部'));
    expect(all.length).toBeGreaterThan(400);
    for (const chunk of [1, 37, 500]) {
      for (const [keep, limit] of [[every, 20], [openOnes, 20], [openOnes, 0], [unclosedOnes, 300]] as const) {
        expectSame(await scanMeasures(redis, g, conds, limit, keep, { chunk }), all, keep, limit);
      }
    }
    expect(await tmpKeys()).toEqual([]);
  });

  it('a deadline range with sets: driven by the smaller side, counted exactly either way', async () => {
    // 逾期 of a department: the department (125) is smaller than the overdue range.
    const overdue: Condition = { due: { from: '-inf', to: day - 1 } };
    const dept = doc.measures.filter((m) => m.departments.includes('执行局'));
    for (const chunk of [7, 500]) {
      expectSame(await scanMeasures(redis, g, [{ sets: [g.dept('执行局')] }, overdue], 20, unclosedOnes, { chunk }), dept.filter((m) => dueIn(m, '-inf', day - 1)), unclosedOnes, 20);
    }
    // 临期 4 of two statuses: the range (a few dozen) is smaller than the statuses' sets (hundreds).
    const soon: Condition = { due: { from: day, to: dayNumber(addDays(TODAY, 4)) } };
    const sts = doc.measures.filter((m) => m.status === '推进中' || m.status === '未启动');
    const want = sts.filter((m) => dueIn(m, day, dayNumber(addDays(TODAY, 4))));
    expect(want.length).toBeGreaterThan(10);
    for (const chunk of [3, 500]) {
      expectSame(await scanMeasures(redis, g, [{ sets: [g.byStatus('推进中'), g.byStatus('未启动')] }, soon], 5, unclosedOnes, { chunk }), want, unclosedOnes, 5);
    }
    // The range alone.
    expectSame(await scanMeasures(redis, g, [overdue], 20, unclosedOnes, { chunk: 50 }), doc.measures.filter((m) => dueIn(m, '-inf', day - 1)), unclosedOnes, 20);
    expect(await tmpKeys()).toEqual([]);
  });

  it('ids leaving the deadline index between pages: the ones read stay counted, the others are not skipped', async () => {
    const to = day + 30;
    const want = doc.measures.filter((m) => dueIn(m, day, to));
    const inRange = await redis.zrangebyscore(g.due, day, to);
    expect(inRange.length).toBe(want.length);
    const chunk = 40;
    // After the first page: the last id it read and its first one leave the index (ranks shift under
    // the cursor); both were counted already. Put back afterwards.
    const gone = [inRange[chunk - 1]!, inRange[0]!];
    const scores = await Promise.all(gone.map((id) => redis.zscore(g.due, id)));
    try {
      const r = await scanMeasures(redis, g, [{ due: { from: day, to } }], 20, unclosedOnes, {
        chunk, onPage: async (n) => { if (n === 1) await redis.zrem(g.due, ...gone); },
      });
      expect(r.kept).toBe(want.length);
    } finally {
      await redis.zadd(g.due, Number(scores[0]), gone[0]!, Number(scores[1]), gone[1]!);
    }
  });

  it('closed measures found in the deadline index are not counted as overdue', async () => {
    // A stale index entry: a done measure of 计划财务装备科 with an overdue score.
    const dept = '计划财务装备科';
    const done = doc.measures.find((m) => m.departments.includes(dept) && isDone(m.status) && date(m))!;
    await redis.zadd(g.due, day - 5, done.id);
    try {
      // Driven by the department (the overdue range is bigger), then by the range (one day: smaller).
      for (const [from, to] of [['-inf', day - 1], [day - 5, day - 5]] as const) {
        const want = doc.measures.filter((m) => m.departments.includes(dept) && dueIn(m, from, to));
        const r = await scanMeasures(redis, g, [{ sets: [g.dept(dept)] }, { due: { from, to } }], 20, unclosedOnes, { chunk: 30 });
        expect(r.kept).toBe(want.length);
        expect(r.total).toBe(want.length + 1);
        expect(r.measures.map((m) => m.id)).not.toContain(done.id);
      }
    } finally {
      await redis.zrem(g.due, done.id);
    }
  });

  it('a re-import during the paging throws GenerationMoved, and the temporary set is gone', async () => {
    const conds: Condition[] = [{ sets: [g.dept('政治部')] }];
    await expect(scanMeasures(redis, g, conds, 20, openOnes, {
      chunk: 10,
      onPage: async (n) => {
        if (n !== 2) return;
        expect(await tmpKeys()).toHaveLength(1);
        await open.services.ledgers.saveDoc(doc, undefined, { graceMs: 60_000 });
      },
    })).rejects.toBeInstanceOf(GenerationMoved);
    expect(await tmpKeys()).toEqual([]);
    // The new generation reads as the old did.
    const now = await open.services.ledgers.generation(L);
    expect(now.gen).toBeGreaterThan(g.gen);
    const r = await scanMeasures(redis, now, [{ sets: [now.dept('政治部')] }], 20, openOnes);
    expectSame(r, doc.measures.filter((m) => m.departments.includes('政治部')), openOnes, 20);
    g = now;
  });

  it('the temporary set lives in the ledger\'s slot, expires on its own and is deleted at the end', async () => {
    let seen: string[] = [];
    let ttl = 0;
    await scanMeasures(redis, g, [{ sets: [g.dept('政治部')] }], 20, every, {
      chunk: 20,
      onPage: async (n) => { if (n === 1) { seen = await tmpKeys(); ttl = await redis.ttl(seen[0]!); } },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.startsWith(`${g.prefix}tmp:`)).toBe(true);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await tmpKeys()).toEqual([]);
  });
});
