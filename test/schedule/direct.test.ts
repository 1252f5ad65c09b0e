import { afterEach, describe, expect, it, beforeEach } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../helpers/redis.js';
import { startDingtalk } from '../../src/bot/dingtalk/index.js';
import type { ChatSender } from '../../src/core/sender.js';
import type { User } from '../../src/store/directory.js';
import { FakeDingtalk } from '../fakes/dingtalk/server.js';
import { FakeWecomServer } from '../fakes/wecom/server.js';
import { makeAdapterEnv, type TestAdapterEnv } from '../bot/dingtalk/context.js';
import { startHarness, type Harness } from '../bot/wecom/harness.js';
import { schedWorld, type SchedWorld } from './harness.js';
import { reachOf } from '../../src/schedule/compose.js';

const sh = (s: string) => new Date(`${s}+08:00`);
const actor = { platform: 'console', userId: 'office', name: '王静' };

/** The demo ledger with 二.2.1 (王静; leader 李程, who has no account) due 9-25 and 二.1.1 (陈敏) due 9-30. */
async function prepare(w: SchedWorld, platform: 'dingtalk' | 'wecom', chatId: string, channel: Record<string, string>, users: User[]) {
  const s = w.open.services;
  await s.directory.putUsers(users);
  await s.changes.apply(w.ledgerId, '2.2.1', actor, 'r1', () => ({ action: '退回', status: '推进中', deadline: { type: 'date', date: '2021-09-25' } }));
  await s.directory.bind({ platform, chatId, ledgerId: w.ledgerId, channel, boundAt: w.clock.now().toISOString() });
  await w.service.subscribe((await s.directory.getBinding(platform, chatId))!, '0 9 * * 1', { name: '王静' });
}

/** Two scheduler instances tick at once, twice (a second tick of the same run finds nothing new). */
async function race(w: SchedWorld, at: string, a = w.scheduler('a'), b = w.scheduler('b')) {
  w.clock.set(sh(at));
  await Promise.all([a.tick(), b.tick()]);
  await Promise.all([a.tick(), b.tick()]);
}

/** Waits until the chats' own delivery logs hold `n` sent 1:1 messages together, and a sent group reminder in each of `groups`. */
async function sent(w: SchedWorld, platform: string, chats: string[], n: number, groups: string[] = []) {
  const until = Date.now() + 10_000;
  for (;;) {
    const logs = await Promise.all(chats.map((c) => w.log.forChat(platform, c)));
    const direct = logs.flat().filter((e) => e.kind === 'direct' && e.status === 'sent');
    const grouped = groups.every((g) => logs[chats.indexOf(g)]!.some((e) => e.kind === 'remind' && e.status === 'sent'));
    if (direct.length >= n && grouped) return direct;
    if (Date.now() > until) throw new Error(`not sent: ${JSON.stringify(logs.flat().slice(0, 6))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const msgText = (body: Record<string, unknown>) => JSON.parse(String(body.msgParam)).text as string;

/** The user directory is global: accounts other test files left under the demo names would be reached too. */
async function flushTestDb(): Promise<void> {
  const r = new Redis(testRedisUrl());
  await r.flushdb();
  r.disconnect();
}

describe('reminders to the person (1:1), real Redis and fake platforms', () => {
  let w: SchedWorld | undefined;
  let fake: FakeDingtalk | undefined;
  let env: TestAdapterEnv | undefined;
  let wecom: FakeWecomServer | undefined;
  let h: Harness | undefined;
  beforeEach(flushTestDb);
  afterEach(async () => {
    await w?.closeAll();
    await env?.close();
    await fake?.close();
    await h?.stop();
    await wecom?.stop();
    w = undefined; env = undefined; fake = undefined; h = undefined; wecom = undefined;
  });

  it('DingTalk, 私信: a 1:1 reminder arrives once per person and step however many instances tick; nothing in the group; a person without an account falls back to the group', async () => {
    fake = await FakeDingtalk.start();
    env = await makeAdapterEnv({ env: fake.env({ DINGTALK_MODE: 'off' }) });
    await startDingtalk(env.ctx, { timeoutMs: 2000, maxWaitMs: 0 });
    const dt = env.ctx.senders.get('dingtalk')! as ChatSender;
    w = await schedWorld({ at: '2021-08-31T02:00:00Z', senders: [dt], config: { robotLimit: 600 } });
    const cid = `cid${w.ledgerId}==`;
    await prepare(w, 'dingtalk', cid, {}, [
      { platform: 'dingtalk', userId: 'staffWang', name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'dingtalk', userId: 'staffChen', name: '陈敏', department: '政治部', role: 'owner' },
    ]);
    // A second group bound to the same ledger: its runs must not reach the same person again.
    const cid2 = `cid2${w.ledgerId}==`;
    await w.open.services.directory.bind({ platform: 'dingtalk', chatId: cid2, ledgerId: w.ledgerId, channel: {}, boundAt: w.clock.now().toISOString() });
    await w.service.subscribe((await w.open.services.directory.getBinding('dingtalk', cid2))!, '0 9 * * 1', { name: '王静' });
    expect(await w.say('office', '提醒方式 私信')).toMatchObject({ text: expect.stringContaining('私信提醒') });
    expect((await reachOf(w.sched, w.ledgerId)).mode).toBe('direct');
    w.startWorker();

    // 9-10: both items at their 20-day step (owners only): one 1:1 message each, none in the group.
    await race(w, '2021-09-10T09:30:01');
    await sent(w, 'dingtalk', [cid, cid2], 2);
    expect(fake.api.otoSends.map((s) => s.body.userIds)).toEqual(expect.arrayContaining([['staffWang'], ['staffChen']]));
    expect(fake.api.otoSends).toHaveLength(2);
    expect(fake.api.groupSends).toHaveLength(0);
    const chen = msgText(fake.api.otoSends.find((s) => (s.body.userIds as string[])[0] === 'staffChen')!.body);
    expect(chen).toMatch(/陈敏，您好/);
    expect(chen).toMatch(/您负责的整改措施 \*\*二\.1\.1\*\*「.+」将于9月30日到期（还剩20天），请及时报送进展。/);
    expect(chen).toContain('进展 二.1.1 说明');
    expect(chen).not.toContain('二.2.1');
    const log = await sent(w, 'dingtalk', [cid, cid2], 2);
    expect(log.map((e) => e.to).sort()).toEqual(['staffChen', 'staffWang']);

    // 9-15: 二.2.1 at its 10-day step names 王静 (1:1) and 李程 (no account: the group, without @ of 王静).
    await race(w, '2021-09-15T09:30:01');
    await sent(w, 'dingtalk', [cid, cid2], 3, [cid, cid2]);
    expect(fake.api.otoSends).toHaveLength(3);
    expect(fake.api.otoSends[2]!.body.userIds).toEqual(['staffWang']);
    expect(msgText(fake.api.otoSends[2]!.body)).toContain('将于9月25日到期（还剩10天）');
    // The fallback goes to each bound group (both list 二.2.1 for 李程).
    expect(fake.api.groupSends.map((g) => g.body.openConversationId).sort()).toEqual([cid, cid2].sort());
    const group = msgText(fake.api.groupSends[0]!.body);
    expect(group).toContain('二.2.1');
    expect(group).toContain('李程尚未登记本平台账号，无法私信提醒');
    expect(group).not.toContain('二.1.1');
    const fell = (await w.log.forChat('dingtalk', cid)).find((e) => e.code === 'no_account');
    expect((await w.log.forChat('dingtalk', cid2)).some((e) => e.code === 'no_account')).toBe(true);
    expect(fell).toMatchObject({ status: 'skipped', kind: 'direct', reason: expect.stringContaining('李程') });

    // Later runs of the same steps send nothing again.
    await race(w, '2021-09-16T09:30:01');
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.api.otoSends).toHaveLength(3);
    expect(fake.api.groupSends).toHaveLength(2);
    expect(fake.violations).toEqual([]);
    // 推送记录 names the setting, whom each 1:1 message went to, and the fallback.
    const both = [(await w.say('office', '推送记录', { platform: 'dingtalk', chatId: cid, senderId: 'staffWang' }))!.text,
      (await w.say('office', '推送记录', { platform: 'dingtalk', chatId: cid2, senderId: 'staffWang' }))!.text].join('\n');
    expect(both).toContain('提醒方式：私信提醒');
    expect(both).toMatch(/私信提醒→陈敏 ✅ 已发送/);
    expect(both).toMatch(/私信提醒 ⏭ 已跳过：李程未登记本平台账号/);
  });

  it('DingTalk with only a custom group robot (no app credentials): 私信 cannot be sent, so the reminder stays in the group with its @', async () => {
    fake = await FakeDingtalk.start();
    env = await makeAdapterEnv({ env: { DINGTALK_MODE: 'off', DINGTALK_OAPI_BASE: fake.baseUrl, DINGTALK_API_BASE: fake.baseUrl } });
    await startDingtalk(env.ctx, { timeoutMs: 2000, maxWaitMs: 0 });
    w = await schedWorld({ at: '2021-08-31T02:00:00Z', senders: [env.ctx.senders.get('dingtalk')!], config: { robotLimit: 600 } });
    const cid = `cid${w.ledgerId}==`;
    const token = `tok${w.ledgerId}`;
    fake.api.customRobots.set(token, { sent: [] });
    await prepare(w, 'dingtalk', cid, { webhookToken: token }, [
      { platform: 'dingtalk', userId: 'staffWang', name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'dingtalk', userId: 'staffChen', name: '陈敏', department: '政治部', role: 'owner' },
    ]);
    // The office is told plainly that 私信 cannot be sent from here (the setting is kept for when it can).
    const set = await w.say('office', '提醒方式 私信', { platform: 'dingtalk', chatId: cid, senderId: 'staffWang' });
    expect(set?.text).toContain('已设置为私信提醒（王静设置）；但本群所在平台（钉钉）只有群自定义机器人，未配置钉钉应用机器人，无法发私信，提醒仍将发到群内');
    expect(set?.text).not.toContain('✅');
    expect((await reachOf(w.sched, w.ledgerId)).mode).toBe('direct');
    const copies = await w.say('office', '审批私信 开', { platform: 'dingtalk', chatId: cid, senderId: 'staffWang' });
    expect(copies?.text).toContain('钉钉：只有群自定义机器人，未配置钉钉应用机器人，无法发私信，审核只在群内');
    w.startWorker();
    await race(w, '2021-09-10T09:30:01');
    await sent(w, 'dingtalk', [cid], 0, [cid]);
    expect(fake.api.otoSends).toHaveLength(0);
    const robot = fake.api.robotSends.filter((r) => JSON.stringify(r.body).includes('整改时限提醒'));
    expect(robot).toHaveLength(1);
    expect(robot[0]!.body.at).toMatchObject({ atUserIds: expect.arrayContaining(['staffWang', 'staffChen']) });
  });

  it('回头看 prompts follow the setting: 私信 sends one prompt to each owner with an account, once a month; owners without one stay in the group', async () => {
    w = await schedWorld({ at: '2021-06-28T02:00:00Z' });
    await w.service.subscribe((await w.open.services.directory.getBinding('console', w.chatId))!, '0 9 * * 1', { name: '王静' });
    await w.service.reachSettings.setMode(w.ledgerId, 'direct', { name: 'cli' });
    w.startWorker();
    const a = w.scheduler('a');
    const b = w.scheduler('b');
    await race(w, '2021-07-01T09:30:01', a, b);
    await sent(w, 'console', [w.chatId], 1, [w.chatId]);
    const toChen = w.console.sent.filter((m) => m.chatId === '@owner');
    expect(toChen).toHaveLength(1);
    expect(toChen[0]!.markdown).toContain('长期坚持事项开展“回头看”');
    expect(toChen[0]!.markdown).toMatch(/\*\*一\.1\.1\*\*「/);
    const group = w.console.sent.filter((m) => m.chatId === w!.chatId);
    expect(group).toHaveLength(1);
    expect(group[0]!.markdown).toContain('长期坚持事项回头看');
    expect(group[0]!.markdown).toContain('尚未登记本平台账号');
    expect(group[0]!.mentions).not.toContain('owner');
    // The rest of the month's first week: no second prompt.
    await race(w, '2021-07-02T09:30:01', a, b);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.console.sent.filter((m) => m.chatId === '@owner')).toHaveLength(1);
  });

  it('WeCom 1:1 sends keep to 30 a minute per member: the 31st is pushed back (rate_limited), none dropped by WeCom', async () => {
    wecom = await new FakeWecomServer().start();
    h = await startHarness({
      env: {
        WECOM_API_BASE: wecom.url, WECOM_HTTP_TIMEOUT_MS: '2000', WECOM_RATE_WAIT_MS: '0',
        WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret,
      },
    });
    const sender = h.ctx.senders.get('wecom')!;
    const user = `member${Date.now()}`;
    const reply = { title: '整改时限提醒', markdown: '您负责的整改措施 二.1.1 将于9月30日到期', text: '到期提醒', mentions: [] };
    for (let i = 0; i < 30; i++) await sender.sendDirect!({ platform: 'wecom', userId: user, chatId: 'wrGroup' }, reply);
    const err = await sender.sendDirect!({ platform: 'wecom', userId: user, chatId: 'wrGroup' }, reply).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rate_limited', code: 'local_limit' });
    expect(wecom.of('send').filter((c) => c.body.touser === user)).toHaveLength(30);
    // Another member has a budget of their own.
    await sender.sendDirect!({ platform: 'wecom', userId: `${user}b`, chatId: 'wrGroup' }, reply);
    expect(wecom.dropped()).toEqual([]);
  });

  it('WeCom, 先私信后群内: early steps go 1:1 through the app message/send to touser, the overdue step to the group robot', async () => {
    wecom = await new FakeWecomServer().start();
    h = await startHarness({
      env: {
        WECOM_API_BASE: wecom.url, WECOM_HTTP_TIMEOUT_MS: '2000', WECOM_RATE_WAIT_MS: '0',
        WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret,
      },
    });
    w = await schedWorld({ at: '2021-08-31T02:00:00Z', senders: [h.ctx.senders.get('wecom')!], config: { robotLimit: 600 } });
    const chat = `wr${w.ledgerId}`;
    await prepare(w, 'wecom', chat, { webhookKey: wecom.newWebhookKey() }, [
      { platform: 'wecom', userId: 'WangJing', name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'wecom', userId: 'ChenMin', name: '陈敏', department: '政治部', role: 'owner' },
      { platform: 'wecom', userId: 'LiCheng', name: '李程', department: '院领导', role: 'leader' },
    ]);
    await w.service.reachSettings.setMode(w.ledgerId, 'direct-then-group', { name: 'cli' });
    w.startWorker();

    await race(w, '2021-09-10T09:30:01');
    await sent(w, 'wecom', [chat], 2);
    const sends = wecom.of('send');
    expect(sends.map((c) => c.body.touser).sort()).toEqual(['ChenMin', 'WangJing']);
    for (const c of sends) expect(c.body).toMatchObject({ msgtype: 'markdown', agentid: 1000002 });
    expect(sends.find((c) => c.body.touser === 'ChenMin')!.body.markdown.content).toContain('将于9月30日到期（还剩20天）');
    expect(wecom.of('webhook')).toHaveLength(0);

    // 9-27: 二.2.1 overdue → the group (@李程 the leader, @王静 the office). 二.1.1 at 10 days names 陈敏 (1:1)
    // and its leader 杜波, who has no account: listed in the group for him, without @ of 陈敏.
    await race(w, '2021-09-27T09:30:01');
    await sent(w, 'wecom', [chat], 3, [chat]);
    expect(wecom.of('send').slice(2).map((c) => c.body.touser)).toEqual(['ChenMin']);
    expect(wecom.of('send')[2]!.body.markdown.content).toMatch(/二\.1\.1.*还剩3天/);
    const hook = wecom.of('webhook').filter((c) => String(c.body.markdown?.content).includes('整改时限提醒'));
    expect(hook).toHaveLength(1);
    const content = hook[0]!.body.markdown.content as string;
    expect(content).toContain('已逾期（1项）');
    expect(content).toMatch(/二\.2\.1\*\* .*已逾期2天/);
    expect(content).toContain('<@LiCheng>');
    expect(content).toContain('<@WangJing>');
    expect(content).toContain('杜波尚未登记本平台账号');
    expect(content).not.toContain('<@ChenMin>');

    // 审批私信 开 on WeCom: the office gets the completion 1:1 as an app template card (test/schedule/approval-direct-wecom.test.ts clicks it).
    await w.service.reachSettings.setApprovalDirect(w.ledgerId, true, { name: 'cli' });
    const before = wecom.of('send').length;
    const done = await w.say('ChenMin', '完成 二.1.1 任职文件已印发', { platform: 'wecom', chatId: chat, senderId: 'ChenMin' });
    expect(done?.actions).toBeDefined();
    await w.waitLog(() => wecom!.of('send').length > before);
    const copy = wecom.of('send').slice(before);
    expect(copy.map((c) => c.body.touser)).toEqual(['WangJing']);
    expect(copy[0]!.body).toMatchObject({ msgtype: 'template_card', agentid: 1000002, template_card: { card_type: 'button_interaction', main_title: { title: '待销号审核' } } });
    expect(copy[0]!.body.template_card.main_title.desc).toContain('二.1.1');
    expect(copy[0]!.body.template_card.sub_title_text).toContain('任职文件已印发');
    expect(wecom.refused()).toEqual([]);
    expect(wecom.dropped()).toEqual([]);
  });
});
