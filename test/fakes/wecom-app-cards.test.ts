import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDecrypt, fakeSign } from './wecom/crypto.js';
import { FakeCallbacks } from './wecom/callbacks.js';
import { FakeWecomServer } from './wecom/server.js';

/** The fake's self-built app template cards: send, click callback, update_template_card, each refusal. */
let clock = 1_700_000_000_000;
const fake = new FakeWecomServer({ now: () => clock });
const keys = new FakeCallbacks({ token: 'RectifyTok3n', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', receiveId: fake.corpId });
let token = '';
beforeAll(async () => {
  await fake.start();
  const r = await fetch(`${fake.url}/cgi-bin/gettoken?corpid=${fake.corpId}&corpsecret=${fake.secret}`);
  token = ((await r.json()) as { access_token: string }).access_token;
});
afterAll(async () => { await fake.stop(); });

const post = async (path: string, body: unknown): Promise<Record<string, any>> => {
  const r = await fetch(`${fake.url}${path}?access_token=${token}`, { method: 'POST', body: JSON.stringify(body) });
  return r.json() as Promise<Record<string, any>>;
};
const card = (taskId: string, buttons = 2) => ({
  card_type: 'button_interaction', main_title: { title: '待销号审核', desc: '二.1.1' }, task_id: taskId,
  button_list: Array.from({ length: buttons }, (_, i) => ({ text: `按钮${i}`, style: 1, key: `a${i}` })),
});
const send = (taskId: string, o: { buttons?: number; touser?: string; agentid?: unknown } = {}) => post('/cgi-bin/message/send', {
  touser: o.touser ?? 'wangjing', msgtype: 'template_card', agentid: 'agentid' in o ? o.agentid : 1000002, template_card: card(taskId, o.buttons),
});
const update = (body: Record<string, unknown>) => post('/cgi-bin/message/update_template_card', { agentid: 1000002, ...body });

describe('fake WeCom app template cards', () => {
  it('a send records the card per task_id and answers a response_code; the same task_id again is refused', async () => {
    const a = await send('tk_one', { touser: 'wangjing|zhouting' });
    expect(a).toMatchObject({ errcode: 0, response_code: expect.any(String) });
    expect(fake.appCards.view('tk_one', 'zhouting').card.button_list).toHaveLength(2);
    expect(fake.appCards.sentTo('wangjing').map((c) => c.taskId)).toContain('tk_one');
    const again = await send('tk_one');
    expect(again.errcode).toBe(40058);
    expect(again.errmsg).toContain('task_id');
    expect(fake.appCards.cards.get('tk_one')!.touser).toEqual(['wangjing', 'zhouting']);
  });

  it('refuses 7 buttons, 0 buttons, a task_id over 128 bytes or with other characters, and a send without agentid', async () => {
    expect((await send('tk_seven', { buttons: 7 })).errcode).toBe(40058);
    expect((await send('tk_zero', { buttons: 0 })).errcode).toBe(40058);
    expect((await send('x'.repeat(129))).errcode).toBe(40058);
    expect((await send('x'.repeat(128))).errcode).toBe(0);
    expect((await send('tk.dot')).errcode).toBe(40058);
    expect((await send('tk_noagent', { agentid: undefined })).errcode).toBe(40056);
    expect(fake.appCards.cards.has('tk_seven')).toBe(false);
  });

  it('a response_code updates once: button.replace_name for everyone, then refused', async () => {
    const { response_code } = await send('tk_upd', { touser: 'wangjing|zhouting' });
    expect(await update({ response_code, atall: 1, button: { replace_name: '已销号' } })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(fake.appCards.view('tk_upd', 'zhouting').replacedBy).toBe('已销号');
    const twice = await update({ response_code, atall: 1, button: { replace_name: '已退回' } });
    expect(twice.errcode).toBe(40058);
    expect(fake.appCards.view('tk_upd', 'wangjing').replacedBy).toBe('已销号');
  });

  it('refuses an update without recipients, with both shapes, without agentid, an unknown code, and a code older than 72 h', async () => {
    const { response_code } = await send('tk_bad');
    expect((await update({ response_code, button: { replace_name: 'x' } })).errcode).toBe(81013);
    expect((await update({ response_code, atall: 1, button: { replace_name: 'x' }, template_card: card('tk_bad') })).errcode).toBe(40058);
    expect((await post('/cgi-bin/message/update_template_card', { response_code, atall: 1, button: { replace_name: 'x' } })).errcode).toBe(40056);
    expect((await update({ response_code: 'nope', atall: 1, button: { replace_name: 'x' } })).errcode).toBe(40058);
    clock += 72 * 3_600_000 + 1;
    expect((await update({ response_code, atall: 1, button: { replace_name: 'x' } })).errcode).toBe(40058);
    expect(fake.appCards.view('tk_bad', 'wangjing').replacedBy).toBeUndefined();
  });

  it('a private template_card replacement shows to the named user only and must keep the task_id', async () => {
    const { response_code } = await send('tk_priv', { touser: 'wangjing|zhouting' });
    expect((await update({ response_code, userids: ['wangjing'], template_card: card('tk_other', 1) })).errcode).toBe(40058);
    expect(await update({ response_code, userids: ['wangjing'], template_card: { ...card('tk_priv', 1), main_title: { title: '请选择退回原因' } } })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(fake.appCards.view('tk_priv', 'wangjing').card.main_title.title).toBe('请选择退回原因');
    expect(fake.appCards.view('tk_priv', 'zhouting').card.main_title.title).toBe('待销号审核');
  });

  it('a click is a signed, encrypted template_card_event XML for the app, with a fresh single-use ResponseCode', async () => {
    await send('tk_click', { touser: 'wangjing' });
    const { callback, responseCode } = fake.appCards.click(keys, fake.corpId, 'tk_click', 'wangjing', 'a1');
    const q = new URLSearchParams(callback.query);
    const enc = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(callback.body)![1]!;
    expect(fakeSign(keys.keys.token, q.get('timestamp')!, q.get('nonce')!, enc)).toBe(q.get('msg_signature'));
    const plain = fakeDecrypt(keys.keys.encodingAesKey, enc);
    expect(plain.receiveId).toBe(fake.corpId);
    for (const part of ['<MsgType><![CDATA[event]]></MsgType>', '<Event><![CDATA[template_card_event]]></Event>', '<EventKey><![CDATA[a1]]></EventKey>',
      '<TaskId><![CDATA[tk_click]]></TaskId>', '<FromUserName><![CDATA[wangjing]]></FromUserName>', `<ResponseCode><![CDATA[${responseCode}]]></ResponseCode>`]) {
      expect(plain.msg).toContain(part);
    }
    expect(await update({ response_code: responseCode, atall: 1, button: { replace_name: '已退回' } })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await update({ response_code: responseCode, atall: 1, button: { replace_name: '已退回' } })).errcode).toBe(40058);
  });

  it('only a recipient can click, only a shown button, and nothing after a replace_name', async () => {
    const { response_code } = await send('tk_who', { touser: 'wangjing' });
    expect(() => fake.appCards.click(keys, fake.corpId, 'tk_who', 'zhangxiao', 'a0')).toThrow(/not sent to/);
    expect(() => fake.appCards.click(keys, fake.corpId, 'tk_who', 'wangjing', 'a9')).toThrow(/no button/);
    await update({ response_code, atall: 1, button: { replace_name: '已销号' } });
    expect(() => fake.appCards.click(keys, fake.corpId, 'tk_who', 'wangjing', 'a0')).toThrow(/nothing to click/);
  });
});
