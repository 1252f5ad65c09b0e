import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../helpers/redis.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import type { Measure } from '../../src/ledger/types.js';
import { FakeWecomServer } from '../fakes/wecom/server.js';
import { FakeCallbacks, aibotText, appText } from '../fakes/wecom/callbacks.js';
import { FakeCardClient } from '../fakes/wecom/cards.js';
import { KEYS, startHarness, type Harness } from '../bot/wecom/harness.js';
import { schedWorld, type SchedWorld } from './harness.js';

const OFFICE = 'wangjing';
const OFFICE2 = 'zhouting';
const OWNER = 'chenmin';
const GROUP = 'wrkGroup01';

/** The user directory is global: accounts other test files left under the demo names would be reached too. */
async function flushTestDb(): Promise<void> {
  const r = new Redis(testRedisUrl());
  await r.flushdb();
  r.disconnect();
}

const until = async (f: () => boolean | Promise<boolean>, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * The office's 1:1 approval card on WeCom: the real pipeline behind the WeCom
 * adapter (app callback route, durable inbound queue), the scheduler's outbox
 * and delivery worker, and the fake's app template cards (send, click
 * callback, update_template_card).
 */
describe('WeCom office 1:1 approval card through the self-built app (审批私信 开)', () => {
  let fake: FakeWecomServer;
  let w: SchedWorld;
  let h: Harness;
  let keys: FakeCallbacks;

  beforeAll(async () => {
    await flushTestDb();
    fake = await new FakeWecomServer().start();
    w = await schedWorld({ config: { robotLimit: 600 } });
    await w.open.services.directory.putUsers([
      { platform: 'wecom', userId: OFFICE, name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'wecom', userId: OFFICE2, name: '周婷', department: '综合办公室', role: 'office' },
      { platform: 'wecom', userId: OWNER, name: '陈敏', department: '政治部', role: 'owner' },
    ]);
    h = await startHarness({
      clock: w.clock,
      env: { WECOM_API_BASE: fake.url, WECOM_AGENT_ID: '1000002', WECOM_SECRET: fake.secret },
      handle: (m) => w.pipeline.handle(m),
      getBinding: (p, c) => w.open.services.directory.getBinding(p, c),
    });
    w.senders.register(h.ctx.senders.get('wecom')!);
    keys = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: fake.corpId }, () => Math.floor(w.clock.now().getTime() / 1000));
    await w.open.services.directory.bind({ platform: 'wecom', chatId: GROUP, ledgerId: w.ledgerId, channel: {}, boundAt: w.clock.now().toISOString() });
    await w.service.reachSettings.setApprovalDirect(w.ledgerId, true, { name: '王静' });
    w.startWorker();
  });
  afterAll(async () => {
    await h?.stop();
    await w?.closeAll();
    await fake?.stop();
  });

  const itemOf = async (code: string) => (await w.open.services.ledgers.resolveAlias(w.ledgerId, aliasOf(parseCode(code)!)))[0]!;
  const status = async (code: string) => ((await w.open.services.ledgers.getItem(w.ledgerId, await itemOf(code))) as Measure).status;
  const history = async (code: string) => w.open.services.ledgers.history(w.ledgerId, await itemOf(code));
  const complete = async (code: string, note: string, by = OWNER) => {
    const r = await w.pipeline.handle({ platform: 'wecom', chatId: GROUP, chatType: 'group', messageId: randomUUID(), senderId: by, text: `完成 ${code} ${note}` });
    expect(r?.outcome?.kind).toBe('changed');
  };
  const cardOf = (user: string, n: number) => fake.appCards.sentTo(user)[n]!;
  const click = (taskId: string, user: string, key: string) => fake.appCards.press(h.url, keys, fake.corpId, taskId, user, key);
  const textsTo = (user: string, has: string) => fake.of('send').filter((c) => c.body.touser === user && c.body.msgtype === 'markdown' && String(c.body.markdown.content).includes(has));

  it('a completion sends one app card to each office member, once; a non-office click changes nothing and gets 仅限整改办; the office\'s click strikes the item off, shown on both cards; a repeat is applied once', async () => {
    await complete('二.1.1', '任职文件已印发');
    await w.waitLog((es) => es.filter((e) => e.platform === 'wecom' && e.kind === 'approval' && e.status === 'sent').length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.appCards.sentTo(OFFICE)).toHaveLength(1);
    expect(fake.appCards.sentTo(OFFICE2)).toHaveLength(1);
    expect(fake.appCards.sentTo(OWNER)).toHaveLength(0);
    const mine = cardOf(OFFICE, 0);
    const theirs = cardOf(OFFICE2, 0);
    expect(mine.touser).toEqual([OFFICE]);
    expect(mine.taskId).not.toBe(theirs.taskId);
    expect(mine.card).toMatchObject({ card_type: 'button_interaction', main_title: { title: '待销号审核' } });
    expect(mine.card.button_list.map((b: { text: string }) => b.text)).toEqual(['销号', '退回']);
    expect(mine.card.horizontal_content_list).toContainEqual({ keyname: '责任人', value: '陈敏' });
    // No text copy naming the commands went out.
    expect(fake.of('send').filter((c) => c.body.msgtype === 'markdown')).toHaveLength(0);

    // 周婷 is no longer office when she clicks: refused in a 1:1 text, the card says so to her, the item stays.
    await w.open.services.directory.putUsers([{ platform: 'wecom', userId: OFFICE2, name: '周婷', department: '综合办公室', role: 'viewer' }]);
    expect((await click(theirs.taskId, OFFICE2, 'a0')).status).toBe(200);
    await until(() => textsTo(OFFICE2, '仅限整改办').length === 1, '仅限整改办 text');
    expect(await status('二.1.1')).toBe('待销号');
    await until(() => String(fake.appCards.view(theirs.taskId, OFFICE2).card.sub_title_text ?? '').includes('仅限整改办'), 'hint on her card');
    expect(fake.appCards.view(theirs.taskId, OFFICE2).replacedBy).toBeUndefined();
    // The same click again (a second tap) is the same message: not applied, not answered again.
    await click(theirs.taskId, OFFICE2, 'a0');
    await new Promise((r) => setTimeout(r, 300));
    expect(textsTo(OFFICE2, '仅限整改办')).toHaveLength(1);

    const first = await click(mine.taskId, OFFICE, 'a0');
    expect(first.status).toBe(200);
    await until(async () => (await status('二.1.1')) === '已销号', 'struck off');
    await until(() => fake.appCards.view(mine.taskId, OFFICE).replacedBy === '已销号', 'my card shows 已销号');
    await until(() => fake.appCards.view(theirs.taskId, OFFICE2).replacedBy === '已销号', 'the other copy shows 已销号');
    const struck = (await history('二.1.1')).filter((e) => e.action === '销号');
    expect(struck).toHaveLength(1);
    expect(struck[0]!.actor).toMatchObject({ platform: 'wecom', userId: OFFICE, name: '王静' });
    // WeCom retries the same callback: applied once.
    expect((await fake.appCards.press(h.url, keys, fake.corpId, mine.taskId, OFFICE, 'a0', first.callback)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await history('二.1.1')).filter((e) => e.action === '销号')).toHaveLength(1);
    expect(fake.refused('update_card')).toEqual([]);
    expect(fake.refused('send')).toEqual([]);
  });

  it('退回 offers the preset reasons on the card; picking one sends the item back with that reason', async () => {
    await w.open.services.directory.putUsers([{ platform: 'wecom', userId: OFFICE2, name: '周婷', department: '综合办公室', role: 'office' }]);
    expect((await w.say('office', '退回 二.1.2 请补充材料'))!.markdown).toContain('已退回');
    // Reported by 周婷 (office): the copy goes to 王静 only.
    await complete('二.1.2', '已建立随机分案记录', OFFICE2);
    await until(() => fake.appCards.sentTo(OFFICE).length === 2, 'the second card');
    const card = cardOf(OFFICE, 1);
    await click(card.taskId, OFFICE, 'a1');
    const reasons = fake.appCards.view(card.taskId, OFFICE).card;
    expect(reasons.main_title.title).toBe('请选择退回原因');
    expect(reasons.button_list.map((b: { text: string }) => b.text)).toContain('佐证材料不足');
    expect(await status('二.1.2')).toBe('待销号');
    await click(card.taskId, OFFICE, 'r1.0');
    await until(async () => (await status('二.1.2')) !== '待销号', 'sent back');
    await until(() => fake.appCards.view(card.taskId, OFFICE).replacedBy === '已退回', 'card shows 已退回');
    const back = (await history('二.1.2')).filter((e) => e.action === '退回');
    expect(back.at(-1)).toMatchObject({ actor: { userId: OFFICE }, note: expect.stringContaining('佐证材料不足') });
    expect(fake.appCards.sentTo(OFFICE2)).toHaveLength(1);
    expect(fake.refused('update_card')).toEqual([]);
  });

  it('a press on the AI bot\'s group card shows its decision on the app copies', async () => {
    const bot = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: '' }, () => Math.floor(w.clock.now().getTime() / 1000));
    const client = new FakeCardClient(bot, h.url);
    expect((await w.say('office', '退回 一.2.1 请补充材料'))!.markdown).toContain('已退回');
    const cb = bot.aibot(aibotText({ msgid: randomUUID(), userid: OWNER, chatid: GROUP, content: '@整改督办 完成 一.2.1 长期坚持 制度已落实' }));
    const res = await fetch(`${h.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
    const group = client.track(bot.openJsonReply(await res.text(), cb.nonce).plain, GROUP)!;
    expect(group).toMatch(/^[0-9A-Za-z_-]{1,64}$/); // the group card's id (the copies' task ids start with it)
    await until(() => fake.appCards.sentTo(OFFICE).length === 3 && fake.appCards.sentTo(OFFICE2).length === 2, 'the app copies');
    const copies = [cardOf(OFFICE, 2), cardOf(OFFICE2, 1)];
    for (const c of copies) expect(c.taskId.startsWith(group)).toBe(true);
    const pressed = await client.press(group, OFFICE, 'a0');
    expect(pressed.update?.template_card.main_title.title).toBe('待销号审核：已销号');
    expect(await status('一.2.1')).toBe('已完成并长期坚持');
    expect(fake.appCards.view(copies[0]!.taskId, OFFICE).replacedBy).toBe('已销号');
    expect(fake.appCards.view(copies[1]!.taskId, OFFICE2).replacedBy).toBe('已销号');
    expect(fake.refused('update_card')).toEqual([]);
  });

  it('其他原因: the card asks for a reply in the 1:1 chat; the typed 退回 there sends the item back and shows on the card', async () => {
    await complete('二.1.2', '已补充随机分案记录', OFFICE2);
    await until(() => fake.appCards.sentTo(OFFICE).length === 4, 'the fourth card');
    const card = cardOf(OFFICE, 3);
    await click(card.taskId, OFFICE, 'a1');
    await click(card.taskId, OFFICE, 'o1');
    expect(fake.appCards.view(card.taskId, OFFICE).card.sub_title_text).toContain('请在这里回复：退回 二.1.2 原因');
    const cb = keys.app(appText({ corpId: fake.corpId, from: OFFICE, content: '退回 二.1.2 缺少分案记录原件', msgId: String(Date.now()) }));
    const res = await fetch(`${h.url}/wecom/app/callback?${cb.query}`, { method: 'POST', body: cb.body });
    expect(keys.openXmlReply(await res.text(), cb.nonce).plain).toContain('已退回');
    expect(await status('二.1.2')).not.toBe('待销号');
    expect((await history('二.1.2')).at(-1)).toMatchObject({ action: '退回', note: expect.stringContaining('缺少分案记录原件') });
    expect(fake.appCards.view(card.taskId, OFFICE).replacedBy).toBe('已退回');
    expect(fake.refused('update_card')).toEqual([]);
  });

  it('审批私信 says what the office gets on WeCom: app cards', async () => {
    const r = await w.say('office', '审批私信 开', { platform: 'wecom', chatId: GROUP, senderId: OFFICE });
    expect(r?.text).toContain('企业微信：自建应用私信审核卡片，可直接点“销号”“退回”');
  });
});
