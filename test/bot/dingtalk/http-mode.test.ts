import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDingtalk, type DingtalkHandle } from '../../../src/bot/dingtalk/index.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { fixture, makeAdapterEnv, type TestAdapterEnv } from './context.js';

// Computed here with node:crypto, independently of src/bot/dingtalk/signature.ts.
const sign = (ts: string, secret: string) => createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');

describe('HTTP mode through the fake', () => {
  let fake: FakeDingtalk;
  let env: TestAdapterEnv;
  let dt: DingtalkHandle;

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${env.appUrl}/dingtalk/callback`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body });
  const signed = (body: unknown, ts = String(Date.now())) =>
    post(typeof body === 'string' ? body : JSON.stringify(body), { timestamp: ts, sign: sign(ts, fake.clientSecret) });
  const groupMsg = (over: Record<string, unknown> = {}) =>
    fixture('group-text', { sessionWebhook: fake.api.newSession(Date.now() + 5_400_000), sessionWebhookExpiredTime: Date.now() + 5_400_000, ...over });

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    env = await makeAdapterEnv({ env: fake.env({ DINGTALK_MODE: 'http' }) });
    dt = (await startDingtalk(env.ctx, { timeoutMs: 2_000 }))!;
  });
  afterAll(async () => {
    await dt.stop();
    await env.close();
    await fake.close();
  });
  beforeEach(() => {
    env.seen.length = 0;
  });

  it('answers a group command end to end through the sessionWebhook, @-ing the sender', async () => {
    const msg = groupMsg();
    const res = await signed(msg);
    expect(res.status).toBe(200);
    // An empty JSON object, as Koa answers `ctx.body = {}`.
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-length')).toBe('2');
    expect(await res.text()).toBe('{}');
    await env.settle(dt);
    expect(env.seen).toEqual([expect.objectContaining({ platform: 'dingtalk', chatId: msg.conversationId, chatType: 'group', senderId: '166501234698', text: '进度' })]);
    const sent = fake.api.sessionSends.at(-1)!;
    expect(sent.query.session).toBe(new URL(String(msg.sessionWebhook)).searchParams.get('session'));
    expect(sent.body).toMatchObject({ msgtype: 'markdown', at: { atUserIds: ['166501234698'], isAtAll: false } });
    const md = (sent.body.markdown as { text: string }).text;
    expect(md).toContain('🔴 逾期 1 项\n\n🟡 临期 2 项');
    expect(md).toContain('你说：进度');
    expect(fake.violations).toEqual([]);
  });

  it('processes a redelivered message once', async () => {
    const msg = groupMsg();
    const before = fake.api.sessionSends.length;
    expect((await signed(msg)).status).toBe(200);
    expect((await signed(msg)).status).toBe(200);
    await env.settle(dt);
    expect(env.seen).toHaveLength(1);
    expect(fake.api.sessionSends.length - before).toBe(1);
  });

  it.each([
    ['a forged sign', () => ({ timestamp: String(Date.now()), sign: sign(String(Date.now()), 'not-the-secret') }), 401],
    ['a stale timestamp (2 h old)', () => { const ts = String(Date.now() - 7_200_000); return { timestamp: ts, sign: sign(ts, fake.clientSecret) }; }, 401],
    ['a timestamp from the future (2 h ahead)', () => { const ts = String(Date.now() + 7_200_000); return { timestamp: ts, sign: sign(ts, fake.clientSecret) }; }, 401],
    ['no signature headers', () => ({}), 401],
    ['a garbage timestamp', () => ({ timestamp: 'yesterday', sign: 'x' }), 401],
  ])('rejects %s with %i and changes nothing', async (_n, headers, status) => {
    const msg = groupMsg();
    const sends = fake.api.sessionSends.length;
    const res = await post(JSON.stringify(msg), headers());
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ error: 'invalid signature' });
    await env.settle(dt);
    expect(env.seen).toEqual([]);
    expect(fake.api.sessionSends.length).toBe(sends);
    expect(await env.inbound.store.record('dingtalk', String(msg.conversationId), String(msg.msgId))).toBeNull();
    // Nothing was claimed: the genuine delivery of the same message is still answered.
    expect((await signed(msg)).status).toBe(200);
    await env.settle(dt);
    expect(env.seen).toHaveLength(1);
  });

  it.each([
    ['broken JSON', '{"msgId":', 400],
    ['a JSON array', '[]', 400],
    ['a payload without conversation', JSON.stringify({ msgId: 'm1', msgtype: 'text' }), 400],
    ['a 300 KB body', JSON.stringify({ pad: 'x'.repeat(300 * 1024) }), 413],
  ])('rejects %s (validly signed) with %i', async (_n, body, status) => {
    const res = await signed(body);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: status === 413 ? 'body too large' : 'not a robot message' });
    await env.settle(dt);
    expect(env.seen).toEqual([]);
  });

  it('replies through the OpenAPI once the sessionWebhook has expired', async () => {
    const before = fake.api.groupSends.length;
    const msg = groupMsg({ sessionWebhook: fake.api.newSession(Date.now() - 1), sessionWebhookExpiredTime: Date.now() - 1 });
    await signed(msg);
    await env.settle(dt);
    expect(fake.api.groupSends.length - before).toBe(1);
    expect(fake.api.groupSends.at(-1)!.body).toMatchObject({ openConversationId: msg.conversationId, robotCode: fake.clientId });
  });

  it('falls back to the OpenAPI when DingTalk refuses a webhook it called valid', async () => {
    const before = fake.api.groupSends.length;
    const msg = groupMsg({ sessionWebhook: fake.api.newSession(Date.now() - 1) }); // expiry says fresh, fake says expired (HTTP 500)
    await signed(msg);
    await env.settle(dt);
    expect(fake.api.groupSends.length - before).toBe(1);
  });

  it('answers a private chat 1:1 through the OpenAPI after expiry', async () => {
    const msg = fixture('private-text', { sessionWebhook: fake.api.newSession(0), sessionWebhookExpiredTime: 1 });
    await signed(msg);
    await env.settle(dt);
    expect(fake.api.otoSends.at(-1)!.body).toMatchObject({ userIds: ['manager0042'], robotCode: fake.clientId });
  });

  it('never posts to a sessionWebhook outside the configured oapi host', async () => {
    const evil = await FakeDingtalk.start();
    try {
      const msg = groupMsg({ sessionWebhook: evil.api.newSession(Date.now() + 5_400_000) });
      await signed(msg);
      await env.settle(dt);
      expect(evil.api.sessionSends).toEqual([]);
    } finally {
      await evil.close();
    }
  });

  it('answers 503 once stopped, without touching the message', async () => {
    const env2 = await makeAdapterEnv({ env: fake.env({ DINGTALK_MODE: 'http' }) });
    const dt2 = (await startDingtalk(env2.ctx))!;
    await dt2.stop();
    const ts = String(Date.now());
    const res = await fetch(`${env2.appUrl}/dingtalk/callback`, {
      method: 'POST',
      headers: { timestamp: ts, sign: sign(ts, fake.clientSecret) },
      body: JSON.stringify(groupMsg()),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'stopping' });
    expect(env2.seen).toEqual([]);
    await env2.close();
  });

  it('measures callback latency (reported, not asserted)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const msg = groupMsg();
      const t0 = performance.now();
      const res = await signed(msg);
      times.push(performance.now() - t0);
      expect(res.status).toBe(200);
    }
    await env.settle(dt);
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
    console.log(`[dingtalk http] callback latency over ${times.length}: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms`);
    expect(env.seen).toHaveLength(200);
  });
});
