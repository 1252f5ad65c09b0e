import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCallbacks, aibotText, appText } from '../../fakes/wecom/callbacks.js';
import { fakeEncrypt, fakeSign } from '../../fakes/wecom/crypto.js';
import { KEYS, reply, startHarness, uid, type Harness } from './harness.js';

/**
 * Every kind of bad input is refused with a 4xx, never reaches the core, logs
 * nothing secret or from the ledger, and the service keeps serving.
 */
describe('wecom callbacks: bad input', () => {
  const bot = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: '' });
  const app = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: KEYS.corpId });
  const SECRET_TEXT = '机密整改内容ZXQ';
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { WECOM_MAX_BODY_BYTES: '4096' }, handle: async () => reply('ok') });
  });
  afterAll(() => h.stop());

  const msg = () => aibotText({ msgid: uid('bad'), userid: 'zhangsan', chatid: 'wrkG', content: `@bot ${SECRET_TEXT}` });
  const sign = (enc: string, ts = String(Math.floor(Date.now() / 1000)), nonce = '12345') =>
    new URLSearchParams({ msg_signature: fakeSign(KEYS.token, ts, nonce, enc), timestamp: ts, nonce }).toString();
  const good = fakeEncrypt(KEYS.encodingAesKey, JSON.stringify(msg()), '');
  const raw = Buffer.from(good, 'base64');
  const forge = (bytes: Buffer) => bytes.toString('base64');

  type Case = [name: string, status: number, build: () => { path?: string; query: string; body?: string; method?: string }];
  const cases: Case[] = [
    ['wrong signature', 401, () => ({ ...bot.aibot(msg(), { signature: 'a'.repeat(40) }) })],
    ['signature not hex', 401, () => ({ ...bot.aibot(msg(), { signature: 'zz' }) })],
    ['missing signature', 401, () => ({ query: 'timestamp=1&nonce=2', body: JSON.stringify({ encrypt: good }) })],
    ['signed with another token', 401, () => {
      const ts = String(Math.floor(Date.now() / 1000));
      return { query: new URLSearchParams({ msg_signature: fakeSign('otherToken', ts, '1', good), timestamp: ts, nonce: '1' }).toString(), body: JSON.stringify({ encrypt: good }) };
    }],
    ['stale timestamp (replay)', 401, () => bot.aibot(msg(), { timestamp: String(Math.floor(Date.now() / 1000) - 3600) })],
    ['wrong receiveid', 401, () => bot.aibot(msg(), { receiveId: 'wwSOMEONEELSE' })],
    ['AI-bot message carrying the corp id', 401, () => bot.aibot(msg(), { receiveId: KEYS.corpId })],
    ['app message carrying the AI-bot receiveid ""', 401, () => app.app(appText({ corpId: KEYS.corpId, from: 'u', content: SECRET_TEXT, msgId: '1' }), { receiveId: '' })],
    ['encrypted with another key', 400, () => withSig(fakeEncrypt('Z'.repeat(43), JSON.stringify(msg()), ''))],
    ['bad base64', 400, () => ({ query: sign('@@not-base64@@'), body: JSON.stringify({ encrypt: '@@not-base64@@' }) })],
    ['bad padding', 400, () => {
      const b = Buffer.from(raw);
      b.fill(0xaa, b.length - 16); // garble the last block: the pad bytes decrypt to noise
      return withSig(forge(b));
    }],
    ['truncated ciphertext', 400, () => withSig(forge(raw.subarray(0, raw.length - 7)))],
    ['ciphertext cut at a block boundary', 400, () => withSig(forge(raw.subarray(0, 32)))],
    ['oversized body', 413, () => ({ query: sign(good), body: JSON.stringify({ encrypt: good, pad: 'x'.repeat(5000) }) })],
    ['malformed JSON envelope', 400, () => ({ query: sign(good), body: `{"encrypt": "${good}"` })],
    ['JSON envelope without encrypt', 400, () => ({ query: sign(good), body: '{"foo":1}' })],
    ['malformed XML envelope', 400, () => ({ query: sign(good), body: `<xml><Encrypt><![CDATA[${good}]]></Encrypt>` })],
    ['XML with a DOCTYPE', 400, () => ({ query: sign(good), body: `<!DOCTYPE xml [<!ENTITY a "b">]><xml><Encrypt>${good}</Encrypt></xml>` })],
    ['neither JSON nor XML', 415, () => ({ query: sign(good), body: 'encrypt=abc' })],
    ['malformed decrypted JSON (official A4 style)', 400, () => withSig(fakeEncrypt(KEYS.encodingAesKey, '{ "FromUserName": :mycreate" }', ''))],
    ['decrypted JSON of the wrong shape', 400, () => withSig(fakeEncrypt(KEYS.encodingAesKey, '{"msgid":"1","msgtype":"text"}', ''))],
    ['URL verification with a wrong signature', 401, () => ({ method: 'GET', query: bot.urlVerify('123', { signature: 'b'.repeat(40) }) })],
    ['URL verification with a wrong receiveid', 401, () => ({ method: 'GET', query: bot.urlVerify('123', { receiveId: 'wwOTHER' }) })],
    ['app route with the AI-bot receiveid', 401, () => ({ path: '/wecom/app/callback', ...app.app(appText({ corpId: KEYS.corpId, from: 'u', content: 'x', msgId: '2' }), { receiveId: '' }) })],
  ];

  function withSig(enc: string) {
    return { query: sign(enc), body: JSON.stringify({ encrypt: enc }) };
  }

  it.each(cases)('%s → %i, nothing processed', async (_name, status, build) => {
    const before = h.received.length;
    const c = build();
    const res = await fetch(`${h.url}${c.path ?? '/wecom/callback'}?${c.query}`, {
      method: c.method ?? 'POST', body: c.method === 'GET' ? undefined : c.body,
    });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe('');
    expect(h.received.length).toBe(before);
  });

  it('logged refusals hold no secrets, ciphertext or message content', () => {
    const logs = h.logs();
    expect(logs).toContain('wecom callback rejected');
    for (const secret of [KEYS.token, KEYS.encodingAesKey, SECRET_TEXT, good.slice(0, 24)]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/[0-9a-f]{40}/); // no signatures
    expect(logs).not.toContain('zhangsan');
  });

  it('keeps serving: a good callback after all that is processed', async () => {
    const cb = bot.aibot(aibotText({ msgid: uid('ok'), userid: 'zhangsan', chatid: 'wrkG', content: '@bot 进度' }));
    const res = await fetch(`${h.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
    expect(res.status).toBe(200);
    expect(JSON.parse(bot.openJsonReply(await res.text(), cb.nonce).plain).stream.content).toBe('ok');
  });
});
