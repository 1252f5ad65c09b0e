import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCallbacks } from '../../fakes/wecom/callbacks.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { KEYS, startHarness, uid, type Harness } from './harness.js';

/** App template_card_event callbacks at the edge: bad events refused, unknown cards answered 1:1, nothing reaches the core. */
describe('wecom app card click callbacks', () => {
  let fake: FakeWecomServer;
  let h: Harness;
  const keys = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: KEYS.corpId });
  beforeAll(async () => {
    fake = await new FakeWecomServer().start();
    h = await startHarness({ env: { WECOM_API_BASE: fake.url, WECOM_AGENT_ID: '1000002', WECOM_SECRET: fake.secret } });
  });
  afterAll(async () => {
    await h.stop();
    await fake.stop();
  });

  const event = (taskId: string, from = 'wangjing', key = 'a0') => `<xml><ToUserName><![CDATA[${KEYS.corpId}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>`
    + `<CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>`
    + `<EventKey><![CDATA[${key}]]></EventKey><TaskId><![CDATA[${taskId}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType>`
    + `<ResponseCode><![CDATA[rc${uid('x')}]]></ResponseCode><AgentID>1000002</AgentID></xml>`;
  const post = async (xml: string) => {
    const cb = keys.app(xml);
    return fetch(`${h.url}/wecom/app/callback?${cb.query}`, { method: 'POST', body: cb.body });
  };

  it('refuses a click whose TaskId is not a task_id (400), and one without TaskId', async () => {
    expect((await post(event('bad task'))).status).toBe(400);
    expect((await post(event('x'.repeat(129)))).status).toBe(400);
    expect((await post(event('').replace(/<TaskId>.*?<\/TaskId>/, ''))).status).toBe(400);
    expect(h.received).toHaveLength(0);
  });

  it('a click on a card this service does not know: empty 200, a 1:1 text to the clicker, nothing submitted', async () => {
    const res = await post(event(uid('ap').replace(/[^0-9a-zA-Z_-]/g, '_'), 'zhangxiao'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const [sent] = await fake.waitFor('send');
    expect(sent!.body).toMatchObject({ touser: 'zhangxiao', msgtype: 'markdown' });
    expect(sent!.body.markdown.content).toContain('已失效');
    expect(h.received).toHaveLength(0);
    expect(fake.of('update_card')).toHaveLength(0);
  });
});
