import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCallbacks, aibotText, appText } from '../../fakes/wecom/callbacks.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { KEYS, reply, startHarness, uid, type Harness } from './harness.js';

/**
 * Passive answers against the limits the fake enforces when it opens them
 * (FakeCallbacks throws on a reply WeCom would refuse): a 30 KB answer must
 * arrive as a stream of at most 20,480 bytes (AI bot) or a text of at most
 * 2,048 bytes (app without message/send).
 */
const fake = new FakeWecomServer();
const digest = Array.from({ length: 400 }, (_, i) => `🔴 第${i + 1}项 某某部门整改事项说明，责任人张三`).join('\n');
let h: Harness;

beforeAll(async () => {
  await fake.start();
  // No WECOM_AGENT_ID/WECOM_SECRET: the app cannot use message/send, so a long answer must be cut to fit.
  h = await startHarness({ env: { WECOM_API_BASE: fake.url, WECOM_REPLY_BUDGET_MS: '3000' }, handle: async () => reply(digest) });
});
afterAll(async () => {
  await h?.stop();
  await fake.stop();
});

describe('wecom passive answers stay inside what WeCom accepts', () => {
  it('AI bot: a 30 KB answer is one finished stream of at most 20,480 bytes', async () => {
    const wecom = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: '' });
    const cb = wecom.aibot(aibotText({ msgid: uid('m'), userid: 'zhangsan', chatid: 'wrkLONG', content: '@整改督办 逾期', responseUrl: fake.newResponseUrl() }));
    const res = await fetch(`${h.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const plain = JSON.parse(wecom.openJsonReply(await res.text(), cb.nonce).plain);
    expect(plain.stream.finish).toBe(true);
    expect(Buffer.byteLength(plain.stream.content)).toBeGreaterThan(20_000); // as much as fits, not a stub
    expect(Buffer.byteLength(plain.stream.content)).toBeLessThanOrEqual(20_480);
    expect(plain.stream.content).toContain('已截断');
  });

  it('app: a 30 KB answer without message/send is a passive text of at most 2,048 bytes', async () => {
    const wecom = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: KEYS.corpId });
    const cb = wecom.app(appText({ corpId: KEYS.corpId, from: 'lisi', content: '逾期', msgId: String(Date.now()) }));
    const res = await fetch(`${h.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'text/xml' } });
    expect(res.status).toBe(200);
    const { plain } = wecom.openXmlReply(await res.text(), cb.nonce);
    const content = /<Content><!\[CDATA\[([\s\S]*?)\]\]><\/Content>/.exec(plain)![1]!;
    expect(Buffer.byteLength(content)).toBeGreaterThan(1_500);
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(2_048);
  });
});
