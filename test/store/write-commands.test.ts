import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Measure, Status } from '../../src/ledger/types.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { emptyWrite, runAtomic } from '../../src/store/atomic.js';
import { dynamicIndexes } from '../../src/store/indexes.js';
import type { Redis } from '../../src/store/redis.js';
import { TARGETS, testTarget } from '../helpers/redis.js';
// @ts-expect-error plain ESM helper without types
import { freePort, startRedis } from '../../scripts/redis.mjs';

const actor = { platform: 'console', userId: 'office', name: '王静' };
const alias = (code: string) => aliasOf(parseCode(code)!);

/** Commands the server ran, by name (INFO commandstats counts a script's own commands too). */
async function commandCounts(r: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await r.info('commandstats')).matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}
const delta = (a: Record<string, number>, b: Record<string, number>) => {
  const d: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) if (v - (a[k] ?? 0)) d[k] = v - (a[k] ?? 0);
  return d;
};

/**
 * What a 进展 note costs Redis: the read for the write takes the measure's level and problem from
 * its hash and only the problem's fields a change uses; the write splices the note in the same HSET
 * as the other fields and leaves a deadline-index entry that stays as it was alone.
 */
describe('a 进展 note, command by command (private redis-server: INFO commandstats is server-wide)', () => {
  const dirTmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-writecmds-'));
  let server: { url: string; stop(): Promise<void> };
  let open: OpenServices;
  const L = `wc-${randomUUID().slice(0, 8)}`;
  const doc = buildDemoDoc(L);
  beforeAll(async () => {
    server = await startRedis({ dir: dirTmp, port: await freePort() });
    open = await openServices({ redisUrl: `${server.url}/1` });
    await open.services.ledgers.saveDoc(doc);
  });
  afterAll(async () => {
    await open.close();
    await server.stop();
    rmSync(dirTmp, { recursive: true, force: true });
  });

  const note = (text: string) => (m: Measure) => ({ action: '进展', status: m.status, note: text });

  it('a note on a closed measure of a problem with siblings: 2 scripts, 19 commands in all (24 before)', async () => {
    const p = doc.problems.find((x) => doc.measures.filter((m) => m.problemId === x.id).length === 5)!;
    const m = doc.measures.find((x) => x.problemId === p.id)!;
    await open.services.changes.applyByAlias(L, alias(m.code), actor, randomUUID(), note('预热'));
    // The import clears the generation it replaced in the background (SCAN, UNLINK): measured once that is over.
    let d: Record<string, number> = {};
    let r: unknown;
    for (let i = 0; i < 20; i++) {
      const c0 = await commandCounts(open.redis as Redis);
      r = await open.services.changes.applyByAlias(L, alias(m.code), actor, randomUUID(), note('按编号记录'));
      d = delta(c0, await commandCounts(open.redis as Redis));
      delete d.info;
      if (!d.scan && !d.unlink) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(r).toMatchObject({ after: { status: m.status }, problemBefore: p.status, problemAfter: p.status });
    // Read: GET gen, HGET codes, HGETALL measure, HMGET problem, 4 sibling HGETs (5 HGETs).
    // Write: GET gen, HGET version, EXISTS applied, XADD, HGET notes, one HSET, RPUSH, SET undo, SET applied (2 HGETs).
    expect(d).toEqual({ evalsha: 2, get: 2, hget: 7, hgetall: 1, hmget: 1, exists: 1, xadd: 1, hset: 1, rpush: 1, set: 2 });
  });
});

describe.each(TARGETS)('%s Redis: the write script', (target) => {
  let open: OpenServices;
  beforeAll(async () => { open = await openServices({ redisUrl: testTarget(target) }); });
  afterAll(async () => { await open.close(); });

  it('a spliced field is written with its key\'s other fields; a field set by the entry itself still wins', async () => {
    const tag = `{w-${randomUUID().slice(0, 8)}}`;
    const a = `t:${tag}:a`, b = `t:${tag}:b`;
    await open.redis.hset(a, { notes: '[{"n":1},{"n":2}]', title: 'x', version: '1' });
    await open.redis.hset(b, { notes: '[{"n":1}]', version: '7' });
    const w = emptyWrite();
    w.guards.push([a, 1], [b, 7]);
    w.hsplice = [[a, 'notes', '[{"n":0},', 2, 8, ']'], [a, 'title', 'y', 1, -1, ''], [b, 'notes', '[{"n":9},', 2, -1, '']];
    w.hset.push([a, { title: 'z', version: '2' }]);
    expect(await runAtomic(open.redis, w)).toMatchObject({ ok: true });
    expect(await open.redis.hgetall(a)).toEqual({ notes: '[{"n":0},{"n":1}]', title: 'z', version: '2' });
    // b has a splice and no hset entry: its field is written all the same.
    expect(await open.redis.hgetall(b)).toEqual({ notes: '[{"n":9},{"n":1}]', version: '7' });
  });

  it('a key used by several parts of one write is named once and each part reaches it', async () => {
    const tag = `{w-${randomUUID().slice(0, 8)}}`;
    const h = `t:${tag}:h`, s = `t:${tag}:s`, z = `t:${tag}:z`, list = `t:${tag}:l`, x = `t:${tag}:x`, once = `t:${tag}:once`, gone = `t:${tag}:gone`;
    await open.redis.hset(h, { version: '0', n: '1' });
    await open.redis.set(gone, '1');
    await open.redis.sadd(s, 'old');
    const w = emptyWrite();
    w.guards.push([h, 0]);
    w.hset.push([h, { version: '1' }]);
    w.hincr.push([h, 'n', 2]);
    w.sadd.push([s, 'a'], [s, 'b']);
    w.srem.push([s, 'old']);
    w.zadd.push([z, 5, 'm']);
    w.xadd = [x, { at: 't', note: 'n'.repeat(300) }];
    w.rpushEid.push(list);
    w.setex.push([`t:${tag}:undo`, '$EID', 60]);
    w.del.push(gone);
    w.once = [once, 60];
    const r = await runAtomic(open.redis, w);
    if (!r.ok) throw new Error(r.reason);
    expect(await open.redis.hgetall(h)).toEqual({ version: '1', n: '3' });
    expect((await open.redis.smembers(s)).sort()).toEqual(['a', 'b']);
    expect(await open.redis.zscore(z, 'm')).toBe('5');
    expect(await open.redis.lrange(list, 0, -1)).toEqual([r.eventId]);
    expect(await open.redis.get(`t:${tag}:undo`)).toBe(r.eventId);
    expect(await open.redis.get(once)).toBe(r.eventId);
    expect(await open.redis.exists(gone)).toBe(0);
    expect(await runAtomic(open.redis, w)).toEqual({ ok: false, reason: 'conflict' });
  });
});

describe.each(TARGETS)('%s Redis: the deadline index across changes', (target) => {
  let open: OpenServices;
  const L = `di-${randomUUID().slice(0, 8)}`;
  const doc = buildDemoDoc(L);
  beforeAll(async () => {
    open = await openServices({ redisUrl: testTarget(target) });
    await open.services.ledgers.saveDoc(doc);
  });
  afterAll(async () => { await open.close(); });

  /** The index as the import builds it from the measures now stored. */
  async function expected(): Promise<Record<string, number>> {
    const g = await open.services.ledgers.generation(L);
    const out: Record<string, number> = {};
    for (const m of doc.measures) {
      const now = (await open.services.ledgers.getItem(L, m.id)) as Measure;
      const d = dynamicIndexes(g, now);
      if (d.dueScore !== null) out[m.id] = d.dueScore;
    }
    return out;
  }
  async function stored(): Promise<Record<string, number>> {
    const g = await open.services.ledgers.generation(L);
    const flat = await open.redis.zrange(g.due, 0, -1, 'WITHSCORES');
    const out: Record<string, number> = {};
    for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = Number(flat[i + 1]);
    return out;
  }
  const set = (code: string, status: Status, extra: Record<string, unknown> = {}) => open.services.changes.applyByAlias(L, alias(code), actor, randomUUID(), () => ({ action: '测试', status, note: `${status}`, ...extra }));

  it('stays the open measures with a dated deadline, through notes, reopening, closing and a new deadline', async () => {
    const m = doc.measures.find((x) => x.deadline.type === 'date')!;
    expect(await stored()).toEqual(await expected());
    await set(m.code, m.status); // a note on a closed measure: no entry before, none after
    expect(await stored()).toEqual(await expected());
    await set(m.code, '推进中'); // reopened: its entry comes back
    expect((await stored())[m.id]).toBeDefined();
    await set(m.code, '推进中'); // a note on an open one: the entry stays
    await set(m.code, '推进中', { deadline: { type: 'date', date: '2031-06-30' } }); // moved
    expect(await stored()).toEqual(await expected());
    await set(m.code, '已完成'); // closed: gone
    expect((await stored())[m.id]).toBeUndefined();
    expect(await stored()).toEqual(await expected());
  });
});
