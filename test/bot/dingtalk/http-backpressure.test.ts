import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDingtalk, type DingtalkHandle } from '../../../src/bot/dingtalk/index.js';
import type { IncomingMessage, Reply } from '../../../src/core/message.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { waitFor } from '../../helpers/wait.js';
import { fixture, makeAdapterEnv, type TestAdapterEnv } from './context.js';

const sign = (ts: string, secret: string) => createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');

/**
 * The 200 of an HTTP callback is held while the message's partition is deep
 * (INBOUND_ADMIT_BACKLOG), after the message is kept; at the hard bound the
 * sender still gets the "busy" notice and nothing is kept.
 */
describe('HTTP callbacks under a burst', () => {
  let fake: FakeDingtalk;
  let env: TestAdapterEnv;
  let dt: DingtalkHandle;
  const waiting: Array<() => void> = [];
  const ran: string[] = [];

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    env = await makeAdapterEnv({
      env: fake.env({ DINGTALK_MODE: 'http' }),
      inbound: { maxBacklog: 4, admitBacklog: 1, admitWaitMs: 60_000 },
      handle: async (m: IncomingMessage): Promise<Reply> => {
        await new Promise<void>((r) => waiting.push(r));
        ran.push(m.messageId);
        return { title: '整改督办', markdown: `收到：${m.text}`, text: `收到：${m.text}`, mentions: [] };
      },
    });
    dt = (await startDingtalk(env.ctx, { timeoutMs: 2_000 }))!;
  });
  afterAll(async () => {
    await dt.stop();
    await env.close();
    await fake.close();
  });

  it('holds the 200s over the bound until the queue works down, answers everything once, and refuses as busy at the hard bound', async () => {
    const base = Date.now();
    const msgs = Array.from({ length: 5 }, (_, i) => fixture('group-text', {
      conversationId: 'cid-burst', text: { content: ` 进展 一.1.${i + 1} 推进` },
      sessionWebhook: fake.api.newSession(Date.now() + 5_400_000), sessionWebhookExpiredTime: Date.now() + 5_400_000,
    }));
    const responses: Array<{ status: number | null }> = [];
    for (const [i, m] of msgs.entries()) {
      const ts = String(base + i);
      const r: { status: number | null } = { status: null };
      responses.push(r);
      void fetch(`${env.appUrl}/dingtalk/callback`, {
        method: 'POST', headers: { 'content-type': 'application/json', timestamp: ts, sign: sign(ts, fake.clientSecret) }, body: JSON.stringify(m),
      }).then(async (res) => { await res.arrayBuffer(); r.status = res.status; });
      if (i < 4) await waitFor(async () => (await env.inbound.store.record('dingtalk', 'cid-burst', String(m.msgId)))?.s === 'queued', { what: `message ${i} kept` });
    }
    // The fifth found four waiting (the hard bound): refused, its sender told, nothing kept.
    await waitFor(() => responses[4]!.status !== null, { what: 'the busy callback answered' });
    await waitFor(() => fake.api.sessionSends.some((s) => /繁忙/.test(JSON.stringify(s.body))), { what: 'the busy notice' });
    expect(await env.inbound.store.record('dingtalk', 'cid-burst', String(msgs[4]!.msgId))).toBeNull();
    // At most one ahead: acknowledged at once; two and three ahead: held while nothing is applied.
    await waitFor(() => responses[1]!.status !== null, { what: 'the second 200' });
    expect(responses.map((r) => r.status)).toEqual([200, 200, null, null, 200]);
    expect(env.inbound.gate.held).toEqual({ released: 0, timeout: 0 });

    await waitFor(() => waiting.length === 1, { what: 'the first apply' });
    waiting.shift()!();
    await waitFor(() => responses[2]!.status !== null, { what: 'the third 200' });
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, null, 200]);
    for (let i = 0; i < 3; i++) {
      await waitFor(() => waiting.length === 1, { what: 'the next apply' });
      waiting.shift()!();
    }
    await waitFor(() => responses[3]!.status !== null, { what: 'the fourth 200' });
    await env.settle(dt);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(env.inbound.gate.held).toEqual({ released: 2, timeout: 0 });
    // Each kept message applied once and answered once; the refused one never applied.
    expect(ran).toEqual(msgs.slice(0, 4).map((m) => String(m.msgId)));
    for (const m of msgs.slice(0, 4)) expect((await env.inbound.store.record('dingtalk', 'cid-burst', String(m.msgId)))?.s).toBe('done');
    const answers = fake.api.sessionSends.filter((s) => /收到/.test(JSON.stringify(s.body)));
    expect(answers.map((s) => s.query.session)).toEqual(msgs.slice(0, 4).map((m) => new URL(String(m.sessionWebhook)).searchParams.get('session')));
  });
});
