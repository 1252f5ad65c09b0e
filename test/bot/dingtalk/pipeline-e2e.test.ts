import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDingtalk, type DingtalkHandle } from '../../../src/bot/dingtalk/index.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { makeWorld, type World } from '../../helpers/world.js';
import { fixture, makeAdapterEnv, until, type TestAdapterEnv } from './context.js';
import { quietFor } from '../../helpers/wait.js';

/** The real pipeline (commands, store, demo ledger from seed 003) behind the DingTalk Stream adapter. */
describe('DingTalk → real pipeline (demo ledger)', () => {
  let fake: FakeDingtalk;
  let world: World;
  let env: TestAdapterEnv;
  let dt: DingtalkHandle;
  const OFFICE = '166501234698'; // senderStaffId in test/fixtures/dingtalk/group-text.json
  const OWNER = 'manager0042'; // senderStaffId in private-text.json

  const say = async (name: 'group-text' | 'private-text', text: string, over: Record<string, unknown> = {}) => {
    const msg = fixture(name, {
      text: { content: ` ${text}` },
      sessionWebhook: fake.api.newSession(Date.now() + 5_400_000),
      sessionWebhookExpiredTime: Date.now() + 5_400_000,
      ...over,
    });
    const before = fake.api.sessionSends.length;
    await fake.stream.waitAck(fake.stream.pushRobot(msg));
    await until(() => fake.api.sessionSends.length > before, 5_000, `reply to ${text}`);
    await env.settle(dt);
    return { msg, sent: fake.api.sessionSends.slice(before) };
  };
  const md = (s: { body: Record<string, unknown> }) => (s.body.markdown as { text: string }).text;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    world = await makeWorld();
    await world.open.services.directory.putUsers([
      { platform: 'dingtalk', userId: OFFICE, name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'dingtalk', userId: OWNER, name: '陈敏', department: '政治部', role: 'owner' },
    ]);
    env = await makeAdapterEnv({ env: fake.env(), clock: world.clock, handle: (m) => world.pipeline.handle(m) });
    dt = (await startDingtalk(env.ctx))!;
    await until(() => dt.supervisor!.connected);
  });
  afterAll(async () => {
    await dt.stop();
    await env.close();
    await world.close();
    await fake.close();
  });

  it('binds a group from inside it, keyed by the callback conversationId', async () => {
    const conversationId = `cid${world.ledgerId}==`;
    const { sent } = await say('group-text', `绑定 ${world.ledgerId}`, { conversationId });
    expect(md(sent[0]!)).toContain('绑定');
    const b = await world.open.services.directory.getBinding('dingtalk', conversationId);
    expect(b).toMatchObject({ platform: 'dingtalk', chatId: conversationId, ledgerId: world.ledgerId });
  });

  it('answers 进度 in the bound group, @-ing nobody needlessly and rendering lights/line breaks', async () => {
    const conversationId = `cid${world.ledgerId}==`;
    const { sent } = await say('group-text', '进度', { conversationId });
    expect(sent).toHaveLength(1);
    const text = md(sent[0]!);
    expect(text).not.toMatch(/(^|[^\n])\n(?!\n)/); // every line break is a blank line
    expect(text).not.toContain('<');
    expect(text).toMatch(/🔴 逾期 \*\*\d+\*\* 项/);
    expect(sent[0]!.body).toMatchObject({ msgtype: 'markdown', at: { isAtAll: false } });
    expect(fake.violations).toEqual([]);
  });

  it('resolves the DingTalk sender through the directory: 我的 for an owner in a 1:1 chat', async () => {
    const conversationId = `cid${world.ledgerId}==`;
    await world.open.services.directory.bind({ platform: 'dingtalk', chatId: `p-${conversationId}`, ledgerId: world.ledgerId, channel: {}, boundAt: new Date().toISOString() });
    const { sent } = await say('private-text', '我的', { conversationId: `p-${conversationId}` });
    expect(md(sent[0]!)).toContain('陈敏负责');
    expect(md(sent[0]!)).toContain('二.1.1');
    expect(md(sent[0]!)).not.toContain('@'); // no @ inside a 1:1 chat
    expect(sent[0]!.body).toMatchObject({ at: { atUserIds: [] } });
  });

  it('answers an unbound group with the binding hint, and a redelivery changes nothing', async () => {
    const { msg, sent } = await say('group-text', '进度', { conversationId: 'cidUnboundGroup==' });
    expect(md(sent[0]!)).toContain('未绑定');
    const before = fake.api.sessionSends.length;
    await fake.stream.waitAck(fake.stream.pushRobot(msg));
    await quietFor(100, 'a redelivery that slipped past dedupe would be queued by now');
    await env.settle(dt);
    expect(fake.api.sessionSends.length).toBe(before);
  });
});
