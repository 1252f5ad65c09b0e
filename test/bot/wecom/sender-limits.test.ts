import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mention } from '../../../src/core/message.js';
import { SendError, type ChatSender, type OutboundTarget } from '../../../src/core/sender.js';
import { redisPartTracker } from '../../../src/store/part-tracker.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { reply, startHarness, uid, type Harness } from './harness.js';

/**
 * Our WeCom sender against a fake that refuses what WeCom refuses (byte limits,
 * 45009 at 20/min per robot): long replies are split or cut before sending,
 * so the fake never has to refuse one, and a real 45009 stops the send and
 * resumes at the refused part after the back-off.
 */
let clock = Date.now();
const fake = new FakeWecomServer({ now: () => clock });
let h: Harness;
let sender: ChatSender;

beforeAll(async () => {
  await fake.start();
  h = await startHarness({
    env: {
      WECOM_API_BASE: fake.url, WECOM_HTTP_TIMEOUT_MS: '2000', WECOM_RATE_WAIT_MS: '0',
      WECOM_CORP_ID: fake.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: fake.secret,
    },
  });
  sender = h.ctx.senders.get('wecom')!;
});
afterAll(async () => {
  await h?.stop();
  await fake.stop();
});

const robot = (): OutboundTarget => ({ platform: 'wecom', chatId: uid('wrk'), channel: { webhookKey: fake.newWebhookKey() } });
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
/** A digest of `n` lines of about 75 bytes each, with lights that grow into `<font>` tags on WeCom. */
const digest = (n: number) => Array.from({ length: n }, (_, i) => `🔴 第${i + 1}项 某某部门整改事项说明，责任人张三`).join('\n');
const callsOf = (key: string) => fake.of('webhook').filter((c) => c.query.key === key);

describe('wecom sender stays inside what WeCom accepts', () => {
  it('a 30 KB digest to a group robot: every part under 4,096 bytes, none refused, nothing lost', async () => {
    const t = robot();
    await sender.send(t, reply(digest(400)));
    const calls = callsOf(t.channel.webhookKey!);
    expect(calls.length).toBeGreaterThan(7);
    expect(calls.filter((c) => c.answer?.errcode !== 0)).toEqual([]);
    for (const c of calls) expect(bytes(c.body.markdown.content)).toBeLessThanOrEqual(4096);
    const text = calls.map((c) => c.body.markdown.content as string).join('\n');
    expect(text).toContain('第1项');
    expect(text).toContain('第400项');
  });

  it('mentions too many for one message are spread over messages the robot accepts', async () => {
    const t = robot();
    const mentions: Mention[] = Array.from({ length: 150 }, (_, i) => ({ userId: `owner_${String(i).padStart(3, '0')}_rectification_office_dept` }));
    await sender.send(t, reply('## 逾期提醒\n请以下同志尽快办理。', { mentions }));
    const calls = callsOf(t.channel.webhookKey!);
    expect(calls.filter((c) => c.answer?.errcode !== 0)).toEqual([]);
    for (const c of calls) expect(bytes(c.body.markdown.content)).toBeLessThanOrEqual(4096);
    const tagged = calls.flatMap((c) => [...(c.body.markdown.content as string).matchAll(/<@([^>]+)>/g)].map((m) => m[1]));
    expect(new Set(tagged).size).toBe(150);
  });

  it('an AI-bot answer of 30 KB through response_url is cut under 20,480 bytes and accepted', async () => {
    const url = fake.newResponseUrl();
    await sender.send({ platform: 'wecom', chatId: uid('wrk'), channel: { responseUrl: url } }, reply(digest(400)));
    const call = fake.of('response').at(-1)!;
    expect(call.answer).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(bytes(call.body.markdown.content)).toBeLessThanOrEqual(20480);
    expect(call.body.markdown.content).toContain('已截断');
  });

  it('an app message/send of 6 KB goes out in parts of at most 2,048 bytes, all accepted', async () => {
    const touser = uid('user');
    await sender.send({ platform: 'wecom', chatId: touser, channel: {} }, reply(digest(80)));
    const calls = fake.of('send').filter((c) => c.body.touser === touser);
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.filter((c) => c.answer?.errcode !== 0)).toEqual([]);
    for (const c of calls) expect(bytes(c.body.markdown.content)).toBeLessThanOrEqual(2048);
  });
});

describe('wecom sender and a real 45009', () => {
  it('stops at the refused part, backs off a minute, and resumes there after the window', async () => {
    const t = robot();
    const key = t.channel.webhookKey!;
    // Another system already used 19 of this robot's 20 messages this minute (WeCom counts per robot, not per sender).
    for (let i = 0; i < 19; i++) {
      const r = await fetch(`${fake.url}/cgi-bin/webhook/send?key=${key}`, {
        method: 'POST', body: JSON.stringify({ msgtype: 'text', text: { content: `other ${i}` } }),
      });
      expect(((await r.json()) as { errcode: number }).errcode).toBe(0);
    }
    const long = reply(digest(160)); // several parts
    const parts = redisPartTracker(h.redis, uid('job'));
    const e = await sender.send(t, long, { parts }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(SendError);
    expect(e).toMatchObject({ kind: 'rate_limited', code: '45009', retryAfterMs: 60_000 });
    const first = callsOf(key).slice(19);
    expect(first.map((c) => c.answer?.errcode)).toEqual([0, 45009]);

    clock += 61_000; // the back-off has passed: the robot's minute is free again
    await sender.send(t, long, { parts });
    const all = callsOf(key).slice(19).map((c) => [c.answer?.errcode, c.body.markdown.content as string] as const);
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((c) => c[0])).toEqual([0, 45009, ...all.slice(2).map(() => 0)]);
    expect(all[2]![1]).toBe(all[1]![1]); // the refused part, sent again
    const accepted = all.filter((c) => c[0] === 0).map((c) => c[1]);
    expect(new Set(accepted).size).toBe(accepted.length); // nothing the group has was sent twice
    expect(accepted.at(-1)).toContain('第160项');
  });
});
