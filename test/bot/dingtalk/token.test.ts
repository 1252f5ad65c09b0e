import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenSource } from '../../../src/bot/dingtalk/token.js';
import { ManualClock } from '../../../src/core/clock.js';
import { SendError } from '../../../src/core/sender.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';

describe('AccessTokenSource through the fake token endpoint', () => {
  let fake: FakeDingtalk;
  const clock = new ManualClock('2026-03-02T09:00:00+08:00');
  beforeAll(async () => {
    fake = await FakeDingtalk.start({ now: () => clock.now().getTime() });
  });
  afterAll(() => fake.close());
  const source = (secret = fake.clientSecret) =>
    new AccessTokenSource({ fetch, clock, apiBase: fake.baseUrl, appKey: fake.clientId, appSecret: secret, timeoutMs: 300 });

  it('shares one refresh among concurrent callers and caches the token', async () => {
    const s = source();
    const before = fake.api.tokenRequests.length;
    const tokens = await Promise.all(Array.from({ length: 10 }, () => s.get()));
    expect(new Set(tokens).size).toBe(1);
    expect(await s.get()).toBe(tokens[0]);
    expect(fake.api.tokenRequests.length - before).toBe(1);
    expect(fake.api.tokenRequests.at(-1)).toEqual({ appKey: fake.clientId, appSecret: fake.clientSecret });
  });

  it('refreshes early, five minutes before expireIn runs out', async () => {
    const s = source();
    const first = await s.get();
    clock.advance((7200 - 301) * 1000);
    expect(await s.get()).toBe(first);
    clock.advance(2_000);
    expect(await s.get()).not.toBe(first);
  });

  it('invalidates only the token that was rejected', async () => {
    const s = source();
    const a = await s.get();
    s.invalidate(a);
    const b = await s.get();
    s.invalidate(a); // a late rejection of the old token must not drop the new one
    expect(await s.get()).toBe(b);
  });

  it('a failed refresh is not cached: the next call tries again', async () => {
    const s = source();
    fake.faults.push('token', { kind: 'hang' });
    await expect(s.get()).rejects.toMatchObject({ kind: 'retry', code: 'timeout' });
    expect(typeof (await s.get())).toBe('string');
  });

  it('wrong app credentials are a config error', async () => {
    const e = await source('wrong').get().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SendError);
    expect(e).toMatchObject({ kind: 'config' });
  });
});
