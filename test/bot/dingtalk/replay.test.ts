import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDingtalk, type DingtalkHandle } from '../../../src/bot/dingtalk/index.js';
import { onceKey } from '../../../src/store/once.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { TARGETS } from '../../helpers/redis.js';
import { fixture, makeAdapterEnv, until, type TestAdapterEnv } from './context.js';

// Computed here with node:crypto, independently of src/bot/dingtalk/signature.ts.
const signOf = (ts: string, secret: string) => createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');

/**
 * The whole HTTP-mode path (route, intake, durable inbound queue, worker) of two instances on one
 * Redis: on a single Redis the sign is checked and kept in the submit's own script, on a Cluster
 * by a SET NX before it (its key is in another slot). Either way the same key holds it.
 */
describe.each(TARGETS)('DingTalk HTTP mode on %s Redis: a captured (timestamp, sign) pair cannot carry another body', (target) => {
  let fake: FakeDingtalk;
  const envs: TestAdapterEnv[] = [];
  const handles: DingtalkHandle[] = [];
  let a: TestAdapterEnv;
  let b: TestAdapterEnv;
  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    for (let i = 0; i < 2; i++) {
      const env = await makeAdapterEnv({ env: fake.env({ DINGTALK_MODE: 'http' }), target });
      envs.push(env);
      handles.push((await startDingtalk(env.ctx, { timeoutMs: 2_000 }))!);
    }
    [a, b] = envs as [TestAdapterEnv, TestAdapterEnv];
  });
  afterAll(async () => {
    for (const h of handles) await h.stop();
    for (const e of envs) await e.close();
    await fake.close();
  });

  const post = (env: TestAdapterEnv, body: unknown, ts: string, s = signOf(ts, fake.clientSecret)) =>
    fetch(`${env.appUrl}/dingtalk/callback`, { method: 'POST', headers: { 'content-type': 'application/json', timestamp: ts, sign: s }, body: JSON.stringify(body) });
  const msg = (over: Record<string, unknown> = {}) =>
    fixture('group-text', { sessionWebhook: fake.api.newSession(Date.now() + 5_400_000), sessionWebhookExpiredTime: Date.now() + 5_400_000, ...over });
  const seenIds = (env: TestAdapterEnv) => env.seen.map((m) => m.messageId);

  it('a replayed sign with another msgId is refused with 401 and nothing is kept, on any instance', async () => {
    const ts = String(Date.now() - 1000);
    const genuine = msg();
    expect((await post(a, genuine, ts)).status).toBe(200);
    const forged = msg({ text: { content: '销号 二.1.1' } });
    expect((await post(a, forged, ts)).status).toBe(401);
    expect((await post(b, forged, ts)).status).toBe(401);
    await a.settle(handles[0]);
    await b.settle(handles[1]);
    expect(seenIds(a)).toContain(genuine.msgId);
    expect([...seenIds(a), ...seenIds(b)]).not.toContain(forged.msgId);
    expect(await a.inbound.store.record('dingtalk', String(forged.conversationId), String(forged.msgId))).toBeNull();
  });

  it('the same sign with the same msgId (a platform retry) goes through to dedupe, on another instance too', async () => {
    const ts = String(Date.now() - 2000);
    const m = msg();
    expect((await post(a, m, ts)).status).toBe(200);
    expect((await post(b, m, ts)).status).toBe(200);
    await a.settle(handles[0]);
    await b.settle(handles[1]);
    // Applied once, by the first instance's queue (b's copy is another queue here, so it is applied
    // there too: what the guard owes is only that the retry is not refused).
    expect(seenIds(a).filter((id) => id === m.msgId)).toHaveLength(1);
  });

  it('each sign is remembered with its msgId until its timestamp leaves the one-hour window', async () => {
    const ts = String(Date.now() - 30 * 60_000); // half an hour old: about 35 minutes left (30 + 5 margin)
    const m = msg();
    expect((await post(a, m, ts)).status).toBe(200);
    const key = onceKey('dingtalk', signOf(ts, fake.clientSecret));
    expect(key).toMatch(/^rb:\{sig\}:dingtalk:/);
    expect(await a.redis.get(key)).toBe(m.msgId);
    const ttl = await a.redis.pttl(key);
    expect(ttl).toBeGreaterThan(34 * 60_000);
    expect(ttl).toBeLessThanOrEqual(35 * 60_000);
  });

  it('a message type only answered with a hint has its sign checked too: a replay of it gets no hint', async () => {
    const hints = () => fake.api.sessionSends.filter((x) => JSON.stringify(x).includes('目前只能识别')).length;
    const before = hints();
    const ts = String(Date.now() - 2500);
    const video = (over: Record<string, unknown> = {}) => msg({ msgtype: 'video', text: undefined, content: { duration: '5', videoType: 'mp4' }, ...over });
    expect((await post(a, video(), ts)).status).toBe(200);
    await until(() => hints() === before + 1, 5_000, 'the hint for a genuine video');
    expect((await post(b, video(), ts)).status).toBe(401);
    await a.settle(handles[0]);
    await b.settle(handles[1]);
    expect(hints()).toBe(before + 1);
  });

  it('a bad signature is refused before anything is remembered', async () => {
    const ts = String(Date.now() - 3000);
    const bad = signOf(ts, fake.clientSecret).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await post(a, msg(), ts, bad)).status).toBe(401);
    expect(await a.redis.exists(onceKey('dingtalk', bad))).toBe(0);
  });

  it('when the sign cannot be kept (Redis down) the answer is 503, nothing is kept and nobody is told', async () => {
    const c = await makeAdapterEnv({ env: fake.env({ DINGTALK_MODE: 'http' }), target });
    const h = (await startDingtalk(c.ctx, { timeoutMs: 2_000 }))!;
    const told = () => fake.api.sessionSends.filter((x) => JSON.stringify(x).includes('服务暂时不可用')).length;
    const before = told();
    try {
      c.redis.disconnect();
      const m = msg();
      expect((await post(c, m, String(Date.now() - 4000))).status).toBe(503);
      await h.idle();
      expect(told()).toBe(before);
      expect(c.seen).toHaveLength(0);
    } finally {
      await h.stop();
      await c.close().catch(() => undefined);
    }
  });
});
