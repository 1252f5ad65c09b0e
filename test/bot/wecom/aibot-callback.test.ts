import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCallbacks, aibotText } from '../../fakes/wecom/callbacks.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { KEYS, reply, startHarness, uid, type Harness } from './harness.js';

/** End to end through Koa with real HTTP: the AI bot (智能机器人) callback flow. */
describe('wecom AI bot callbacks', () => {
  const fake = new FakeWecomServer();
  const wecom = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: '' });
  let h: Harness;
  const answers = new Map<string, { delayMs: number; md: string; mentions?: { userId: string; name?: string }[] }>();

  beforeAll(async () => {
    await fake.start();
    h = await startHarness({
      // A budget a loaded CI machine keeps (answers pass through the durable queue); the slow command exceeds it.
      env: { WECOM_API_BASE: fake.url, WECOM_REPLY_BUDGET_MS: '1500' },
      handle: async (m) => {
        const a = answers.get(m.text) ?? { delayMs: 0, md: `收到：${m.text}` };
        await new Promise((r) => setTimeout(r, a.delayMs));
        return reply(a.md, { mentions: a.mentions ?? [] });
      },
      bindings: [{ platform: 'wecom', chatId: 'wrkGROUPWITHROBOT', ledgerId: 'L1', channel: { webhookKey: fake.newWebhookKey() }, boundAt: '2026-01-01' }],
    });
  });
  afterAll(async () => {
    await h.stop();
    await fake.stop();
  });

  const post = (q: string, body: string) => fetch(`${h.url}/wecom/callback?${q}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  // Speed is measured in `npm run bench`-style reports, not asserted here: these tests check behaviour.
  it('answers URL verification with the bare plaintext', async () => {
    const res = await fetch(`${h.url}/wecom/callback?${wecom.urlVerify('1616140317555161061')}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1616140317555161061');
  });

  it('a group command is answered by an encrypted passive stream reply', async () => {
    const msgid = uid('m');
    const cb = wecom.aibot(aibotText({ msgid, userid: 'zhangsan', chatid: 'wrkGROUP1', content: '@整改督办 进度', responseUrl: fake.newResponseUrl() }));
    const res = await post(cb.query, cb.body);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const opened = wecom.openJsonReply(await res.text(), cb.nonce);
    expect(opened.receiveId).toBe('');
    const plain = JSON.parse(opened.plain);
    expect(plain).toMatchObject({ msgtype: 'stream', stream: { finish: true, content: '收到：进度' } });
    expect(plain.stream.id).toMatch(/^[0-9a-f]{16}$/);
    const got = h.received.find((m) => m.messageId === msgid);
    expect(got).toEqual({ platform: 'wecom', chatId: 'wrkGROUP1', chatType: 'group', messageId: msgid, senderId: 'zhangsan', text: '进度' });
  });

  it('a single chat maps to a private chat keyed by the user', async () => {
    const msgid = uid('m');
    const cb = wecom.aibot(aibotText({ msgid, userid: 'lisi', content: '帮助' }));
    expect((await post(cb.query, cb.body)).status).toBe(200);
    expect(h.received.find((m) => m.messageId === msgid)).toMatchObject({ chatId: 'lisi', chatType: 'private', senderId: 'lisi', text: '帮助' });
  });

  it('a slow command gets an empty 200 within the budget and the answer through response_url', async () => {
    answers.set('周报', { delayMs: 2_500, md: '## 本周进度\n🔴 二.3 逾期' });
    const responseUrl = fake.newResponseUrl();
    const before = fake.of('response').length;
    const cb = wecom.aibot(aibotText({ msgid: uid('m'), userid: 'zhangsan', chatid: 'wrkGROUP1', content: '@bot 周报', responseUrl }));
    const t0 = performance.now();
    const res = await post(cb.query, cb.body);
    const ms = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    // The acknowledgement waited for the budget and came before the answer existed.
    expect(ms).toBeGreaterThanOrEqual(1_500);
    expect(fake.of('response').length).toBe(before);
    const calls = await fake.waitFor('response', before + 1);
    const last = calls[calls.length - 1]!;
    expect(last.query.response_code).toBe(new URL(responseUrl).searchParams.get('response_code'));
    // AI-bot markdown keeps the light emoji (no documented colours there).
    expect(last.body).toEqual({ msgtype: 'markdown', markdown: { content: '## 本周进度\n🔴 二.3 逾期' } });
  });

  it('the same msgid delivered three times is processed once, and every retry gets the same answer', async () => {
    const msgid = uid('retry');
    const cb = wecom.aibot(aibotText({ msgid, userid: 'zhangsan', chatid: 'wrkGROUP1', content: '@bot 进度' }));
    const contents: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(cb.query, cb.body);
      expect(res.status).toBe(200);
      const plain = JSON.parse(wecom.openJsonReply(await res.text(), cb.nonce).plain) as { stream: { content: string } };
      contents.push(plain.stream.content);
    }
    expect(h.received.filter((m) => m.messageId === msgid)).toHaveLength(1);
    expect(contents[0]).toContain('收到：进度');
    expect(contents.slice(1)).toEqual([contents[0], contents[0]]);
  });

  it('concurrent retries of one msgid are processed once', async () => {
    const msgid = uid('race');
    const cb = wecom.aibot(aibotText({ msgid, userid: 'zhangsan', chatid: 'wrkGROUP1', content: '@bot 进度' }));
    const res = await Promise.all([1, 2, 3].map(() => post(cb.query, cb.body)));
    expect(res.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(h.received.filter((m) => m.messageId === msgid)).toHaveLength(1);
  });

  it('mentions in a group with a group robot go out as a robot text with mentioned_list', async () => {
    answers.set('催办', { delayMs: 0, md: '请尽快整改', mentions: [{ userId: 'wangwu', name: '王五' }] });
    const before = fake.of('webhook').length;
    const cb = wecom.aibot(aibotText({ msgid: uid('m'), userid: 'zhangsan', chatid: 'wrkGROUPWITHROBOT', content: '@bot 催办' }));
    const res = await post(cb.query, cb.body);
    const plain = JSON.parse(wecom.openJsonReply(await res.text(), cb.nonce).plain);
    expect(plain.stream.content).toBe('请尽快整改');
    const calls = await fake.waitFor('webhook', before + 1);
    expect(calls[calls.length - 1]!.body).toEqual({ msgtype: 'text', text: { content: '提醒：进度', mentioned_list: ['wangwu'] } });
  });

  it('mentions in a group without a robot become a plain 提醒 line', async () => {
    answers.set('催办2', { delayMs: 0, md: '请尽快整改', mentions: [{ userId: 'wangwu', name: '王<五>' }] });
    const cb = wecom.aibot(aibotText({ msgid: uid('m'), userid: 'zhangsan', chatid: 'wrkGROUP1', content: '@bot 催办2' }));
    const plain = JSON.parse(wecom.openJsonReply(await (await post(cb.query, cb.body)).text(), cb.nonce).plain);
    expect(plain.stream.content).toBe('请尽快整改\n\n提醒：王＜五＞');
  });

  it('events and non-text messages are acknowledged without reaching the core', async () => {
    const n = h.received.length;
    const ev = wecom.aibot({ msgid: uid('e'), msgtype: 'event', chattype: 'single', from: { userid: 'u' }, event: { eventtype: 'enter_chat' } });
    // Pictures and files are messages now (evidence); a video is not.
    const video = wecom.aibot({ msgid: uid('i'), msgtype: 'video', chattype: 'single', from: { userid: 'u' }, video: { url: 'x' } });
    for (const cb of [ev, video]) {
      const res = await post(cb.query, cb.body);
      expect([res.status, await res.text()]).toEqual([200, '']);
    }
    expect(h.received.length).toBe(n);
  });
});
