import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectRedis, isCluster, isRedisError, waitReady, type RedisClient } from '../../src/store/redis.js';
// @ts-expect-error plain ESM helper without types
import { startRedis, freePort } from '../../scripts/redis.mjs';
// @ts-expect-error plain ESM helper without types
import { startCluster } from '../../scripts/cluster.mjs';

interface Frozen { target: string; pid: number; key: string; stop(): Promise<void> }

/** A private server (or cluster) this test may freeze with SIGSTOP, and a key served by the frozen process. */
async function privateSingle(): Promise<Frozen> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-freeze-'));
  const r = await startRedis({ dir, port: await freePort() });
  return { target: r.url, pid: r.child.pid, key: 'k', stop: async () => { await r.stop(); rmSync(dir, { recursive: true, force: true }); } };
}
async function privateCluster(): Promise<Frozen> {
  const c = await startCluster({ masters: 3 });
  const probe = connectRedis(c.target);
  await waitReady(probe);
  // A key whose slot the first node serves.
  const slots = await probe.cluster('SLOTS');
  const [lo, hi] = slots.filter((s) => s[2][1] === c.ports[0]).map((s) => [s[0], s[1]])[0];
  let key = '';
  for (let i = 0; !key; i++) {
    const slot = Number(await probe.cluster('KEYSLOT', `k${i}`));
    if (slot >= lo && slot <= hi) key = `k${i}`;
  }
  probe.disconnect();
  return { target: c.target, pid: c.pids[0], key, stop: () => c.stop() };
}

describe.each([['single', privateSingle], ['cluster', privateCluster]] as const)('a frozen Redis (%s)', (_name, make) => {
  let f: Frozen;
  let redis: RedisClient;
  beforeAll(async () => {
    f = await make();
    redis = connectRedis(f.target);
    redis.on('error', () => undefined);
    await waitReady(redis);
  });
  afterAll(async () => {
    process.kill(f.pid, 'SIGCONT');
    redis.disconnect();
    await f.stop();
  });

  it('fails a command within the command timeout instead of hanging, and works again once Redis thaws', async () => {
    expect(isCluster(redis)).toBe(_name === 'cluster');
    await redis.set(f.key, 'before');
    process.kill(f.pid, 'SIGSTOP');
    const t0 = Date.now();
    const err = await redis.get(f.key).then(() => null, (e: unknown) => e);
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/timed out/i);
    expect(isRedisError(err)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(2000);
    process.kill(f.pid, 'SIGCONT');
    let v: string | null = null;
    for (let i = 0; i < 50 && v !== 'before'; i++) v = await redis.get(f.key).catch(() => null);
    expect(v).toBe('before');
  }, 20000);
});
