import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDingtalk, type DingtalkHandle } from '../../../src/bot/dingtalk/index.js';
import { aliasOf, parseCode } from '../../../src/ledger/codes.js';
import type { Measure } from '../../../src/ledger/types.js';
import { RedisCardStore } from '../../../src/store/card-store.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { makeWorld, type World } from '../../helpers/world.js';
import { fixture, makeAdapterEnv, until, type TestAdapterEnv } from './context.js';

const OFFICE = '166501234698'; // senderStaffId in test/fixtures/dingtalk/group-text.json
const OWNER = 'manager0042';
const VIEWER = 'viewer0077';

/** One DingTalk group bound to the demo ledger, the real pipeline behind the Stream adapter. */
async function setup(extraEnv: (fake: FakeDingtalk) => Record<string, string>) {
  const fake = await FakeDingtalk.start();
  const world = await makeWorld();
  await world.open.services.directory.putUsers([
    { platform: 'dingtalk', userId: OFFICE, name: '王静', department: '综合办公室', role: 'office' },
    { platform: 'dingtalk', userId: OWNER, name: '陈敏', department: '政治部', role: 'owner' },
    { platform: 'dingtalk', userId: VIEWER, name: '张晓', department: '立案庭', role: 'viewer' },
  ]);
  const env = await makeAdapterEnv({ env: fake.env(extraEnv(fake)), clock: world.clock, handle: (m) => world.pipeline.handle(m) });
  env.ctx.cards = new RedisCardStore(env.redis);
  const dt = (await startDingtalk(env.ctx))!;
  await until(() => dt.supervisor!.connected);
  const conversationId = `cid${world.ledgerId}==`;
  await world.open.services.directory.bind({ platform: 'dingtalk', chatId: conversationId, ledgerId: world.ledgerId, channel: {}, boundAt: world.clock.now().toISOString() });
  /** `staffId` says `text` in the group; resolves when its answer went out. */
  const say = async (staffId: string, text: string) => {
    const msg = fixture('group-text', {
      text: { content: ` ${text}` }, conversationId, senderStaffId: staffId,
      sessionWebhook: fake.api.newSession(Date.now() + 5_400_000), sessionWebhookExpiredTime: Date.now() + 5_400_000,
    });
    const before = fake.api.sessionSends.length;
    await fake.stream.waitAck(fake.stream.pushRobot(msg));
    await until(() => fake.api.sessionSends.length > before, 5_000, `reply to ${text}`);
    await env.settle(dt);
    return fake.api.sessionSends.slice(before);
  };
  const idOf = async (code: string) => (await world.open.services.ledgers.resolveAlias(world.ledgerId, aliasOf(parseCode(code)!)))[0]!;
  const status = async (code: string) => ((await world.open.services.ledgers.getItem(world.ledgerId, await idOf(code))) as Measure).status;
  const events = async (code: string, action: string) =>
    (await world.open.services.ledgers.history(world.ledgerId, await idOf(code))).filter((e) => e.action === action);
  const close = async () => {
    await dt.stop();
    await env.close();
    await world.close();
    await fake.close();
  };
  return { fake, world, env, dt, conversationId, say, status, events, close };
}

describe('DingTalk approval cards (DINGTALK_CARD_TEMPLATE_ID set)', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    t = await setup((fake) => ({ DINGTALK_CARD_TEMPLATE_ID: fake.cardTemplateId }));
  });
  afterAll(async () => t?.close());

  /** The newest card the fake holds. */
  const newest = () => [...t.fake.cards.cards.values()].at(-1)!;

  it('subscribes card callbacks, and a completion report delivers a card into the group after the text answer', async () => {
    expect(t.fake.stream.cardSubscribed()).toBe(true);
    const sent = await t.say(OWNER, '完成 二.1.1 任职文件已印发');
    expect(JSON.stringify(sent[0]!.body)).toContain('已申报完成');
    await until(() => t.fake.cards.cards.size === 1, 5_000, 'card created');
    await t.env.settle(t.dt);
    const card = newest();
    expect(card.cardTemplateId).toBe(t.fake.cardTemplateId);
    expect(card.openSpaceId).toBe(`dtv1.card//IM_GROUP.${t.conversationId}`);
    expect(card.params).toMatchObject({ state: 'open', title: '待销号审核', strikeLabel: '销号', backLabel: '退回', reason0: '佐证材料不足' });
    expect(card.params.fields).toContain('责任人：陈敏');
    expect(card.params.note).toContain('任职文件已印发');
    expect(t.fake.violations).toEqual([]);
    expect(await t.status('二.1.1')).toBe('待销号');
  });

  it('a viewer\'s press changes nothing: the ACK shows them alone "仅限整改办"', async () => {
    const card = newest();
    const r = await t.fake.pressCard(card.outTrackId, VIEWER, 'a0');
    expect(JSON.parse(r.ack.data).response.cardData).toBeUndefined();
    expect(t.fake.cards.view(card.outTrackId, VIEWER).hint).toContain('仅限整改办');
    expect(t.fake.cards.view(card.outTrackId, OFFICE).hint).toBeUndefined();
    expect(card.params.state).toBe('open');
    expect(await t.status('二.1.1')).toBe('待销号');
  });

  it('the office\'s press strikes the item off; the callback answer updates the card in place for everyone', async () => {
    const card = newest();
    const r = await t.fake.pressCard(card.outTrackId, OFFICE, 'a0', {}, { messageId: 'card-press-1' });
    expect(r.ms).toBeLessThan(5_000);
    expect(t.fake.cards.view(card.outTrackId, VIEWER)).toMatchObject({ state: 'decided', decision: '销号', decider: '王静', result: '待销号 → 已销号' });
    expect(await t.status('二.1.1')).toBe('已销号');
    const ev = await t.events('二.1.1', '销号');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.messageId).toBe('card-press-1');
    expect(ev[0]!.actor).toMatchObject({ platform: 'dingtalk', userId: OFFICE, name: '王静' });
  });

  it('a repeated press and a redelivered callback frame are applied once', async () => {
    const card = newest();
    const again = await t.fake.pressCard(card.outTrackId, OFFICE, 'a0');
    expect(JSON.parse(again.ack.data).response.cardData.cardParamMap.state).toBe('decided');
    await t.fake.pressCard(card.outTrackId, OFFICE, 'a0', {}, { messageId: 'card-press-1' });
    await t.env.settle(t.dt);
    expect(await t.events('二.1.1', '销号')).toHaveLength(1);
  });

  it('退回 asks for a reason (private reason picker), then sends back with a preset or a typed reason', async () => {
    expect((await t.world.say('office', '退回 二.1.2 请补充材料'))!.markdown).toContain('已退回');
    await t.say(OFFICE, '完成 二.1.2 已补充随机分案记录');
    await until(() => t.fake.cards.cards.size === 2, 5_000, 'second card');
    const card = newest();
    await t.fake.pressCard(card.outTrackId, OFFICE, 'a1');
    expect(t.fake.cards.view(card.outTrackId, OFFICE).privateState).toBe('reasons');
    expect(await t.status('二.1.2')).toBe('待销号');
    await t.fake.pressCard(card.outTrackId, OFFICE, 'r1.1');
    expect(t.fake.cards.view(card.outTrackId, OWNER)).toMatchObject({ state: 'decided', decision: '退回', reason: '退回原因：整改措施未落实到位' });
    expect(await t.status('二.1.2')).toBe('推进中');

    expect((await t.world.say('office', '完成 二.1.2 再次补充')) !.markdown).toContain('已申报完成');
    // A card only for the chat the report came from: the console report above sends none.
    expect(t.fake.cards.cards.size).toBe(2);
    await t.say(OFFICE, '退回 二.1.2 重新核实');
    await t.say(OFFICE, '完成 二.1.2 第三次补充');
    await until(() => t.fake.cards.cards.size === 3, 5_000, 'third card');
    const third = newest();
    await t.fake.pressCard(third.outTrackId, OFFICE, 'a1', { reason: '印发文件缺页' });
    expect(third.params).toMatchObject({ state: 'decided', reason: '退回原因：印发文件缺页' });
    expect((await t.events('二.1.2', '退回')).at(-1)!.note).toBe('印发文件缺页');
    expect(t.fake.violations).toEqual([]);
  });

  it('a press the core answers too late: empty ACK, then the card is updated by PUT and the answer goes to the group', async () => {
    await t.say(OFFICE, '退回 二.2.1 请补充材料');
    await t.say(OFFICE, '完成 二.2.1 制度已修订');
    await until(() => t.fake.cards.cards.size === 4, 5_000, 'fourth card');
    const card = newest();
    // A slow core: the press is applied after the callback's 2.5 s budget.
    t.env.setHandle(async (m) => {
      await new Promise((r) => setTimeout(r, 3_000));
      return t.world.pipeline.handle(m);
    });
    const groupBefore = t.fake.api.groupSends.length;
    try {
      const r = await t.fake.pressCard(card.outTrackId, OFFICE, 'a0');
      expect(JSON.parse(r.ack.data).response).toBeNull();
      expect(card.params.state).toBe('open');
      await until(() => card.updates > 0, 10_000, 'card PUT');
    } finally {
      t.env.setHandle((m) => t.world.pipeline.handle(m));
    }
    expect(card.params).toMatchObject({ state: 'decided', decision: '销号', decider: '王静' });
    await until(() => t.fake.api.groupSends.length > groupBefore, 10_000, 'late answer in the group');
    expect(JSON.stringify(t.fake.api.groupSends.at(-1)!.body)).toContain('已销号');
    expect(await t.status('二.2.1')).toBe('已销号');
    expect(t.fake.violations).toEqual([]);
  });
});

describe('DingTalk without DINGTALK_CARD_TEMPLATE_ID', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    t = await setup(() => ({}));
  });
  afterAll(async () => t?.close());

  it('keeps the text flow: no card subscription, no card', async () => {
    expect(t.fake.stream.cardSubscribed()).toBe(false);
    const sent = await t.say(OWNER, '完成 二.1.1 任职文件已印发');
    expect(JSON.stringify(sent[0]!.body)).toContain('已申报完成');
    await t.env.settle(t.dt);
    expect(t.fake.cards.cards.size).toBe(0);
    expect(await t.status('二.1.1')).toBe('待销号');
  });
});
