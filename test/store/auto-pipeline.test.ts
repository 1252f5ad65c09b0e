import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { script } from '../../src/store/scripts.js';
import { TARGETS, testTarget } from '../helpers/redis.js';

/**
 * The service's single-Redis clients auto-pipeline: every command of one event-loop turn goes
 * out in one write (never on a Cluster, see connectRedis; the script case is run there too). A Lua script used for the first time on a client while that turn's pipeline is already
 * collecting must still run (ioredis copies scripts into a pipeline only when it makes one).
 */
describe.each(TARGETS)('auto-pipelining on %s Redis', (target) => {
  let redis: RedisClient;
  let plain: RedisClient;
  const tag = `{ap-${randomUUID().slice(0, 8)}}`;
  beforeAll(async () => {
    redis = connectRedis(testTarget(target));
    plain = connectRedis(testTarget(target), { autoPipeline: false });
    await Promise.all([waitReady(redis), waitReady(plain)]);
  });
  afterAll(() => { redis.disconnect(); plain.disconnect(); });

  it('is on by default on a single Redis, off on request and always off on a Cluster', () => {
    // A Cluster client keeps its options on itself; a single client's are its connection's.
    expect(Boolean(redis.options.enableAutoPipelining)).toBe(target === 'single');
    expect(Boolean(plain.options.enableAutoPipelining)).toBe(false);
  });

  it('runs a script first used after other commands of the same turn', async () => {
    const key = `rb:${tag}:n`;
    const INCR_BY = script<number>(`rbTestApIncr${tag.replace(/[^a-z0-9]/gi, '')}`, `return redis.call('INCRBY', KEYS[1], ARGV[1])`, 1);
    // Same turn: a plain command opens this turn's pipeline, then the script is defined and called.
    const results = await Promise.all([
      redis.set(key, '10'),
      INCR_BY.run(redis, [key], [5]),
      INCR_BY.run(redis, [key], [2]),
      redis.get(key),
    ]);
    // In one auto-pipeline (a single Redis) the four run in the order given. Without one (a Cluster)
    // a script's first EVALSHA on a node fails NOSCRIPT and ioredis resends it as EVAL after the
    // later commands went out, so only the outcome is fixed there.
    if (target === 'single') expect(results).toEqual(['OK', 15, 17, '17']);
    else expect(Math.max(Number(results[1]), Number(results[2]))).toBe(17);
    expect(await redis.get(key)).toBe('17');
  });

  it('keeps each caller its own answer when many commands share one turn', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `rb:${tag}:k${i}`);
    await Promise.all(keys.map((k, i) => redis.set(k, String(i * 3))));
    const got = await Promise.all(keys.map((k) => redis.get(k)));
    expect(got).toEqual(keys.map((_, i) => String(i * 3)));
  });
});
