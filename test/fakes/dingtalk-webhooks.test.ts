import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDingtalk } from './dingtalk/server.js';
import { OAPI_MAX_BYTES, oapiMessageRefusal } from './dingtalk/rules.js';

/**
 * The fake DingTalk's oapi webhooks (sessionWebhook and the custom robot) are
 * what our repliers are judged by, so each documented refusal is tested here
 * at its boundary, over HTTP, as DingTalk would answer it (HTTP 200 + errcode).
 */
let clock = 1_700_000_000_000;
let fake: FakeDingtalk;
beforeAll(async () => { fake = await FakeDingtalk.start({ now: () => clock }); });
afterAll(async () => { await fake.close(); });

const postRaw = async (url: string, raw: string) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
  return { status: r.status, body: (await r.json()) as { errcode: number; errmsg: string } };
};
const session = () => fake.api.newSession(clock + 90 * 60_000);
const md = (text: string, title = '周报') => ({ msgtype: 'markdown', markdown: { title, text }, at: { atUserIds: [], isAtAll: false } });
/** A markdown body of exactly `n` bytes once serialised. */
function bodyOfBytes(n: number): string {
  const room = n - Buffer.byteLength(JSON.stringify(md('')));
  return JSON.stringify(md('整'.repeat(Math.floor(room / 3)) + 'a'.repeat(room % 3)));
}

describe('fake DingTalk sendBySession', () => {
  it('the 20,000-byte limit counts the whole body in bytes: at the limit ok, one byte over 460101', async () => {
    const at = bodyOfBytes(OAPI_MAX_BYTES);
    expect(Buffer.byteLength(at)).toBe(OAPI_MAX_BYTES);
    expect((await postRaw(session(), at)).body).toEqual({ errcode: 0, errmsg: 'ok' });
    const over = bodyOfBytes(OAPI_MAX_BYTES + 1);
    expect(Buffer.byteLength(over)).toBe(OAPI_MAX_BYTES + 1);
    const r = await postRaw(session(), over);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ errcode: 460101, errmsg: 'message too long, exceed 20000 bytes' });
  });

  it.each([
    ['text', 0, { msgtype: 'text', text: { content: '收到' }, at: { atUserIds: ['u1'], isAtAll: false } }],
    ['markdown', 0, md('**本周**')],
    ['actionCard with one button', 0, { msgtype: 'actionCard', actionCard: { title: 't', text: 'x', singleTitle: '查看', singleURL: 'https://a.example/' } }],
    ['actionCard with btns', 0, { msgtype: 'actionCard', actionCard: { title: 't', text: 'x', btns: [{ title: '查看', actionURL: 'https://a.example/' }] } }],
    ['text without content', 400403, { msgtype: 'text', text: {} }],
    ['markdown without title', 400402, { msgtype: 'markdown', markdown: { text: 'x' } }],
    ['markdown with an empty text', 400403, md('')],
    ['actionCard without a button', 400403, { msgtype: 'actionCard', actionCard: { title: 't', text: 'x' } }],
    ['actionCard with a half button', 400403, { msgtype: 'actionCard', actionCard: { title: 't', text: 'x', singleTitle: '查看' } }],
    ['at.atUserIds not a list', 400403, { ...md('x'), at: { atUserIds: 'u1' } }],
    ['unknown msgtype', 40035, { msgtype: 'card', card: {} }],
    ['link (custom robot only)', 40035, { msgtype: 'link', link: { title: 't', text: 'x', messageUrl: 'https://a.example/' } }],
  ])('%s → errcode %i', async (_name, code, body) => {
    expect((await postRaw(session(), JSON.stringify(body))).body.errcode).toBe(code);
  });

  it('a body that is not JSON is 40035 缺少参数 json', async () => {
    expect((await postRaw(session(), '{"msgtype":"text","text":{"content":"a\nb"}}')).body).toEqual({ errcode: 40035, errmsg: '缺少参数 json' });
  });

  it('an expired session fails with HTTP 500 before the body is looked at', async () => {
    const url = fake.api.newSession(clock - 1);
    expect((await postRaw(url, '{}')).status).toBe(500);
  });
});

describe('fake DingTalk custom robot /robot/send', () => {
  const robotUrl = (token: string) => `${fake.baseUrl}/robot/send?access_token=${token}`;

  it('applies the same shape and size checks after the token', async () => {
    fake.api.customRobots.set('shape', { sent: [] });
    expect((await postRaw(robotUrl('shape'), bodyOfBytes(OAPI_MAX_BYTES + 1))).body.errcode).toBe(460101);
    expect((await postRaw(robotUrl('shape'), JSON.stringify({ msgtype: 'link', link: { title: 't', text: 'x', messageUrl: 'https://a.example/' } }))).body.errcode).toBe(0);
    expect((await postRaw(robotUrl('nope'), bodyOfBytes(OAPI_MAX_BYTES + 1))).body.errcode).toBe(300001);
    // Refused bodies did not count against the robot's minute.
    expect(fake.api.customRobots.get('shape')!.sent).toHaveLength(1);
  });

  it('20 a minute; the 21st is 130101 and throttles the robot for 10 minutes', async () => {
    fake.api.customRobots.set('busy', { sent: [] });
    const send = () => postRaw(robotUrl('busy'), JSON.stringify(md('x')));
    for (let i = 0; i < 20; i++) expect((await send()).body.errcode).toBe(0);
    expect((await send()).body).toEqual({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    clock += 61_000; // the minute has passed, but the throttle has not
    expect((await send()).body.errcode).toBe(130101);
    clock += 9 * 60_000;
    expect((await send()).body.errcode).toBe(0);
  });
});

describe('oapiMessageRefusal (the rule table itself)', () => {
  it('checks size before parsing, so an oversize non-JSON body is 460101', () => {
    expect(oapiMessageRefusal('x'.repeat(OAPI_MAX_BYTES + 1), 'session')?.errcode).toBe(460101);
    expect(oapiMessageRefusal('[1]', 'session')?.errcode).toBe(40035);
    expect(oapiMessageRefusal(JSON.stringify({ msgtype: 'feedCard', feedCard: { links: [{}] } }), 'robot')).toBeNull();
    expect(oapiMessageRefusal(JSON.stringify({ msgtype: 'feedCard', feedCard: { links: [{}] } }), 'session')?.errcode).toBe(40035);
  });
});
