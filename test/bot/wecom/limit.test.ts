import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendError } from '../../../src/core/sender.js';
import { fingerprint, sleep, takeSlots } from '../../../src/bot/wecom/limit.js';
import { RedisRateLimiter } from '../../../src/store/limits.js';
import { connectRedis, waitReady } from '../../../src/store/redis.js';
import { testRedisUrl } from '../../helpers/redis.js';
import { uid } from './harness.js';

describe('wecom send limiter (real Redis)', () => {
  const redis = connectRedis(testRedisUrl());
  const limiter = new RedisRateLimiter(redis);
  beforeAll(() => waitReady(redis));
  afterAll(() => redis.disconnect());

  it('waits for a slot when the wait fits the budget', async () => {
    const key = uid('rl');
    const t0 = performance.now();
    await takeSlots(limiter, key, 2, 2, 1000, sleep, 300);
    await takeSlots(limiter, key, 2, 1, 1000, sleep, 300);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('throws rate_limited with the remaining wait when it does not', async () => {
    const key = uid('rl');
    await takeSlots(limiter, key, 2, 2, 0, sleep, 5000);
    const e = await takeSlots(limiter, key, 2, 1, 100, sleep, 5000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SendError);
    expect((e as SendError).kind).toBe('rate_limited');
    expect((e as SendError).retryAfterMs).toBeGreaterThan(4000);
  });

  it('takes every slot of a multi-part message before sending, and refuses more parts than the limit', async () => {
    const key = uid('rl');
    await expect(takeSlots(limiter, key, 3, 4, 0, sleep)).rejects.toMatchObject({ kind: 'fatal', code: 'too_many_parts' });
    await takeSlots(limiter, key, 3, 3, 0, sleep);
    await expect(takeSlots(limiter, key, 3, 1, 0, sleep)).rejects.toMatchObject({ kind: 'rate_limited' });
  });

  it('fingerprints keys without revealing them', () => {
    expect(fingerprint('secret-key')).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint('secret-key')).not.toBe(fingerprint('secret-kez'));
  });
});
