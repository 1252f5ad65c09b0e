import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { Pipeline } from 'ioredis';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { leanMatchesPipeline } from '../../src/store/lean-pipeline.js';
import { script } from '../../src/store/scripts.js';
import { TARGETS, testTarget } from '../helpers/redis.js';

type Results = Array<[Error | null, unknown]> | null;
/** Errors compared by message: two pipelines' replies are equal when they say the same. */
const plain = (r: Results) => (r ?? []).map(([e, v]) => [e ? e.message : null, v]);

/**
 * Our clients build pipelines (and so auto-pipelines) as LeanPipeline (src/store/lean-pipeline.ts):
 * ioredis's Pipeline without its per-pipeline `length` accessor, which kept every pipeline and
 * all it referenced alive through V8's scavenges. They must answer exactly as ioredis's own.
 */
describe.each(TARGETS)('lean pipelines on %s Redis', (target) => {
  let redis: RedisClient;
  const tag = `{lp-${randomUUID().slice(0, 8)}}`;
  const k = (s: string) => `rb:${tag}:${s}`;
  beforeAll(async () => {
    redis = connectRedis(testTarget(target));
    await waitReady(redis);
  });
  afterAll(() => redis.disconnect());

  it('are ioredis pipelines whose length is a getter of their prototype', () => {
    expect(leanMatchesPipeline(redis)).toBe(true);
    const p = redis.pipeline();
    expect(p).toBeInstanceOf(Pipeline);
    expect(Object.getOwnPropertyDescriptor(p, 'length')).toBeUndefined();
    p.set(k('a'), '1').get(k('a'));
    expect(p.length).toBe(2);
    const real = new Pipeline(redis as never);
    expect(Object.getOwnPropertyDescriptor(real, 'length')?.get).toBeTypeOf('function');
  });

  it('keep their own properties out of dictionary mode, unlike ioredis\'s (V8 intrinsic)', () => {
    setFlagsFromString('--allow-natives-syntax');
    const fast = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
    expect(fast(new Pipeline(redis as never))).toBe(false);
    expect(fast(redis.pipeline())).toBe(true);
  });

  it('answer a batch as ioredis\'s own pipeline does, errors included', async () => {
    await redis.del(k('s'), k('h'), k('n'));
    const fill = (p: ReturnType<RedisClient['pipeline']>) => p
      .set(k('s'), 'x').get(k('s')).incr(k('s')).hset(k('h'), 'f', '1', 'g', '2').hgetall(k('h'))
      .incrby(k('n'), 5).get(k('missing')).del(k('s'));
    const lean = plain(await fill(redis.pipeline()).exec());
    await redis.del(k('s'), k('h'), k('n'));
    const real = plain(await fill(new Pipeline(redis as never) as unknown as ReturnType<RedisClient['pipeline']>).exec());
    expect(lean).toEqual(real);
    expect(lean[2]![0]).toMatch(/not an integer/);
    expect(lean[4]![1]).toEqual({ f: '1', g: '2' });
  });

  it('take a batch given as arrays, and MULTI is still ioredis\'s own', async () => {
    expect(plain(await redis.pipeline([['set', k('b'), '7'], ['incr', k('b')], ['get', k('b')]]).exec())).toEqual([[null, 'OK'], [null, 8], [null, '8']]);
    expect(plain(await redis.multi().set(k('m'), '1').incr(k('m')).exec())).toEqual([[null, 'OK'], [null, 2]]);
  });

  it('run scripts, which are no longer copied onto the client or into each pipeline', async () => {
    const name = `rbTestLean${tag.replace(/[^a-z0-9]/gi, '')}`;
    const ADD = script<number>(name, "return redis.call('INCRBY', KEYS[1], ARGV[1])", 1);
    await redis.set(k('c'), '1');
    // Several in one turn: on a single Redis one auto-pipeline (its first use on the connection is an EVAL).
    expect(await Promise.all([ADD.run(redis, [k('c')], [2]), ADD.run(redis, [k('c')], [3]), redis.get(k('c'))])).toEqual(
      target === 'single' ? [3, 6, '6'] : [expect.any(Number), expect.any(Number), expect.any(String)],
    );
    expect(await redis.get(k('c'))).toBe('6');
    expect(name in redis).toBe(false);
    expect(name in redis.pipeline()).toBe(false);
  });
});
