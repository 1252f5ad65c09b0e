import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/bot/wecom/render.js';
import type { Reply } from '../../../src/core/message.js';
import type { User } from '../../../src/store/directory.js';
import { FakeCallbacks, aibotText } from '../../fakes/wecom/callbacks.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { makeWorld, type World } from '../../helpers/world.js';
import { KEYS, startHarness, uid, type Harness } from './harness.js';

/**
 * End to end through the real pipeline and store: a WeCom group and a
 * DingTalk group bound to one ledger see and change the same items.
 */
describe('wecom through the real pipeline: one ledger, two platforms', () => {
  const fake = new FakeWecomServer();
  const bot = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: '' });
  let world: World;
  let h: Harness;
  let wecomChat: string;
  let dingChat: string;

  beforeAll(async () => {
    await fake.start();
    world = await makeWorld();
    const dir = world.open.services.directory;
    await dir.putUsers([
      { platform: 'wecom', userId: 'wangjing', name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'dingtalk', userId: 'dt-luo', name: '罗拥军', department: '院领导', role: 'leader' },
    ] as User[]);
    wecomChat = uid('wrk');
    dingChat = uid('cid');
    const boundAt = world.clock.now().toISOString();
    await dir.bind({ platform: 'wecom', chatId: wecomChat, ledgerId: world.ledgerId, channel: { webhookKey: fake.newWebhookKey() }, boundAt });
    await dir.bind({ platform: 'dingtalk', chatId: dingChat, ledgerId: world.ledgerId, channel: {}, boundAt });
    h = await startHarness({
      env: { WECOM_API_BASE: fake.url, WECOM_REPLY_BUDGET_MS: '2000' },
      handle: (m) => world.pipeline.handle(m),
      getBinding: (p, c) => dir.getBinding(p, c),
    });
  });
  afterAll(async () => {
    await h?.stop();
    await world?.close();
    await fake.stop();
  });

  /** Says `text` in the WeCom group as `userid` and returns the decrypted passive reply. */
  async function wecomSays(userid: string, text: string): Promise<string> {
    const cb = bot.aibot(aibotText({ msgid: uid('m'), userid, chatid: wecomChat, content: `@整改督办 ${text}` }));
    const res = await fetch(`${h.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
    expect(res.status).toBe(200);
    return JSON.parse(bot.openJsonReply(await res.text(), cb.nonce).plain).stream.content;
  }
  const dingSays = (text: string): Promise<Reply | null> => world.pipeline.handle({
    platform: 'dingtalk', chatId: dingChat, chatType: 'group', messageId: randomUUID(), senderId: 'dt-luo', text,
  });

  it('进度 from the bound WeCom group shows the same ledger as the DingTalk group', async () => {
    const fromWecom = await wecomSays('wangjing', '进度');
    const fromDing = (await dingSays('进度'))!;
    expect(fromDing.markdown).toContain('基本完成 1');
    expect(fromWecom).toBe(renderMarkdown(fromDing, 'aibot', []));
  });

  it('a completion reported from WeCom is seen from DingTalk, with the WeCom user as actor', async () => {
    const answer = await wecomSays('wangjing', '完成 二.1.1 制度已印发');
    expect(answer).toContain('二.1.1');
    const progress = (await dingSays('进度'))!;
    expect(progress.markdown).not.toContain('基本完成 1');
    const history = (await dingSays('历史 二.1.1'))!;
    expect(history.markdown).toContain('王静');
  });

  it('an unknown WeCom user is read-only (role resolved by platform wecom + userid)', async () => {
    const answer = await wecomSays('stranger', '完成 二.1.1 已完成');
    expect(answer).toContain('尚未登记');
  });

  it('a digest goes to the WeCom group through its bound robot, lights coloured', async () => {
    const binding = (await world.open.services.directory.getBinding('wecom', wecomChat))!;
    const digest = (await dingSays('进度'))!;
    const before = fake.of('webhook').length;
    await h.ctx.senders.get('wecom')!.send({ platform: 'wecom', chatId: wecomChat, channel: binding.channel }, digest);
    const [call] = fake.of('webhook').slice(before);
    expect(call!.query.key).toBe(binding.channel.webhookKey);
    expect(call!.body.markdown.content).toContain('<font color="warning">●</font> 逾期');
  });
});
