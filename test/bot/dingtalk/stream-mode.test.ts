import { once } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDingtalk, type DingtalkHandle } from '../../../src/bot/dingtalk/index.js';
import type { IncomingMessage, Reply } from '../../../src/core/message.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { TOPIC_ROBOT } from '../../fakes/dingtalk/stream.js';
import { echoHandler, fixture, makeAdapterEnv, until, type TestAdapterEnv } from './context.js';
import { quietFor } from '../../helpers/wait.js';

describe('Stream mode through the fake', () => {
  let fake: FakeDingtalk;
  let env: TestAdapterEnv;
  let dt: DingtalkHandle;
  let gate: Promise<void> = Promise.resolve();
  let failNext = false;
  let calls = 0;

  const groupMsg = (over: Record<string, unknown> = {}) =>
    fixture('group-text', { sessionWebhook: fake.api.newSession(Date.now() + 5_400_000), sessionWebhookExpiredTime: Date.now() + 5_400_000, ...over });

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    env = await makeAdapterEnv({ env: fake.env() }); // stream is the default with credentials
    const echo = echoHandler([], env.redis);
    const handle = async (m: IncomingMessage): Promise<Reply | null> => {
      calls++;
      await gate;
      if (failNext) {
        failNext = false;
        throw new Error('boom');
      }
      const r = await echo(m);
      if (r) env.seen.push(m);
      return r;
    };
    env.setHandle(handle);
    dt = (await startDingtalk(env.ctx, { timeoutMs: 2_000, stream: { baseDelayMs: 20, maxDelayMs: 200, stableMs: 0 } }))!;
    await until(() => dt.supervisor!.connected, 5_000, 'first connection');
  });
  afterAll(async () => {
    await dt.stop();
    await env.close();
    await fake.close();
  });
  beforeEach(async () => {
    env.seen.length = 0;
    await until(() => dt.supervisor!.connected && Boolean(fake.stream.current()), 5_000, 'connection');
  });

  it('registers with the gateway as the protocol says: robot topic only, no secret in the URL', () => {
    const body = fake.stream.gatewayBodies[0]!;
    expect(body).toMatchObject({ clientId: fake.clientId, clientSecret: fake.clientSecret, subscriptions: [{ type: 'CALLBACK', topic: TOPIC_ROBOT }] });
    expect(dt.config.mode).toBe('stream');
  });

  it('echoes the opaque of a ping', async () => {
    const { messageId, opaque } = fake.stream.ping();
    const ack = await fake.stream.waitAck(messageId);
    expect(JSON.parse(ack.data)).toEqual({ opaque });
  });

  it('ACKs a robot message once it is kept in Redis, before the core has answered, then replies end to end', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const msg = groupMsg();
    const frameId = fake.stream.pushRobot(msg);
    const ack = await fake.stream.waitAck(frameId);
    expect(ack).toMatchObject({ code: 200, message: 'OK', headers: { messageId: frameId, contentType: 'application/json' } });
    expect(JSON.parse(ack.data)).toEqual({ response: null });
    // Persisted before the ACK: the queued record exists while the core is still blocked.
    expect(await env.inbound.store.record('dingtalk', String(msg.conversationId), String(msg.msgId))).toEqual({ s: 'queued' });
    expect(env.seen).toEqual([]);
    open();
    await until(() => env.seen.length === 1);
    await env.settle(dt);
    expect(env.seen[0]).toMatchObject({ chatId: msg.conversationId, chatType: 'group', senderId: '166501234698', text: '进度' });
    const sent = fake.api.sessionSends.at(-1)!;
    expect((sent.body.markdown as { text: string }).text).toContain('你说：进度');
    expect(fake.violations).toEqual([]);
  });

  it('processes a redelivered message once: same frame id, and same msgId in a new frame', async () => {
    const msg = groupMsg();
    const before = fake.api.sessionSends.length;
    const callsBefore = calls;
    const a = fake.stream.pushRobot(msg);
    fake.stream.pushRobot(msg, { messageId: a }); // unACKed redelivery keeps the frame id
    const c = fake.stream.pushRobot(msg); // a second push of the same message
    await Promise.all([fake.stream.waitAck(c)]);
    await until(() => fake.stream.current()!.acks.filter((x) => x.headers.messageId === a).length === 2);
    await env.settle(dt);
    expect(env.seen).toHaveLength(1);
    expect(fake.api.sessionSends.length - before).toBe(1);
    // Every copy is ACKed, but only the first is kept: the queue dedupes on msgId, so the core runs once.
    expect(calls - callsBefore).toBe(1);
  });

  it('survives a throwing core (apology sent) and a malformed frame', async () => {
    failNext = true;
    const before = fake.api.sessionSends.length;
    await fake.stream.waitAck(fake.stream.pushRobot(groupMsg()));
    fake.stream.current()!.ws.send('{not json');
    fake.stream.current()!.send({ specVersion: '1.0', type: 'CALLBACK', headers: { messageId: 'bad-1', topic: TOPIC_ROBOT }, data: '{"no":"fields"}' });
    await fake.stream.waitAck('bad-1');
    await env.settle(dt);
    expect((fake.api.sessionSends.at(-1)!.body.markdown as { text: string }).text).toContain('抱歉');
    expect(fake.api.sessionSends.length - before).toBe(1);
    const frameId = fake.stream.pushRobot(groupMsg());
    await fake.stream.waitAck(frameId);
    await env.settle(dt);
    expect(env.seen).toHaveLength(1);
  });

  it('reconnects at once on a disconnect frame and drops the old socket', async () => {
    const old = fake.stream.current()!;
    const connects = fake.stream.connectCount;
    fake.stream.disconnect(old);
    await until(() => fake.stream.connectCount === connects + 1 && !old.open && fake.stream.conns.length === 1, 5_000, 'reconnect');
    const frameId = fake.stream.pushRobot(groupMsg());
    await fake.stream.waitAck(frameId);
  });

  it('reconnects with backoff after the socket drops and while the gateway fails', async () => {
    const failures = dt.supervisor!.stats.failures;
    fake.faults.push('gateway', { kind: 'status', status: 503 }, { kind: 'status', status: 503 }, { kind: 'status', status: 500 });
    fake.stream.terminateAll();
    const reconnected = once(dt.supervisor!, 'connected');
    await reconnected;
    expect(dt.supervisor!.stats.failures - failures).toBe(4); // the drop and three refused tickets
    expect(fake.stream.conns).toHaveLength(1);
  });

  it('backs off exponentially with jitter, capped', () => {
    const s = dt.supervisor!;
    const d = Array.from({ length: 8 }, (_, n) => s.backoff(n));
    for (let n = 0; n < 8; n++) {
      const full = Math.min(200, 20 * 2 ** n);
      expect(d[n]).toBeGreaterThanOrEqual(full / 2);
      expect(d[n]).toBeLessThanOrEqual(full);
    }
  });

  it('stop() leaves no socket behind', async () => {
    const fake2 = await FakeDingtalk.start();
    const env2 = await makeAdapterEnv({ env: fake2.env() });
    const dt2 = (await startDingtalk(env2.ctx))!;
    await until(() => fake2.stream.conns.length === 1);
    await dt2.stop();
    await until(() => fake2.stream.conns.length === 0, 2_000, 'server sees the close');
    await env2.close();
    await fake2.close();
  });
});

describe('Stream idle watchdog', () => {
  it('reconnects when no frame arrives for idleMs (zombie socket)', async () => {
    const fake = await FakeDingtalk.start();
    const env = await makeAdapterEnv({ env: fake.env({ DINGTALK_MODE: 'stream' }) });
    const dt = (await startDingtalk(env.ctx, { stream: { idleMs: 300, baseDelayMs: 10, maxDelayMs: 50 } }))!;
    try {
      await until(() => fake.stream.connectCount >= 1);
      const t0 = performance.now();
      await until(() => fake.stream.connectCount >= 2, 5_000, 'idle reconnect');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
      // A connection that does get frames is kept.
      const n = fake.stream.connectCount;
      const pinger = setInterval(() => fake.stream.ping(), 100);
      await quietFor(750, 'two and a half idle windows (idleMs 300) without a reconnect');
      clearInterval(pinger);
      expect(fake.stream.connectCount).toBe(n);
    } finally {
      await dt.stop();
      await env.close();
      await fake.close();
    }
  });
});

describe('Stream with wrong credentials', () => {
  it('reports the problem to the office once and keeps retrying with backoff', async () => {
    const fake = await FakeDingtalk.start();
    const env = await makeAdapterEnv({ env: fake.env({ DINGTALK_CLIENT_SECRET: 'wrong-secret' }) });
    const dt = (await startDingtalk(env.ctx, { stream: { baseDelayMs: 5, maxDelayMs: 20 } }))!;
    try {
      await until(() => fake.stream.gatewayBodies.length >= 4, 5_000, 'retries');
      expect(env.problems).toEqual([expect.objectContaining({ platform: 'dingtalk', code: 'stream_credentials' })]);
      expect(JSON.stringify(env.problems)).not.toContain('wrong-secret');
      expect(fake.stream.conns).toHaveLength(0);
    } finally {
      await dt.stop();
      await env.close();
      await fake.close();
    }
  });
});

describe('Stream with Redis gone', () => {
  it('ACKs, tells the sender the message was not kept, and keeps the process and connection alive', async () => {
    const fake = await FakeDingtalk.start();
    const env = await makeAdapterEnv({ env: fake.env() });
    const dt = (await startDingtalk(env.ctx))!;
    try {
      await until(() => dt.supervisor!.connected);
      env.redis.disconnect(); // submit() now rejects inside the frame handler
      const msg = fixture('group-text', { sessionWebhook: fake.api.newSession(Date.now() + 600_000), sessionWebhookExpiredTime: Date.now() + 600_000 });
      const ack = await fake.stream.waitAck(fake.stream.pushRobot(msg));
      expect(ack.code).toBe(200);
      await dt.idle();
      // Never silently dropped: the sender hears at once, directly through the sessionWebhook.
      expect(fake.api.sessionSends).toHaveLength(1);
      expect((fake.api.sessionSends[0]!.body.markdown as { text: string }).text).toContain('服务暂时不可用，您的这条消息未被记录');
      expect(dt.supervisor!.connected).toBe(true);
      const { messageId, opaque } = fake.stream.ping();
      expect(JSON.parse((await fake.stream.waitAck(messageId)).data)).toEqual({ opaque });
    } finally {
      await dt.stop();
      await env.close().catch(() => {});
      await fake.close();
    }
  });
});
