import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vectors from '../../fixtures/wecom/vectors.json' with { type: 'json' };
import { fixedClock } from '../../../src/core/clock.js';
import { FakeCallbacks, appText } from '../../fakes/wecom/callbacks.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { KEYS, reply, startHarness, type Harness } from './harness.js';

const A = vectors.keysets.A;

describe('wecom self-built app callbacks: official vectors through the app', () => {
  let h: Harness;
  beforeAll(async () => {
    // Keyset A is from 2014: pin the clock next to the vectors so they are not stale.
    h = await startHarness({
      clock: fixedClock(new Date(1409659813 * 1000)),
      env: { WECOM_TOKEN: A.token, WECOM_ENCODING_AES_KEY: A.encodingAESKey, WECOM_CORP_ID: A.receiveid },
      handle: async () => reply('你好'),
    });
  });
  afterAll(() => h.stop());

  it('A1: URL verification on both routes answers the bare plaintext', async () => {
    const v = vectors.vectors[0]!;
    const q = `msg_signature=${v.msg_signature}&timestamp=${v.timestamp}&nonce=${v.nonce}&echostr=${v.echostr_urlencoded}`;
    for (const path of ['/wecom/callback', '/wecom/app/callback']) {
      const res = await fetch(`${h.url}${path}?${q}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('1616140317555161061');
    }
  });

  it('A2: the XML callback reaches the core with MsgId kept as an exact string', async () => {
    const v = vectors.vectors[1]!;
    const res = await fetch(`${h.url}/wecom/app/callback?msg_signature=${v.msg_signature}&timestamp=${v.timestamp}&nonce=${v.nonce}`, {
      method: 'POST', body: v.body, headers: { 'content-type': 'text/xml' },
    });
    expect(res.status).toBe(200);
    expect(h.received.at(-1)).toEqual({
      platform: 'wecom', chatId: 'mycreate', chatType: 'private', messageId: '4561255354251345929', senderId: 'mycreate', text: 'hello',
    });
    const fake = new FakeCallbacks({ token: A.token, encodingAesKey: A.encodingAESKey, receiveId: A.receiveid });
    const opened = fake.openXmlReply(await res.text(), v.nonce);
    expect(opened.receiveId).toBe(A.receiveid);
    expect(opened.plain).toContain('<ToUserName><![CDATA[mycreate]]></ToUserName>');
    expect(opened.plain).toContain('<FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName>');
    expect(opened.plain).toContain('<Content><![CDATA[你好]]></Content>');
  });

  it('A3: a JSON-style app callback on the shared route keeps the 64-bit MsgId', async () => {
    const v = vectors.vectors[2]!;
    const n = h.received.length;
    const res = await fetch(`${h.url}/wecom/callback?msg_signature=${v.msg_signature}&timestamp=${v.timestamp}&nonce=${v.nonce}`, {
      method: 'POST', body: v.body,
    });
    // Same MsgId as A2: a retry, so not processed again, and answered with A2's stored answer.
    expect(res.status).toBe(200);
    expect(h.received.length).toBe(n);
    const fake = new FakeCallbacks({ token: A.token, encodingAesKey: A.encodingAESKey, receiveId: A.receiveid });
    expect(fake.openXmlReply(await res.text(), v.nonce).plain).toContain('<Content><![CDATA[你好]]></Content>');
  });

  it('A4: the official malformed JSON sample is refused', async () => {
    const v = vectors.vectors[3]!;
    const res = await fetch(`${h.url}/wecom/callback?msg_signature=${v.msg_signature}&timestamp=${v.timestamp}&nonce=${v.nonce}`, {
      method: 'POST', body: v.body,
    });
    expect(res.status).toBe(400);
  });
});

describe('wecom self-built app callbacks: slow answers through message/send', () => {
  const fake = new FakeWecomServer();
  const app = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: KEYS.corpId });
  let h: Harness;
  beforeAll(async () => {
    await fake.start();
    h = await startHarness({
      env: {
        WECOM_API_BASE: fake.url, WECOM_REPLY_BUDGET_MS: '200', WECOM_AGENT_ID: '1000002', WECOM_SECRET: fake.secret,
        WECOM_CORP_ID: fake.corpId,
      },
      handle: async (m) => {
        if (m.text === '慢') await new Promise((r) => setTimeout(r, 500));
        return m.text === '长' ? reply('长'.repeat(1000)) : reply(`🟢 ${m.text}`);
      },
    });
  });
  afterAll(async () => {
    await h.stop();
    await fake.stop();
  });

  const send = async (content: string) => {
    const cb = app.app(appText({ corpId: KEYS.corpId, from: 'zhaoliu', content, msgId: String(BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))) }));
    return fetch(`${h.url}/wecom/app/callback?${cb.query}`, { method: 'POST', body: cb.body });
  };

  it('a slow answer: empty 200 now, then message/send with a fetched token', async () => {
    const res = await send('慢');
    expect([res.status, await res.text()]).toEqual([200, '']);
    const [call] = await fake.waitFor('send', 1);
    expect(fake.of('gettoken')).toHaveLength(1);
    expect(call!.body).toEqual({
      touser: 'zhaoliu', msgtype: 'markdown', agentid: 1000002,
      markdown: { content: '<font color="info">●</font> 慢' },
    });
  });

  it('an answer over 2,048 bytes skips the passive reply and goes whole through message/send', async () => {
    const before = fake.of('send').length;
    const res = await send('长');
    expect([res.status, await res.text()]).toEqual([200, '']);
    const calls = await fake.waitFor('send', before + 2);
    expect(calls.slice(before).map((c) => c.body.markdown.content.replace(/（续 \d\/\d）\n/, '')).join('')).toBe('长'.repeat(1000));
    expect(fake.of('gettoken')).toHaveLength(1); // cached
  });

  it('an expired token (42001) is refetched once and the send retried', async () => {
    fake.expireTokens();
    const before = fake.of('send').length;
    await send('慢');
    await fake.waitFor('send', before + 2);
    expect(fake.of('gettoken')).toHaveLength(2);
    expect(h.logs()).toContain('late answer delivered');
  });

  it('ids: a retried app callback (same MsgId) is processed once', async () => {
    const msgId = `9${Date.now()}${Math.floor(Math.random() * 1e6)}`; // > 2^53, like real MsgIds
    const cb = app.app(appText({ corpId: KEYS.corpId, from: 'zhaoliu', content: '进度', msgId }));
    for (let i = 0; i < 3; i++) await fetch(`${h.url}/wecom/app/callback?${cb.query}`, { method: 'POST', body: cb.body });
    expect(h.received.filter((m) => m.messageId === msgId)).toHaveLength(1);
  });
});
