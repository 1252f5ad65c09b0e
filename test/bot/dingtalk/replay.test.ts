import { createHmac, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountHttpCallback } from '../../../src/bot/dingtalk/http-callback.js';
import type { DingtalkIntake } from '../../../src/bot/dingtalk/processor.js';
import type { RobotMessage } from '../../../src/bot/dingtalk/payload.js';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { onceKey, rememberOnce } from '../../../src/store/once.js';
import { connectRedis, waitReady, type RedisClient } from '../../../src/store/redis.js';
import { testRedisUrl } from '../../helpers/redis.js';
import { fixture } from './context.js';

const SECRET = `replay-secret-${randomUUID()}`;
// Computed here with node:crypto, independently of src/bot/dingtalk/signature.ts.
const sign = (ts: string) => createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64');

/** One instance: the real callback route on a Koa app; the intake records what it was handed (what would be persisted). */
async function instance(redis: RedisClient) {
  const kept: RobotMessage[] = [];
  const intake = { accept: async (m: RobotMessage) => { kept.push(m); return 'accepted'; }, idle: async () => {} } as unknown as DingtalkIntake;
  const router = new Router();
  mountHttpCallback(router, {
    appSecret: SECRET, clock: systemClock, logger: silentLogger(), intake,
    remember: (scope, id, value, ttlMs) => rememberOnce(redis, scope, id, value, ttlMs),
  });
  const app = new Koa();
  app.use(router.routes());
  const server: Server = await new Promise((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dingtalk/callback`;
  return {
    kept,
    post: (body: unknown, ts: string, s = sign(ts)) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', timestamp: ts, sign: s }, body: JSON.stringify(body) }),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('DingTalk HTTP mode: a captured (timestamp, sign) pair cannot carry another body', () => {
  let redis: RedisClient;
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;
  beforeAll(async () => {
    redis = connectRedis(testRedisUrl());
    await waitReady(redis);
    a = await instance(redis);
    b = await instance(redis);
  });
  afterAll(async () => { await a.close(); await b.close(); redis.disconnect(); });

  it('a replayed sign with another msgId is refused with 401 and nothing is kept, on any instance', async () => {
    const ts = String(Date.now() - 1000);
    const genuine = fixture('group-text');
    expect((await a.post(genuine, ts)).status).toBe(200);
    expect(a.kept.map((m) => m.msgId)).toEqual([genuine.msgId]);

    const forged = fixture('group-text', { text: { content: '销号 二.1.1' } });
    const r1 = await a.post(forged, ts);
    expect(r1.status).toBe(401);
    const r2 = await b.post(forged, ts);
    expect(r2.status).toBe(401);
    expect(a.kept).toHaveLength(1);
    expect(b.kept).toHaveLength(0);
  });

  it('the same sign with the same msgId (a platform retry) goes through to dedupe, on another instance too', async () => {
    const ts = String(Date.now() - 2000);
    const msg = fixture('group-text');
    expect((await a.post(msg, ts)).status).toBe(200);
    expect((await b.post(msg, ts)).status).toBe(200);
    expect(b.kept.at(-1)!.msgId).toBe(msg.msgId);
  });

  it('each sign is remembered with its msgId until its timestamp leaves the one-hour window', async () => {
    const ts = String(Date.now() - 30 * 60_000); // half an hour old: about 35 minutes left (30 + 5 margin)
    const msg = fixture('group-text');
    expect((await a.post(msg, ts)).status).toBe(200);
    const key = onceKey('dingtalk', sign(ts));
    expect(key).toMatch(/^rb:\{sig\}:dingtalk:/);
    expect(await redis.get(key)).toBe(msg.msgId);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(34 * 60_000);
    expect(ttl).toBeLessThanOrEqual(35 * 60_000);
  });

  it('a bad signature is refused before anything is remembered', async () => {
    const ts = String(Date.now() - 3000);
    const bad = sign(ts).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await a.post(fixture('group-text'), ts, bad)).status).toBe(401);
    expect(await redis.exists(onceKey('dingtalk', bad))).toBe(0);
  });

  it('when the sign cannot be remembered (Redis down) the answer is 503 and nothing is kept', async () => {
    const down = connectRedis(testRedisUrl());
    await waitReady(down);
    down.disconnect();
    const c = await instance(down);
    try {
      const r = await c.post(fixture('group-text'), String(Date.now() - 4000));
      expect(r.status).toBe(503);
      expect(c.kept).toHaveLength(0);
    } finally {
      await c.close();
    }
  });
});
