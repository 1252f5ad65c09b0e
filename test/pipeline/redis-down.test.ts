import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countAll } from '../../src/ledger/counters.js';
import { createHttpApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/core/logger.js';
import { makeWorld, type World } from '../helpers/world.js';
import { waitFor } from '../helpers/wait.js';
// @ts-expect-error plain ESM helper without types
import { startRedis, freePort } from '../../scripts/redis.mjs';

/** A private, persistent redis-server this test may kill. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-down-'));
let w: World | undefined;
afterAll(async () => {
  await w?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis killed mid-run', () => {
  it('replies say the service is unavailable, /healthz says down, and nothing is half-written', async () => {
    const port = await freePort();
    let redis = await startRedis({ dir, port, persist: true });
    w = await makeWorld({ redisUrl: redis.url });
    const { app } = createHttpApp({ logger: silentLogger(), metrics: w.metrics, redisPing: async () => (await w!.open.redis.ping()) === 'PONG' });
    const server = app.listen(0);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/healthz`;
    expect((await fetch(url)).status).toBe(200);

    // Four writers in a loop; redis-server is killed (SIGKILL) once 10 writes were acknowledged.
    const replies: Array<{ text: string } | null> = [];
    let acked = 0;
    let i = 0;
    const writer = async () => {
      while (i < 60) {
        const n = i++;
        const r = await w!.say('office', `进展 二.${(n % 3) + 1}.1 第${n}次推进`);
        replies.push(r);
        if (r!.text.includes('已记录进展') && ++acked === 10) redis.child.kill('SIGKILL');
      }
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    await waitFor(async () => (await fetch(url)).status === 503, { what: '/healthz to report Redis down' });
    const down = await w.say('owner', '进度');
    expect(down!.text).toContain('服务暂时不可用');
    expect(replies.every((r) => r!.text.includes('已记录进展') || r!.text.includes('服务暂时不可用'))).toBe(true);
    const health = await fetch(url);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'degraded', redis: 'down' });
    expect((await w.metrics.redisErrors.get()).values[0].value).toBeGreaterThan(0);
    const refused = replies.filter((r) => r!.text.includes('服务暂时不可用')).length;
    expect(acked).toBeGreaterThanOrEqual(10);
    expect(refused).toBeGreaterThan(0);

    // Same data dir, append-only with fsync always: every acknowledged write is there, counters agree.
    redis = await startRedis({ dir, port, persist: true });
    await waitFor(async () => (await fetch(url)).status === 200, { timeoutMs: 15_000, what: 'the client to reconnect' });
    const acknowledged = replies.filter((r) => r!.text.includes('已记录进展')).length;
    const events = await w.open.services.ledgers.events(w.ledgerId);
    // Acknowledged writes all survive; a write in flight at the kill may or may not have landed.
    const landed = events.filter((e) => e.action === '进展').length;
    expect(landed).toBeGreaterThanOrEqual(acknowledged);
    expect(landed).toBeLessThanOrEqual(acknowledged + 4);
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const want = countAll(doc.problems, doc.measures);
    const have = await w.open.services.ledgers.counters(w.ledgerId);
    expect(have).toEqual(want);
    expect((await w.say('owner', '进度'))!.text).toContain('21条整改措施');
    server.close();
    await redis.stop();
  }, 30000);
});
