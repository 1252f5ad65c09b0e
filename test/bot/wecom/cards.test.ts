import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../src/store/directory.js';
import { aliasOf, parseCode } from '../../../src/ledger/codes.js';
import type { Measure } from '../../../src/ledger/types.js';
import { FakeCallbacks, aibotText } from '../../fakes/wecom/callbacks.js';
import { CARD_EVENT_DEADLINE_MS, FakeCardClient } from '../../fakes/wecom/cards.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { makeWorld, type World } from '../../helpers/world.js';
import { KEYS, startHarness, uid, type Harness } from './harness.js';

/**
 * Approval cards on the WeCom AI bot, through the real pipeline, store and
 * inbound queue: a completion report brings a button card; the office's press
 * strikes the item off and the card is updated in place within WeCom's 5 s.
 */
describe('wecom approval cards', () => {
  const fake = new FakeWecomServer();
  const bot = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: '' });
  let world: World;
  let h: Harness;
  let h2: Harness;
  let chat: string;
  let client: FakeCardClient;
  let slow = false;

  beforeAll(async () => {
    await fake.start();
    world = await makeWorld();
    const dir = world.open.services.directory;
    await dir.putUsers([
      { platform: 'wecom', userId: 'wangjing', name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'wecom', userId: 'chenmin', name: '陈敏', department: '政治部', role: 'owner' },
      { platform: 'wecom', userId: 'zhangxiao', name: '张晓', department: '立案庭', role: 'viewer' },
    ] as User[]);
    chat = uid('wrk');
    await dir.bind({ platform: 'wecom', chatId: chat, ledgerId: world.ledgerId, channel: {}, boundAt: world.clock.now().toISOString() });
    const ns = `${uid('ns')}:`;
    h = await startHarness({
      env: { WECOM_API_BASE: fake.url, WECOM_REPLY_BUDGET_MS: '3000' }, namespace: ns,
      handle: async (m) => {
        // A slow core: the press is not answered within the callback's budget.
        if (slow) await new Promise((r) => setTimeout(r, 3_500));
        return world.pipeline.handle(m);
      },
      getBinding: (p, c) => dir.getBinding(p, c),
    });
    client = new FakeCardClient(bot, h.url);
    // A second instance of the same service (same queue namespace, same Redis).
    h2 = await startHarness({
      env: { WECOM_API_BASE: fake.url, WECOM_REPLY_BUDGET_MS: '3000' }, namespace: ns,
      handle: (m) => world.pipeline.handle(m), getBinding: (p, c) => dir.getBinding(p, c),
    });
  });
  afterAll(async () => {
    await h2?.stop();
    await h?.stop();
    await world?.close();
    await fake.stop();
  });

  /** Says `text` in the group; returns the passive reply's plaintext object and the card's task_id (if any). */
  async function says(userid: string, text: string): Promise<{ body: any; taskId: string | null }> {
    const cb = bot.aibot(aibotText({ msgid: uid('m'), userid, chatid: chat, content: `@整改督办 ${text}` }));
    const res = await fetch(`${h.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
    expect(res.status).toBe(200);
    const plain = bot.openJsonReply(await res.text(), cb.nonce).plain;
    return { body: JSON.parse(plain), taskId: client.track(plain, chat) };
  }
  const idOf = async (code: string) => {
    const [id] = await world.open.services.ledgers.resolveAlias(world.ledgerId, aliasOf(parseCode(code)!));
    expect(id).toMatch(/./);
    return id;
  };
  const status = async (code: string) => ((await world.open.services.ledgers.getItem(world.ledgerId, await idOf(code))) as Measure).status;
  const strikes = async (code: string, action: string) =>
    (await world.open.services.ledgers.history(world.ledgerId, await idOf(code))).filter((e) => e.action === action);
  const texts = (card: any) => JSON.stringify(card);

  it('a completion report (→ 待销号) brings a 销号/退回 card; other replies stay plain streams', async () => {
    const plain = await says('wangjing', '进度');
    expect(plain.body.msgtype).toBe('stream');
    expect(plain.taskId).toBeNull();
    const r = await says('chenmin', '完成 二.1.1 任职文件已印发');
    expect(r.body.msgtype).toBe('stream_with_template_card');
    expect(r.body.stream.content).toContain('二.1.1');
    const card = r.body.template_card;
    expect(card.card_type).toBe('button_interaction');
    expect(card.button_list.map((b: any) => b.text)).toEqual(['销号', '退回']);
    expect(card.task_id).toBe(r.taskId);
    expect(texts(card)).toContain('陈敏');
    expect(texts(card)).toContain('任职文件已印发');
    expect(await status('二.1.1')).toBe('待销号');
  });

  it('a viewer\'s press changes nothing and shows them alone "仅限整改办"', async () => {
    const [taskId] = [...client.cards.keys()];
    const r = await client.press(taskId, 'zhangxiao', 'a0');
    expect(r.update!.userids).toEqual(['zhangxiao']);
    expect(texts(client.view(taskId, 'zhangxiao'))).toContain('仅限整改办');
    expect(client.view(taskId, 'wangjing').button_list.map((b: any) => b.text)).toEqual(['销号', '退回']);
    expect(await status('二.1.1')).toBe('待销号');
    expect(await strikes('二.1.1', '销号')).toHaveLength(0);
  });

  it('the office\'s press strikes the item off and updates the card for everyone within 5 s', async () => {
    const [taskId] = [...client.cards.keys()];
    const r = await client.press(taskId, 'wangjing', 'a0', { msgid: 'click-strike-1' });
    expect(r.ms).toBeLessThan(CARD_EVENT_DEADLINE_MS);
    expect(r.update!.userids).toBeUndefined();
    const seen = client.view(taskId, 'zhangxiao');
    expect(seen.main_title.title).toContain('已销号');
    expect(texts(seen)).toContain('王静');
    expect(texts(seen)).toContain('待销号 → 已销号');
    expect(seen.button_list).toHaveLength(1);
    expect(await status('二.1.1')).toBe('已销号');
    const events = await strikes('二.1.1', '销号');
    expect(events).toHaveLength(1);
    expect(events[0].messageId).toBe('click-strike-1');
    expect(events[0].actor).toMatchObject({ platform: 'wecom', userId: 'wangjing', name: '王静' });
  });

  it('a repeated press (a new click, and a retried callback) is applied once', async () => {
    const [taskId] = [...client.cards.keys()];
    const again = await client.press(taskId, 'wangjing', 'done');
    expect(again.update!.template_card.main_title.title).toContain('已销号');
    const retried = await client.press(taskId, 'wangjing', 'done', { msgid: 'retry-1' });
    const retried2 = await client.press(taskId, 'wangjing', 'done', { msgid: 'retry-1' });
    expect(retried2.update).toEqual(retried.update);
    expect(await strikes('二.1.1', '销号')).toHaveLength(1);
    // The click id is the audit's source message id.
    expect((await strikes('二.1.1', '销号'))[0].messageId).not.toBe('retry-1');
  });

  it('退回 asks the office for a reason on a private face, then sends the item back with it', async () => {
    // 二.1.2 is done in the demo ledger: send it back by chat, then report it again to get a card.
    expect((await world.say('office', '退回 二.1.2 请补充材料'))!.markdown).toContain('已退回');
    const r = await says('wangjing', '完成 二.1.2 已补充随机分案记录');
    const taskId = r.taskId!;
    const ask = await client.press(taskId, 'wangjing', 'a1');
    expect(ask.update!.userids).toEqual(['wangjing']);
    const reasons = client.view(taskId, 'wangjing').button_list.map((b: any) => b.text);
    expect(reasons).toEqual(['佐证材料不足', '整改措施未落实到位', '材料与问题不对应', '其他原因', '返回']);
    expect(await status('二.1.2')).toBe('待销号');
    // "其他原因" explains how to type one; 返回 goes back.
    await client.press(taskId, 'wangjing', 'o1');
    expect(texts(client.view(taskId, 'wangjing'))).toContain('退回 二.1.2 原因');
    await client.press(taskId, 'wangjing', 'back');
    await client.press(taskId, 'wangjing', 'a1');
    const done = await client.press(taskId, 'wangjing', 'r1.0');
    expect(done.ms).toBeLessThan(CARD_EVENT_DEADLINE_MS);
    const seen = client.view(taskId, 'chenmin');
    expect(seen.main_title.title).toContain('已退回');
    expect(texts(seen)).toContain('退回原因：佐证材料不足');
    expect(await status('二.1.2')).toBe('推进中');
    const back = await strikes('二.1.2', '退回');
    expect(back.at(-1)!.note).toBe('佐证材料不足');
  });

  it('a viewer cannot even open the reasons', async () => {
    expect((await world.say('office', '退回 二.2.1 请补充材料'))!.markdown).toContain('已退回');
    const r = await says('wangjing', '完成 二.2.1 制度已修订');
    const ask = await client.press(r.taskId!, 'zhangxiao', 'a1');
    expect(ask.update!.userids).toEqual(['zhangxiao']);
    expect(texts(client.view(r.taskId!, 'zhangxiao'))).toContain('仅限整改办');
    expect(await status('二.2.1')).toBe('待销号');
  });

  it('a press answered too late still decides the card once and answers by response_url', async () => {
    expect((await world.say('office', '退回 二.2.2 请补充材料'))!.markdown).toContain('已退回');
    const r = await says('wangjing', '完成 二.2.2 已收回');
    slow = true;
    const late = await client.press(r.taskId!, 'wangjing', 'a0', { responseUrl: fake.newResponseUrl() });
    slow = false;
    expect(late.update).toBeNull();
    const [sent] = await fake.waitFor('response', 1, 10_000);
    expect(sent.body.msgtype).toBe('markdown');
    expect(sent.body.markdown.content).toContain('已销号');
    expect(fake.refused()).toEqual([]);
    expect(await status('二.2.2')).toBe('已销号');
    // The card was settled by the late delivery: the next press shows the decision without applying anything.
    const next = await client.press(r.taskId!, 'wangjing', 'a0');
    expect(next.update!.template_card.main_title.title).toContain('已销号');
    expect(await strikes('二.2.2', '销号')).toHaveLength(1);
  });

  it('a press reaching another instance finds the card (state in Redis) and decides it once', async () => {
    expect((await world.say('office', '退回 二.3.1 请补充材料'))!.markdown).toContain('已退回');
    const r = await says('wangjing', '完成 二.3.1 专门科目已开设');
    const other = new FakeCardClient(bot, h2.url);
    other.cards.set(r.taskId!, client.cards.get(r.taskId!)!);
    const press = await other.press(r.taskId!, 'wangjing', 'a0');
    expect(press.update!.template_card.main_title.title).toContain('已销号');
    const back = await client.press(r.taskId!, 'wangjing', 'done');
    expect(back.update!.template_card.main_title.title).toContain('已销号');
    expect(await status('二.3.1')).toBe('已销号');
    expect(await strikes('二.3.1', '销号')).toHaveLength(1);
  });
});
