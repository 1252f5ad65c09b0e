import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRobotMessage } from '../../../src/bot/dingtalk/payload.js';
import { Replier } from '../../../src/bot/dingtalk/replier.js';
import { DingtalkSender } from '../../../src/bot/dingtalk/sender.js';
import { THROTTLE_BACKOFF_MS } from '../../../src/bot/dingtalk/http.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Mention, Reply } from '../../../src/core/message.js';
import { SendError, type OutboundTarget } from '../../../src/core/sender.js';
import { RedisRateLimiter } from '../../../src/store/limits.js';
import { redisPartTracker } from '../../../src/store/part-tracker.js';
import { connectRedis, waitReady, type RedisClient } from '../../../src/store/redis.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { testRedisUrl } from '../../helpers/redis.js';
import { createHttpClient } from '../../../src/core/http-client.js';

/** The production outbound client (keep-alive node:http), as the service injects it. */
const httpClient = createHttpClient();

/**
 * Our DingTalk repliers against a fake that refuses what DingTalk refuses
 * (shape, 20,000-byte bodies, 130101 + a 10-minute throttle): long replies are
 * split before sending so nothing is refused, and a real 130101 stops a
 * multi-part send, backs off, and resumes at the refused part.
 */
const clock = new ManualClock('2026-03-02T01:00:00.000Z');
let fake: FakeDingtalk;
let redis: RedisClient;
let sender: DingtalkSender;
let replier: Replier;
const run = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  fake = await FakeDingtalk.start({ now: () => clock.now().getTime() });
  redis = connectRedis(testRedisUrl());
  await waitReady(redis);
  const common = { fetch: httpClient, clock, logger: silentLogger(), oapiBase: fake.baseUrl, lightStyle: 'font' as const, timeoutMs: 2000 };
  sender = new DingtalkSender({
    ...common, api: null, maxWaitMs: 0, rateLimiter: new RedisRateLimiter(redis, () => clock.now().getTime()), reportProblem: async () => {},
  });
  replier = new Replier({ ...common, api: null, sender });
});
afterAll(async () => {
  redis?.disconnect();
  await fake?.close();
});

/** A long digest: `n` items, each a paragraph of about 120 bytes with a light. */
const digest = (n: number, mentions: Mention[] = []): Reply => {
  const md = Array.from({ length: n }, (_, i) => `🔴 **第${i + 1}项** 某某部门整改事项说明，责任人张三，期限 2026-03-31`).join('\n\n');
  return { title: '本周整改周报', markdown: md, text: md, mentions };
};
/** 19-digit staff ids, the longest kind DingTalk issues. */
const many = (n: number): Mention[] => Array.from({ length: n }, (_, i) => ({ userId: `1${String(i).padStart(18, '0')}`, name: `同志${i}` }));
const rawBytes = (b: unknown) => Buffer.byteLength(JSON.stringify(b), 'utf8');

function groupMessage(sessionWebhook: string) {
  const raw = JSON.parse(readFileSync(new URL('../../fixtures/dingtalk/group-text.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const m = parseRobotMessage(JSON.stringify({ ...raw, msgId: `msg${run}${Math.random()}`, sessionWebhook, sessionWebhookExpiredTime: clock.now().getTime() + 90 * 60_000 }));
  if (!m) throw new Error('fixture does not parse');
  return m;
}

describe('dingtalk replies stay inside what DingTalk accepts', () => {
  it('a 60 KB answer with 120 mentions through sessionWebhook: every body ≤ 20,000 bytes, none refused', async () => {
    const url = fake.api.newSession(clock.now().getTime() + 90 * 60_000);
    const before = fake.api.sessionSends.length;
    await replier.reply(groupMessage(url), digest(500, many(120)));
    const sends = fake.api.sessionSends.slice(before);
    expect(sends.length).toBeGreaterThan(3);
    expect(sends.map((s) => s.answer?.errcode)).toEqual(sends.map(() => 0));
    for (const s of sends) expect(rawBytes(s.body)).toBeLessThanOrEqual(20_000);
    const text = sends.map((s) => (s.body.markdown as { text: string }).text).join('\n');
    expect(text).toContain('第500项');
    expect((sends[0]!.body.at as { atUserIds: string[] }).atUserIds).toHaveLength(120);
  });

  it('the same through a custom robot with 加签: every part accepted', async () => {
    const token = `limits-${run}-a`;
    fake.api.customRobots.set(token, { secret: 'SEClimits', sent: [] });
    const before = fake.api.robotSends.length;
    await sender.send({ platform: 'dingtalk', chatId: 'cidLimits==', channel: { webhookToken: token, webhookSecret: 'SEClimits' } }, digest(500, many(120)));
    const sends = fake.api.robotSends.slice(before);
    expect(sends.length).toBeGreaterThan(3);
    expect(sends.map((s) => s.answer?.errcode)).toEqual(sends.map(() => 0));
    for (const s of sends) expect(rawBytes(s.body)).toBeLessThanOrEqual(20_000);
  });
});

describe('dingtalk custom robot and a real 130101', () => {
  it('stops at the refused part, backs off 10 minutes, resumes there after the throttle', async () => {
    const token = `limits-${run}-b`;
    fake.api.customRobots.set(token, { sent: [] });
    // Another system already sent 19 messages through this robot this minute.
    for (let i = 0; i < 19; i++) {
      const r = await fetch(`${fake.baseUrl}/robot/send?access_token=${token}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'text', text: { content: `other ${i}` } }),
      });
      expect(((await r.json()) as { errcode: number }).errcode).toBe(0);
    }
    const target: OutboundTarget = { platform: 'dingtalk', chatId: 'cidThrottle==', channel: { webhookToken: token } };
    const long = digest(400);
    const parts = redisPartTracker(redis, `job-${run}`);
    const e = await sender.send(target, long, { parts }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(SendError);
    expect(e).toMatchObject({ kind: 'rate_limited', code: '130101', retryAfterMs: THROTTLE_BACKOFF_MS });
    const mine = () => fake.api.robotSends.filter((s) => s.query.access_token === token && s.body.msgtype === 'markdown');
    expect(mine().map((s) => s.answer?.errcode)).toEqual([0, 130101]);

    clock.advance(THROTTLE_BACKOFF_MS); // what the delivery queue waits before the retry
    await sender.send(target, long, { parts });
    const all = mine();
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((s) => s.answer?.errcode)).toEqual([0, 130101, ...all.slice(2).map(() => 0)]);
    const texts = all.map((s) => (s.body.markdown as { text: string }).text);
    expect(texts[2]).toBe(texts[1]);
    const accepted = texts.filter((_, i) => all[i]!.answer?.errcode === 0);
    expect(new Set(accepted).size).toBe(accepted.length); // nothing the group has was sent twice
    expect(accepted.at(-1)).toContain('第400项');
  });
});
