import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEncrypt, fakeSign } from './wecom/crypto.js';
import { FakeCallbacks } from './wecom/callbacks.js';
import { aibotPassiveRefusal, appPassiveRefusal, WECOM_LIMITS } from './wecom/rules.js';
import { FakeWecomServer } from './wecom/server.js';

/**
 * The fake WeCom is a protocol implementation our senders are judged by, so it
 * gets its own tests: each documented refusal at its exact boundary.
 */
let clock = 1_700_000_000_000;
const fake = new FakeWecomServer({ now: () => clock });
beforeAll(async () => { await fake.start(); });
afterAll(async () => { await fake.stop(); });

const post = async (path: string, body: unknown): Promise<{ errcode: number; errmsg: string }> => {
  const r = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.status).toBe(200);
  return r.json() as Promise<{ errcode: number; errmsg: string }>;
};
const hook = (key: string, body: unknown) => post(`/cgi-bin/webhook/send?key=${key}`, body);
/** `n` bytes of content, in 3-byte characters where it divides (limits count bytes, not characters). */
const ofBytes = (n: number) => '整'.repeat(Math.floor(n / 3)) + 'a'.repeat(n % 3);

describe('fake WeCom group robot webhook/send', () => {
  const cases: Array<[string, (n: number) => object, number]> = [
    ['markdown', (n) => ({ msgtype: 'markdown', markdown: { content: ofBytes(n) } }), 4096],
    ['markdown_v2', (n) => ({ msgtype: 'markdown_v2', markdown_v2: { content: ofBytes(n) } }), 4096],
    ['text', (n) => ({ msgtype: 'text', text: { content: ofBytes(n), mentioned_list: ['zhangsan'] } }), 2048],
  ];
  it.each(cases)('%s: accepts the limit in bytes, refuses one byte more with 40058', async (type, body, limit) => {
    const key = fake.newWebhookKey();
    expect(await hook(key, body(limit))).toEqual({ errcode: 0, errmsg: 'ok' });
    const r = await hook(key, body(limit + 1));
    expect(r.errcode).toBe(40058);
    expect(r.errmsg).toContain(`${type}.content exceed max length ${limit}`);
  });

  it('counts bytes, not characters: 1,366 Chinese characters (4,098 bytes) are refused', async () => {
    const r = await hook(fake.newWebhookKey(), { msgtype: 'markdown', markdown: { content: '整'.repeat(1366) } });
    expect(r.errcode).toBe(40058);
  });

  it.each([
    ['unknown msgtype', { msgtype: 'card', card: {} }, 40008],
    ['no msgtype', { markdown: { content: 'x' } }, 40008],
    ['markdown without content', { msgtype: 'markdown', markdown: {} }, 40058],
    ['empty text', { msgtype: 'text', text: { content: '' } }, 40058],
    ['mentioned_list not a list', { msgtype: 'text', text: { content: 'x', mentioned_list: 'zhangsan' } }, 40058],
  ])('%s → %i', async (_name, body, code) => {
    expect((await hook(fake.newWebhookKey(), body)).errcode).toBe(code);
  });

  it('an unknown key is 93000 before anything else', async () => {
    expect((await hook('no-such-key', { msgtype: 'nope' })).errcode).toBe(93000);
  });

  it('20 messages a minute per robot, then 45009; other robots unaffected; the window slides', async () => {
    const key = fake.newWebhookKey();
    const other = fake.newWebhookKey();
    const md = { msgtype: 'markdown', markdown: { content: 'm' } };
    for (let i = 0; i < 20; i++) {
      expect((await hook(key, md)).errcode).toBe(0);
      clock += 1000; // 20 sends over 20 s
    }
    expect(await hook(key, md)).toEqual({ errcode: 45009, errmsg: 'api freq out of limit' });
    expect((await hook(other, md)).errcode).toBe(0);
    clock += 40_001; // the first send is now 60.001 s old: one slot frees, the second is still 59 s old
    expect((await hook(key, md)).errcode).toBe(0);
    expect((await hook(key, md)).errcode).toBe(45009);
    expect(fake.refused('webhook').map((c) => c.answer!.errcode)).toContain(45009);
  });
});

describe('fake WeCom app message/send', () => {
  let token = '';
  beforeAll(async () => {
    const r = await fetch(`${fake.url}/cgi-bin/gettoken?corpid=${fake.corpId}&corpsecret=${fake.secret}`);
    token = ((await r.json()) as { access_token: string }).access_token;
  });
  const send = (body: object) => post(`/cgi-bin/message/send?access_token=${token}`, { agentid: 1000002, ...body });

  it.each([['text', 2048], ['markdown', 2048]] as const)('%s: %i bytes pass, one more is 40058', async (type, limit) => {
    expect((await send({ touser: 'zhangsan', msgtype: type, [type]: { content: ofBytes(limit) } })).errcode).toBe(0);
    expect((await send({ touser: 'zhangsan', msgtype: type, [type]: { content: ofBytes(limit + 1) } })).errcode).toBe(40058);
  });

  it('no recipient → 81013; unknown msgtype → 40008; a bad token still wins first (42001)', async () => {
    expect((await send({ msgtype: 'text', text: { content: 'x' } })).errcode).toBe(81013);
    expect((await send({ touser: 'zhangsan', msgtype: 'stream', stream: {} })).errcode).toBe(40008);
    const r = await post('/cgi-bin/message/send?access_token=bogus', { touser: 'u', msgtype: 'nope' });
    expect(r.errcode).toBe(42001);
  });

  it('a member takes 30 app messages a minute; the 31st is answered ok but dropped silently, and the minute slides', async () => {
    const text = { msgtype: 'text', text: { content: '提醒' } };
    const before = fake.dropped().length;
    for (let i = 0; i < 30; i++) expect((await send({ touser: 'limituser', ...text })).errcode).toBe(0);
    expect(fake.dropped().length - before).toBe(0);
    expect(await send({ touser: 'limituser|otheruser', ...text })).toMatchObject({ errcode: 0 });
    expect(fake.dropped().slice(before).map((d) => d.user)).toEqual(['limituser']);
    clock += 60_001;
    await send({ touser: 'limituser', ...text });
    expect(fake.dropped().length - before).toBe(1);
  });
});

describe('fake WeCom AI-bot response_url', () => {
  const respond = (url: string, body: object) => post(new URL(url).pathname + new URL(url).search, body);

  it('markdown up to 20,480 bytes; over that 40058 and the URL stays usable; then once only', async () => {
    const url = fake.newResponseUrl();
    expect((await respond(url, { msgtype: 'markdown', markdown: { content: ofBytes(WECOM_LIMITS.aibot + 1) } })).errcode).toBe(40058);
    expect((await respond(url, { msgtype: 'text', text: { content: 'x' } })).errcode).toBe(40008);
    expect((await respond(url, { msgtype: 'markdown', markdown: { content: ofBytes(WECOM_LIMITS.aibot) } })).errcode).toBe(0);
    const again = await respond(url, { msgtype: 'markdown', markdown: { content: 'x' } });
    expect([again.errcode, again.errmsg]).toEqual([40058, 'response_code used or expired']);
  });
});

describe('fake WeCom passive replies (what FakeCallbacks accepts)', () => {
  const stream = (content: string, id = 's1') => JSON.stringify({ msgtype: 'stream', stream: { id, finish: true, content } });

  it('AI bot: a stream of 20,480 bytes is fine, one more byte, no id or another msgtype is refused', () => {
    expect(aibotPassiveRefusal(stream(ofBytes(20480)))).toBeNull();
    expect(aibotPassiveRefusal(stream(ofBytes(20481)))?.errcode).toBe(40058);
    expect(aibotPassiveRefusal(stream('x', ''))?.errcode).toBe(40058);
    expect(aibotPassiveRefusal(JSON.stringify({ msgtype: 'markdown', markdown: { content: 'x' } }))?.errcode).toBe(40008);
    expect(aibotPassiveRefusal('not json')?.errcode).toBe(40058);
  });

  it('app: text Content up to 2,048 bytes; a type WeCom does not know is refused', () => {
    const xml = (type: string, c: string) => `<xml><MsgType><![CDATA[${type}]]></MsgType><Content><![CDATA[${c}]]></Content></xml>`;
    expect(appPassiveRefusal(xml('text', ofBytes(2048)))).toBeNull();
    expect(appPassiveRefusal(xml('text', ofBytes(2049)))?.errcode).toBe(40058);
    expect(appPassiveRefusal(xml('markdown', 'x'))?.errcode).toBe(40008);
  });

  it('openJsonReply throws on a reply WeCom would refuse, and opens one it accepts', () => {
    const keys = { token: 'tok', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', receiveId: '' };
    const cb = new FakeCallbacks(keys);
    const seal = (plain: string) => {
      const encrypt = fakeEncrypt(keys.encodingAesKey, plain, '');
      return JSON.stringify({ encrypt, msgsignature: fakeSign('tok', '1', 'n', encrypt), timestamp: '1', nonce: 'n' });
    };
    expect(cb.openJsonReply(seal(stream('好')), 'n').plain).toBe(stream('好'));
    expect(() => cb.openJsonReply(seal(stream(ofBytes(20481))), 'n')).toThrow(/40058/);
  });
});
