import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../helpers/redis.js';
import { startDingtalk, type DingtalkHandle } from '../../src/bot/dingtalk/index.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import type { Measure } from '../../src/ledger/types.js';
import { RedisCardStore } from '../../src/store/card-store.js';
import { FakeDingtalk } from '../fakes/dingtalk/server.js';
import { fixture, makeAdapterEnv, until, type TestAdapterEnv } from '../bot/dingtalk/context.js';
import { schedWorld, type SchedWorld } from './harness.js';

const OFFICE = 'staffOffice01';
const OFFICE2 = 'staffOffice02';
const OWNER = 'staffOwner01';
const VIEWER = 'staffViewer01';

/**
 * The office's 1:1 approval card on DingTalk: the real pipeline behind the
 * Stream adapter, the scheduler's outbox and delivery worker, the fake's card
 * platform. A completion in the group queues the copies; the worker delivers
 * them as cards into each office member's chat with the robot.
 */
/** The user directory is global: accounts other test files left under the demo names would be reached too. */
async function flushTestDb(): Promise<void> {
  const r = new Redis(testRedisUrl());
  await r.flushdb();
  r.disconnect();
}

describe('DingTalk office 1:1 approval card (审批私信 开)', () => {
  let fake: FakeDingtalk;
  let w: SchedWorld;
  let env: TestAdapterEnv;
  let dt: DingtalkHandle;
  let cid: string;

  beforeAll(async () => {
    await flushTestDb();
    fake = await FakeDingtalk.start();
    w = await schedWorld({ config: { robotLimit: 600 } });
    await w.open.services.directory.putUsers([
      { platform: 'dingtalk', userId: OFFICE, name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'dingtalk', userId: OFFICE2, name: '周婷', department: '综合办公室', role: 'office' },
      { platform: 'dingtalk', userId: OWNER, name: '陈敏', department: '政治部', role: 'owner' },
      { platform: 'dingtalk', userId: VIEWER, name: '张晓', department: '立案庭', role: 'viewer' },
    ]);
    env = await makeAdapterEnv({ env: fake.env({ DINGTALK_CARD_TEMPLATE_ID: fake.cardTemplateId }), clock: w.clock, handle: (m) => w.pipeline.handle(m) });
    env.ctx.cards = new RedisCardStore(env.redis);
    dt = (await startDingtalk(env.ctx))!;
    w.senders.register(dt.sender);
    await until(() => dt.supervisor!.connected);
    cid = `cid${w.ledgerId}==`;
    await w.open.services.directory.bind({ platform: 'dingtalk', chatId: cid, ledgerId: w.ledgerId, channel: {}, boundAt: w.clock.now().toISOString() });
    await w.service.reachSettings.setApprovalDirect(w.ledgerId, true, { name: '王静' });
    w.startWorker();
  });
  afterAll(async () => {
    await dt?.stop();
    await env?.close();
    await w?.closeAll();
    await fake?.close();
  });

  const say = async (staffId: string, text: string) => {
    const msg = fixture('group-text', {
      text: { content: ` ${text}` }, conversationId: cid, senderStaffId: staffId,
      sessionWebhook: fake.api.newSession(Date.now() + 5_400_000), sessionWebhookExpiredTime: Date.now() + 5_400_000,
    });
    const before = fake.api.sessionSends.length;
    await fake.stream.waitAck(fake.stream.pushRobot(msg));
    await until(() => fake.api.sessionSends.length > before, 5_000, `reply to ${text}`);
    await env.settle(dt);
  };
  const status = async (code: string) => {
    const id = (await w.open.services.ledgers.resolveAlias(w.ledgerId, aliasOf(parseCode(code)!)))[0]!;
    return ((await w.open.services.ledgers.getItem(w.ledgerId, id)) as Measure).status;
  };
  const cardIn = (space: string) => [...fake.cards.cards.values()].filter((c) => c.openSpaceId === space);

  it('a completion sends the group card and one 1:1 card to each office member, once; a viewer\'s press on the copy is refused; the office\'s press strikes the item off and shows on both cards', async () => {
    await say(OWNER, '完成 二.1.1 任职文件已印发');
    await until(() => fake.cards.cards.size === 3, 10_000, 'group card and two 1:1 cards');
    const [group] = cardIn(`dtv1.card//IM_GROUP.${cid}`);
    const [mine] = cardIn(`dtv1.card//IM_ROBOT.${OFFICE}`);
    expect(group).toBeDefined();
    expect(mine).toBeDefined();
    expect(cardIn(`dtv1.card//IM_ROBOT.${OFFICE2}`)).toHaveLength(1);
    expect(mine!.params).toMatchObject({ state: 'open', title: '待销号审核', strikeLabel: '销号', backLabel: '退回' });
    expect(mine!.params.fields).toContain('责任人：陈敏');
    expect(mine!.params.note).toContain('任职文件已印发');
    expect(mine!.outTrackId.startsWith(group!.outTrackId)).toBe(true);
    // Delivered once: one sent 1:1 entry per office member, and no second card after a while.
    const sent = await w.waitLog(() => true).then(async () => {
      for (let i = 0; i < 400; i++) {
        const es = (await w.log.forChat('dingtalk', cid)).filter((e) => e.kind === 'approval' && e.status === 'sent');
        if (es.length >= 2) return es;
        await new Promise((r) => setTimeout(r, 25));
      }
      return [];
    });
    expect(sent.map((e) => e.to).sort()).toEqual([OFFICE, OFFICE2]);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.cards.cards.size).toBe(3);
    expect(fake.api.otoSends).toHaveLength(0);

    const refused = await fake.pressCard(mine!.outTrackId, VIEWER, 'a0');
    expect(JSON.parse(refused.ack.data).response.cardData).toBeUndefined();
    expect(fake.cards.view(mine!.outTrackId, VIEWER).hint).toContain('仅限整改办');
    expect(await status('二.1.1')).toBe('待销号');

    await fake.pressCard(mine!.outTrackId, OFFICE, 'a0');
    expect(await status('二.1.1')).toBe('已销号');
    expect(fake.cards.view(mine!.outTrackId, OFFICE)).toMatchObject({ state: 'decided', decision: '销号', decider: '王静', result: '待销号 → 已销号' });
    // The group card shows the same decision (updated by PUT).
    expect(fake.cards.view(group!.outTrackId, OWNER)).toMatchObject({ state: 'decided', decision: '销号', decider: '王静' });
    const events = await w.open.services.ledgers.history(w.ledgerId, (await w.open.services.ledgers.resolveAlias(w.ledgerId, aliasOf(parseCode('二.1.1')!)))[0]!);
    expect(events.filter((e) => e.action === '销号')).toHaveLength(1);

    // The other office member's copy shows it too, and pressed afterwards changes nothing.
    const [theirs] = cardIn(`dtv1.card//IM_ROBOT.${OFFICE2}`);
    expect(fake.cards.view(theirs!.outTrackId, OFFICE2)).toMatchObject({ state: 'decided', decision: '销号', decider: '王静' });
    const late = await fake.pressCard(theirs!.outTrackId, OFFICE2, 'a1');
    expect(JSON.parse(late.ack.data).response.cardData.cardParamMap).toMatchObject({ state: 'decided', decision: '销号' });
    expect(events.length).toBe((await w.open.services.ledgers.history(w.ledgerId, events[0]!.itemId)).length);
    expect(fake.violations).toEqual([]);
  });

  it('审批私信 says what the office gets here: cards on DingTalk with a card template', async () => {
    const r = await w.say('office', '审批私信 开', { platform: 'dingtalk', chatId: cid, senderId: OFFICE });
    expect(r?.text).toContain('钉钉：私信审核卡片，可直接点“销号”“退回”');
    // The console group of the same ledger gets text.
    expect(r?.text).toContain('本机控制台：私信文字通知');
  });

  it('a decision on the group card shows on the 1:1 copies; the office member who reported gets none', async () => {
    expect((await w.say('office', '退回 二.1.2 请补充材料'))!.markdown).toContain('已退回');
    await say(OFFICE, '完成 二.1.2 已建立随机分案记录');
    await until(() => fake.cards.cards.size === 5, 10_000, 'the second completion\'s two cards');
    const fresh = [...fake.cards.cards.values()].slice(3);
    const group = fresh.find((c) => c.openSpaceId.includes('IM_GROUP'))!;
    const copies = fresh.filter((c) => c.openSpaceId.includes('IM_ROBOT'));
    expect(copies.map((c) => c.openSpaceId)).toEqual([`dtv1.card//IM_ROBOT.${OFFICE2}`]);
    await fake.pressCard(group.outTrackId, OFFICE, 'a0');
    expect(await status('二.1.2')).toBe('已销号');
    for (const c of copies) expect(c.params).toMatchObject({ state: 'decided', decision: '销号', decider: '王静' });
    expect(fake.violations).toEqual([]);
  });

  it('a 销号 typed in the group shows on the pending card and its 1:1 copies, as a press does', async () => {
    expect((await w.say('office', '退回 一.2.1 请补充材料'))!.markdown).toContain('已退回');
    const before = fake.cards.cards.size;
    await say(OWNER, '完成 一.2.1 长期坚持 制度已落实');
    await until(() => fake.cards.cards.size === before + 3, 10_000, 'group card and two 1:1 cards');
    const fresh = [...fake.cards.cards.values()].slice(before);
    const group = fresh.find((c) => c.openSpaceId.includes('IM_GROUP'))!;
    const copies = fresh.filter((c) => c.openSpaceId.includes('IM_ROBOT'));
    expect(copies).toHaveLength(2);
    expect(fake.cards.view(group.outTrackId, OFFICE).state).toBe('open');

    await say(OFFICE, '销号 一.2.1');
    expect(await status('一.2.1')).not.toBe('待销号');
    await until(() => fake.cards.view(group.outTrackId, OWNER).state === 'decided', 5_000, 'group card decided');
    expect(fake.cards.view(group.outTrackId, OWNER)).toMatchObject({ state: 'decided', decision: '销号', decider: '王静' });
    for (const c of copies) expect(fake.cards.view(c.outTrackId, c.openSpaceId.split('.').pop()!)).toMatchObject({ state: 'decided', decision: '销号', decider: '王静' });
    // Recorded on the card: a press afterwards changes nothing.
    const events = (await w.open.services.ledgers.history(w.ledgerId, (await w.open.services.ledgers.resolveAlias(w.ledgerId, aliasOf(parseCode('一.2.1')!)))[0]!)).length;
    await fake.pressCard(copies[0]!.outTrackId, OFFICE2, 'a0');
    expect((await w.open.services.ledgers.history(w.ledgerId, (await w.open.services.ledgers.resolveAlias(w.ledgerId, aliasOf(parseCode('一.2.1')!)))[0]!)).length).toBe(events);
    expect(fake.violations).toEqual([]);
  });
});
