import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SendError, type ChatSender, type OutboundTarget } from '../../../src/core/sender.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { reply, startHarness, uid, type Harness } from './harness.js';
import { redisPartTracker } from '../../../src/store/part-tracker.js';

/** The WeCom ChatSender against the fake WeCom, with the real Redis rate limiter. */
describe('wecom ChatSender', () => {
  const fake = new FakeWecomServer();
  let h: Harness;
  let sender: ChatSender;
  let robot: OutboundTarget;

  beforeAll(async () => {
    await fake.start();
    h = await startHarness({
      env: {
        WECOM_API_BASE: fake.url, WECOM_HTTP_TIMEOUT_MS: '300', WECOM_RATE_WAIT_MS: '0',
        WECOM_CORP_ID: fake.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: fake.secret,
      },
    });
    sender = h.ctx.senders.get('wecom')!;
  });
  afterAll(async () => {
    await h.stop();
    await fake.stop();
  });
  beforeEach(() => {
    // A fresh robot per test: each has its own 20/min budget.
    robot = { platform: 'wecom', chatId: uid('wrk'), channel: { webhookKey: fake.newWebhookKey() } };
  });

  const sendError = async (p: Promise<unknown>): Promise<SendError> => {
    const e = await p.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(SendError);
    return e as SendError;
  };

  it('is registered for platform wecom', () => {
    expect(sender.platform).toBe('wecom');
  });

  it('sends markdown with coloured lights and <@userid> mentions through the group robot', async () => {
    const before = fake.of('webhook').length;
    await sender.send(robot, reply('## 周报\n🔴 二.3 逾期\n🟡 一.1 临期\n🟢 三.2 完成', { mentions: [{ userId: 'zhangsan' }, { userId: '@all' }] }));
    const [call] = fake.of('webhook').slice(before);
    expect(call!.query.key).toBe(robot.channel.webhookKey);
    expect(call!.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        content: '## 周报\n<font color="warning">●</font> 二.3 逾期\n<font color="comment">●</font> 一.1 临期\n'
          + '<font color="info">●</font> 三.2 完成\n\n<@zhangsan>',
      },
    });
  });

  it('accepts a whole webhook URL pasted where the key belongs', async () => {
    const key = robot.channel.webhookKey!;
    await sender.send({ ...robot, channel: { webhookKey: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}` } }, reply('x'));
    expect(fake.of('webhook').at(-1)!.query.key).toBe(key);
  });

  it('splits a long digest under 4,096 bytes at line boundaries, keeping every line whole', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => `🔴 第${i + 1}项 某某部门整改事项说明，责任人张三，期限 2026-03-31`);
    const before = fake.of('webhook').length;
    await sender.send(robot, reply(lines.join('\n')));
    const parts = fake.of('webhook').slice(before).map((c) => c.body.markdown.content as string);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(4096);
    const got = parts.map((p) => p.replace(/^（续 \d+\/\d+）\n/, '')).join('\n').split('\n');
    expect(got).toHaveLength(120);
    expect(got[119]).toBe('<font color="warning">●</font> 第120项 某某部门整改事项说明，责任人张三，期限 2026-03-31');
  });

  it('enforces 20 messages a minute per robot on our side (shared Redis limiter)', async () => {
    for (let i = 0; i < 20; i++) await sender.send(robot, reply(`m${i}`));
    const e = await sendError(sender.send(robot, reply('21st')));
    expect([e.kind, e.code]).toEqual(['rate_limited', 'local_limit']);
    expect(e.retryAfterMs).toBeGreaterThan(50_000);
    // Another robot is not affected.
    await sender.send({ ...robot, channel: { webhookKey: fake.newWebhookKey() } }, reply('ok'));
  });

  it('45009 from WeCom → rate_limited with a back-off', async () => {
    fake.fail('webhook', { errcode: 45009 });
    const e = await sendError(sender.send(robot, reply('x')));
    expect([e.kind, e.code, e.retryAfterMs]).toEqual(['rate_limited', '45009', 60_000]);
  });

  it('93000 (bad key) → config, reported to the office, never the key itself', async () => {
    const bad = { ...robot, channel: { webhookKey: 'deadbeef-0000-4000-8000-000000000000' } };
    const n = h.problems.length;
    const e = await sendError(sender.send(bad, reply('x')));
    expect([e.kind, e.code]).toEqual(['config', '93000']);
    expect(h.problems.slice(n)).toEqual([expect.objectContaining({ platform: 'wecom', chatId: bad.chatId, code: '93000' })]);
    expect(JSON.stringify(h.problems)).not.toContain('deadbeef');
    expect(h.problems[n]!.message).toContain('rectify bind --platform wecom');
  });

  it('60020 (IP not trusted) → config and reported', async () => {
    fake.fail('webhook', { errcode: 60020 });
    const e = await sendError(sender.send(robot, reply('x')));
    expect([e.kind, e.code]).toEqual(['config', '60020']);
    expect(h.problems.at(-1)!.message).toContain('可信IP');
  });

  it('5xx and timeouts → retry', async () => {
    fake.fail('webhook', { status: 502 });
    expect((await sendError(sender.send(robot, reply('x')))).kind).toBe('retry');
    fake.fail('webhook', { delayMs: 800 });
    // The fake answers after 800 ms; WECOM_HTTP_TIMEOUT_MS is 300, so only our timeout can produce this code.
    const e = await sendError(sender.send(robot, reply('x')));
    expect([e.kind, e.code]).toEqual(['retry', 'timeout']);
  });

  it('app message/send: refetches the token once on 40014, then succeeds', async () => {
    const target = { platform: 'wecom' as const, chatId: 'zhaoliu', channel: {} };
    await sender.send(target, reply('first'));
    const tokens = fake.of('gettoken').length;
    fake.fail('send', { errcode: 40014 });
    await sender.send(target, reply('second'));
    expect(fake.of('gettoken').length).toBe(tokens + 1);
    expect(fake.of('send').at(-1)!.body.markdown.content).toBe('second');
  });

  it('app message/send: a token rejected twice is a retry, not a loop', async () => {
    fake.fail('send', { errcode: 40014 }, { errcode: 40014 });
    const before = fake.of('send').length;
    const e = await sendError(sender.send({ platform: 'wecom', chatId: 'zhaoliu', channel: {} }, reply('x')));
    expect([e.kind, e.code]).toEqual(['retry', '40014']);
    expect(fake.of('send').length - before).toBe(2);
  });

  it('app message/send to a group id (81013) → config with the bind hint', async () => {
    fake.fail('send', { errcode: 81013 });
    const e = await sendError(sender.send({ platform: 'wecom', chatId: 'wrkGroupNoRobot', channel: {} }, reply('x')));
    expect([e.kind, e.code]).toEqual(['config', '81013']);
    expect(h.problems.at(-1)).toMatchObject({ chatId: 'wrkGroupNoRobot', code: '81013' });
  });

  it('AI-bot response_url: markdown once; a second use is refused by WeCom', async () => {
    const url = fake.newResponseUrl();
    const target = { platform: 'wecom' as const, chatId: 'wrkX', channel: { responseUrl: url } };
    await sender.send(target, reply('🟢 完成'));
    expect(fake.of('response').at(-1)!.body).toEqual({ msgtype: 'markdown', markdown: { content: '🟢 完成' } });
    expect((await sendError(sender.send(target, reply('again')))).kind).toBe('fatal');
  });

  it('a response_url that is not WeCom is never called, only warned about', async () => {
    await sender.send({ platform: 'wecom', chatId: 'x', channel: { responseUrl: 'http://169.254.169.254/latest' } }, reply('x'));
    expect(h.logs()).toContain('untrusted_response_url');
    expect(h.logs()).not.toContain('169.254.169.254');
  });

  it('robotKey groups by robot without exposing the key', () => {
    const k = sender.robotKey(robot);
    expect(k).toMatch(/^wecom:robot:[0-9a-f]{16}$/);
    expect(k).not.toContain(robot.channel.webhookKey!);
    expect(sender.robotKey({ ...robot, chatId: 'other' })).toBe(k);
  });
});

describe('wecom ChatSender: a retried multi-part send resumes where it failed', () => {
  const fake = new FakeWecomServer();
  let h: Harness;
  beforeAll(async () => {
    await fake.start();
    h = await startHarness({ env: { WECOM_API_BASE: fake.url, WECOM_HTTP_TIMEOUT_MS: '300', WECOM_RATE_WAIT_MS: '0' } });
  });
  afterAll(async () => {
    await h.stop();
    await fake.stop();
  });

  it('part 1 is not sent again when part 2 failed the first time', async () => {
    const robot: OutboundTarget = { platform: 'wecom', chatId: uid('wrk'), channel: { webhookKey: fake.newWebhookKey() } };
    const lines = Array.from({ length: 120 }, (_, i) => `- 第${i}项 整改措施说明整改措施说明整改措施说明`);
    const long = reply(lines.join('\n'));
    const parts = redisPartTracker(h.redis, uid('job'));
    fake.fail('webhook', { delayMs: 0 }, { status: 502 });
    const e = await h.ctx.senders.get('wecom')!.send(robot, long, { parts }).then(() => null, (x: unknown) => x);
    expect(e).toMatchObject({ kind: 'retry' });
    await h.ctx.senders.get('wecom')!.send(robot, long, { parts });
    const calls = fake.of('webhook').filter((c) => c.query.key === robot.channel.webhookKey).map((c) => c.body.markdown.content as string);
    expect(calls).toHaveLength(3); // part 1, part 2 (failed), part 2 again
    expect(calls[0]).toContain('第0项');
    expect(calls[1]).toBe(calls[2]);
    expect(calls[1]).not.toBe(calls[0]);
    expect(calls.filter((c) => c === calls[0])).toHaveLength(1);
  });
});
