import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDingtalk } from '../../../src/bot/dingtalk/index.js';
import type { Reply } from '../../../src/core/message.js';
import { SendError, type ChatSender, type OutboundTarget } from '../../../src/core/sender.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { makeAdapterEnv, type TestAdapterEnv } from './context.js';
import { redisPartTracker } from '../../../src/store/part-tracker.js';

const reply: Reply = { title: '本周整改周报', markdown: '**本周**\n🔴 逾期 1 项', text: '本周', mentions: [{ userId: 'zhangsan01', name: '张三' }] };
const group = (chatId = 'cidGroupFake01==', channel: Record<string, string> = {}): OutboundTarget => ({ platform: 'dingtalk', chatId, channel });

async function sendError(p: Promise<unknown>): Promise<SendError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SendError) return e;
    throw e;
  }
  throw new Error('expected a SendError');
}

describe('DingTalk ChatSender through the fake', () => {
  let fake: FakeDingtalk;
  let env: TestAdapterEnv;
  let sender: ChatSender;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    env = await makeAdapterEnv({ env: fake.env({ DINGTALK_MODE: 'off' }) });
    expect(await startDingtalk(env.ctx, { timeoutMs: 300, maxWaitMs: 0 })).toBeNull();
    sender = env.ctx.senders.get('dingtalk')!;
  });
  afterAll(async () => {
    await env.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.faults.clear();
    env.problems.length = 0;
  });

  it('sends to a group by openConversationId with a cached token', async () => {
    const before = fake.api.tokenRequests.length;
    await sender.send(group(), reply);
    await sender.send(group('cidOther==', { openConversationId: 'cidExplicit==' }), reply);
    expect(fake.api.tokenRequests.length - before).toBeLessThanOrEqual(1);
    const [a, b] = fake.api.groupSends.slice(-2);
    expect(a!.body).toMatchObject({ openConversationId: 'cidGroupFake01==', robotCode: fake.clientId, msgKey: 'sampleMarkdown' });
    expect(b!.body.openConversationId).toBe('cidExplicit==');
    expect(JSON.parse(String(a!.body.msgParam))).toMatchObject({ title: '本周整改周报' });
    expect(fake.violations).toEqual([]);
  });

  it('refreshes an expired token once and succeeds', async () => {
    await sender.send(group(), reply);
    fake.api.expireTokens();
    const before = fake.api.tokenRequests.length;
    await sender.send(group(), reply);
    expect(fake.api.tokenRequests.length - before).toBe(1);
  });

  it('maps 5xx and timeouts to retry, 130101 to rate_limited with backoff', async () => {
    fake.faults.push('group', { kind: 'status', status: 503 });
    expect(await sendError(sender.send(group(), reply))).toMatchObject({ kind: 'retry', code: 'http_503' });
    fake.faults.push('group', { kind: 'hang' });
    expect(await sendError(sender.send(group(), reply))).toMatchObject({ kind: 'retry', code: 'timeout' });
    fake.faults.push('group', { kind: 'reset' });
    expect(await sendError(sender.send(group(), reply))).toMatchObject({ kind: 'retry', code: 'network' });
    fake.faults.push('group', { kind: 'errcode', errcode: 130101 });
    const e = await sendError(sender.send(group(), reply));
    expect(e).toMatchObject({ kind: 'rate_limited', code: '130101' });
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(60_000);
    expect(env.problems).toEqual([]);
  });

  it('reports a token endpoint outage as retry', async () => {
    fake.api.expireTokens();
    fake.faults.push('token', { kind: 'status', status: 502 });
    expect(await sendError(sender.send(group(), reply))).toMatchObject({ kind: 'retry' });
  });

  it('sends through a custom robot webhook with 加签 and @-mentions', async () => {
    fake.api.customRobots.set('robottoken1', { secret: 'SECabc123', sent: [] });
    await sender.send(group('cidA==', { webhookToken: 'robottoken1', webhookSecret: 'SECabc123' }), reply);
    const last = fake.api.robotSends.at(-1)!;
    expect(last.query).toMatchObject({ access_token: 'robottoken1' });
    expect(last.body).toMatchObject({ msgtype: 'markdown', at: { atUserIds: ['zhangsan01'], isAtAll: false } });
    expect(fake.api.customRobots.get('robottoken1')!.sent).toHaveLength(1);
  });

  it.each([
    ['a wrong 加签 secret', { webhookToken: 'robottoken2', webhookSecret: 'SECwrong' }, '310000'],
    ['a missing 加签', { webhookToken: 'robottoken2' }, '310000'],
    ['an unknown webhook token', { webhookToken: 'nope' }, '300001'],
  ])('turns %s into a config error reported to the office', async (_n, channel, code) => {
    fake.api.customRobots.set('robottoken2', { secret: 'SECright', sent: [] });
    const e = await sendError(sender.send(group('cidB==', channel), reply));
    expect(e).toMatchObject({ kind: 'config', code });
    expect(env.problems).toEqual([expect.objectContaining({ platform: 'dingtalk', chatId: 'cidB==', code })]);
    expect(JSON.stringify(env.problems)).not.toContain('SECwrong');
  });

  it('keeps a robot under 20 messages a minute on our side (shared Redis limiter)', async () => {
    // A fresh robot token per run: the limiter's window lives in Redis, shared by the worker's files.
    const token = `robottoken3-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    fake.api.customRobots.set(token, { secret: 'SEC3', sent: [] });
    const t = group('cidC==', { webhookToken: token, webhookSecret: 'SEC3' });
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => sender.send(t, reply)));
    const limited = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as SendError);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    expect(limited).toHaveLength(5);
    for (const e of limited) expect(e).toMatchObject({ kind: 'rate_limited', code: 'local_limit' });
    expect(limited[0]!.retryAfterMs).toBeGreaterThan(0);
    expect(fake.api.customRobots.get(token)!.sent).toHaveLength(20); // DingTalk never saw a 21st
  });

  it('keys the limit per robot without exposing the webhook token', () => {
    const k = sender.robotKey(group('x', { webhookToken: 'robottoken3' }));
    expect(k).not.toContain('robottoken3');
    expect(sender.robotKey(group('x'))).toBe(`dingtalk:app:${fake.clientId}`);
  });

  it('says what to fix when a group has no channel at all', async () => {
    const fake2 = await FakeDingtalk.start();
    const env2 = await makeAdapterEnv({ env: { DINGTALK_OAPI_BASE: fake2.baseUrl } });
    try {
      await startDingtalk(env2.ctx);
      const e = await sendError(env2.ctx.senders.get('dingtalk')!.send(group(), reply));
      expect(e).toMatchObject({ kind: 'config', code: 'no_channel' });
      expect(env2.problems).toHaveLength(1);
    } finally {
      await env2.close();
      await fake2.close();
    }
  });

  it('a retried multi-part send resumes at the part that failed (no repeat of part 1)', async () => {
    const token = `robot-parts-${Date.now()}`;
    fake.api.customRobots.set(token, { secret: 'SECparts', sent: [] });
    const target = group('cidParts==', { webhookToken: token, webhookSecret: 'SECparts' });
    const body = Array.from({ length: 700 }, (_, i) => `- 第${i}项 整改措施说明整改措施说明`).join('\n');
    const long: Reply = { title: '周报', markdown: body, text: body, mentions: [] };
    const parts = redisPartTracker(env.redis, `job-${Date.now()}`);
    fake.faults.push('robot', { kind: 'pass' }, { kind: 'status', status: 503 });
    expect(await sendError(sender.send(target, long, { parts }))).toMatchObject({ kind: 'retry' });
    await sender.send(target, long, { parts });
    const sent = fake.api.robotSends.filter((r) => r.query.access_token === token).map((r) => JSON.stringify(r.body));
    expect(sent.length).toBe(3); // part 1, part 2 (503), part 2 again
    expect(sent[1]).toBe(sent[2]);
    expect(sent.filter((x) => x === sent[0])).toHaveLength(1);
    expect(fake.api.customRobots.get(token)!.sent).toHaveLength(2);
  });
});
