import { afterEach, describe, expect, it, beforeEach } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../helpers/redis.js';
import { goesDirect, parseOnOff, parseReachMode } from '../../src/schedule/reach.js';
import { DEFAULT_LADDER } from '../../src/schedule/reminders.js';
import { reachOf } from '../../src/schedule/compose.js';
import { schedWorld, type SchedWorld } from './harness.js';
import { renderDirect } from '../../src/schedule/direct-render.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import type { StepHit } from '../../src/schedule/reminders.js';

/** The user directory is global: accounts other test files left under the demo names would be reached too. */
async function flushTestDb(): Promise<void> {
  const r = new Redis(testRedisUrl());
  await r.flushdb();
  r.disconnect();
}

describe('reach settings (pure)', () => {
  it('reads the office’s words for the reach mode, forgivingly', () => {
    const table: Array<[string, ReturnType<typeof parseReachMode>]> = [
      ['私信', 'direct'], [' 单聊 ', 'direct'], ['一对一', 'direct'], ['1对1', 'direct'], ['１：１', 'direct'], ['direct', 'direct'],
      ['群内', 'group'], ['群里@', 'group'], ['群聊', 'group'], ['GROUP', 'group'],
      ['先私信后群内', 'direct-then-group'], ['先私信，后群内', 'direct-then-group'], ['先私信再群', 'direct-then-group'],
      ['私信+群内', 'direct-then-group'], ['私信＋群', 'direct-then-group'],
      ['', null], ['邮件', null], ['随便', null],
    ];
    for (const [input, want] of table) expect([input, parseReachMode(input)]).toEqual([input, want]);
    expect([parseOnOff('开'), parseOnOff(' 开启'), parseOnOff('ON'), parseOnOff('关'), parseOnOff('关闭'), parseOnOff('也许')]).toEqual([true, true, true, false, false, null]);
  });

  it('direct-then-group sends the early steps and 回头看 1:1 and the overdue step to the group', () => {
    const [d20, d10, late] = DEFAULT_LADDER;
    expect([d20, d10, late, 'lookback' as const].map((s) => goesDirect('direct-then-group', s!))).toEqual([true, true, false, true]);
    expect([d20, late, 'lookback' as const].map((s) => goesDirect('direct', s!))).toEqual([true, true, true]);
    expect([d20, late, 'lookback' as const].map((s) => goesDirect('group', s!))).toEqual([false, false, false]);
  });
});

describe('the 1:1 reminder text (pure)', () => {
  const doc = buildDemoDoc('r');
  const m = { ...doc.measures[0]!, code: '3.2', title: '建立健全公车管理制度', deadline: { type: 'date' as const, date: '2025-12-10' } };
  const hit = (daysLeft: number, step = DEFAULT_LADDER[0]!): StepHit => ({ measure: m, step, daysLeft, field: `${m.id}|x` });

  it('one item reads as one sentence, by role and time left', () => {
    const one = (daysLeft: number, role: 'owner' | 'leader' | 'office') => renderDirect(doc.ledger, '王静', [{ measure: m, hit: hit(daysLeft), role }])!.text;
    expect(one(3, 'owner')).toContain('您负责的整改措施 3.2「建立健全公车管理制度」将于12月10日到期（还剩3天），请及时报送进展。');
    expect(one(0, 'owner')).toContain('今天（12月10日）到期，请及时报送进展。');
    expect(one(-2, 'leader')).toContain('您分管的整改措施 3.2「建立健全公车管理制度」已于12月10日到期（已逾期2天），请督促尽快整改到位。');
    expect(one(-2, 'office')).toContain('需整改办督办的整改措施 3.2');
    expect(one(3, 'owner')).toContain('可直接在这里回复我：发送“进展 3.2 说明”报送进展');
  });

  it('several items are listed, overdue first, then the 回头看 prompts; nothing due is no message', () => {
    const other = { ...m, id: 'other', code: '1.1', title: '长期坚持的制度', status: '已完成并长期坚持' as const };
    const t = renderDirect(doc.ledger, '陈敏', [
      { measure: m, hit: hit(5), role: 'owner' },
      { measure: { ...m, id: 'late', code: '2.4' }, hit: hit(-1, DEFAULT_LADDER[2]!), role: 'leader' },
      { measure: other, role: 'owner' },
    ])!.text;
    expect(t).toContain('您有2项整改措施临近到期或已逾期（其中逾期1项），请及时报送进展：');
    expect(t.indexOf('2.4')).toBeLessThan(t.indexOf('3.2'));
    expect(t).toContain('已于12月10日到期（已逾期1天）（分管）');
    expect(t).toContain('本月请对长期坚持事项开展“回头看”');
    expect(t).toContain('1.1「长期坚持的制度」');
    expect(renderDirect(doc.ledger, '陈敏', [])).toBeNull();
  });
});

describe('提醒方式 / 审批私信 in chat (real Redis)', () => {
  let w: SchedWorld | undefined;
  beforeEach(flushTestDb);
  afterEach(async () => {
    await w?.closeAll();
    w = undefined;
  });

  it('the office sets them; a viewer is refused and nothing changes; a miss shows the choices', async () => {
    w = await schedWorld({ at: '2021-09-01T02:00:00Z' });
    const mode = async () => (await reachOf(w!.sched, w!.ledgerId)).mode;
    const shown = await w.say('office', '提醒方式');
    expect(shown?.text).toContain('提醒方式：群内@提醒；完成申报私信整改办：关');
    // One clean reply: the choices once, no “当前” repeated after the setting line.
    expect(shown?.text).toContain('修改请发送：提醒方式 私信 | 群内 | 先私信后群内');
    expect(shown?.text).not.toContain('当前');
    expect(shown?.text.split('先私信后群内').length).toBe(2);

    const set = await w.say('office', '提醒方式：先私信后群内');
    expect(set?.text).toContain('已设置为：先私信、逾期后群内@提醒（王静设置）');
    expect(set?.text.split('王静').length).toBe(2);
    expect(set?.text).toContain('完成申报私信整改办：关（发送“审批私信 开”可开启）');
    expect(await mode()).toBe('direct-then-group');
    expect(await w.sched.getReach(w.ledgerId)).toMatchObject({ mode: 'direct-then-group', by: '王静', at: '2021-09-01T02:00:00.000Z' });

    const refused = await w.say('viewer', '提醒方式 群内');
    expect(refused?.text).toContain('“提醒方式”仅限整改办使用');
    expect(refused?.outcome?.kind).toBe('forbidden');
    expect(await mode()).toBe('direct-then-group');

    const miss = await w.say('office', '提醒方式 发邮件');
    expect(miss?.text).toContain('无法识别提醒方式“发邮件”');
    expect(miss?.text).toContain('私信 | 群内 | 先私信后群内');
    expect(await mode()).toBe('direct-then-group');

    expect((await w.say('viewer', '审批私信 开'))?.outcome?.kind).toBe('forbidden');
    expect((await reachOf(w.sched, w.ledgerId)).approvalDirect).toBe(false);
    expect((await w.say('office', '审批私信 也许'))?.text).toContain('请写“开”或“关”');
    // Full-width colons and other words for on and off.
    const on = await w.say('office', '审批私信：开');
    expect(on?.text).toContain('✅ 已开启');
    expect((await reachOf(w.sched, w.ledgerId)).approvalDirect).toBe(true);
    // What the office gets, per platform of the ledger's groups (here the console: text, answered in the 1:1 chat).
    expect(on?.text).toContain('本机控制台：私信文字通知');
    expect(on?.text).not.toContain('私信审核卡片');
    await w.say('office', '审批私信 关闭');
    expect((await reachOf(w.sched, w.ledgerId)).approvalDirect).toBe(false);
    await w.say('office', '审批私信： 打开');
    expect((await reachOf(w.sched, w.ledgerId)).approvalDirect).toBe(true);

    // The subscription reply shows the setting too, and the reminder check reads naturally.
    const sub = await w.say('office', '订阅 周一 9:00');
    expect(sub?.text).toContain('提醒方式：先私信、逾期后群内@提醒；完成申报私信整改办：开');
    expect(sub?.text).toMatch(/到期提醒：(每天|每个工作日|每周.) \d+:\d\d 检查一次，/);
  });

  it('everyone in the group may view 提醒方式 and 审批私信; only the office may set them', async () => {
    w = await schedWorld({ at: '2021-09-01T02:00:00Z' });
    for (const who of ['owner', 'leader', 'viewer', 'supervisor']) {
      const r = await w.say(who, '提醒方式');
      expect([who, r?.outcome?.kind]).toEqual([who, 'ok']);
      expect(r?.text).toContain('提醒方式：群内@提醒');
      expect(r?.text).toContain('如需修改，请整改办发送：提醒方式 私信 | 群内 | 先私信后群内');
      expect((await w.say(who, '审批私信'))?.text).toContain('完成申报私信整改办：关');
      expect((await w.say(who, '提醒方式 私信'))?.outcome?.kind).toBe('forbidden');
    }
    expect(await w.sched.getReach(w.ledgerId)).toEqual({});
  });

  it('with 审批私信 开, a completion queues one 1:1 copy per office member (console), once per completion', async () => {
    w = await schedWorld({ at: '2021-09-01T02:00:00Z' });
    await w.service.reachSettings.setApprovalDirect(w.ledgerId, true, { name: 'cli' });
    const done = await w.say('owner', '完成 二.1.1 任职文件已印发');
    expect(done?.actions?.buttons.map((b) => b.label)).toEqual(['销号', '退回']);
    const jobs = async () => (await w!.outbox.queue.getJobs(['waiting', 'delayed'])).filter((j) => j.data.kind === 'approval');
    const queued = await jobs();
    expect(queued.map((j) => j.data.to)).toEqual(['office']);
    expect(queued[0]!.data.reply.actions?.id).toBe(done?.actions?.id);
    expect(queued[0]!.data.reply.text).toContain('请审核：可直接在这里回复“销号 二.1.1”予以销号');
    // The same completion again (a retried copy) adds nothing.
    await w.service.approvalCopies({ platform: 'console', chatId: w.chatId, ledgerId: w.ledgerId }, done!, 'owner');
    expect(await jobs()).toHaveLength(1);
    w.startWorker();
    await w.waitLog((es) => es.some((e) => e.kind === 'approval' && e.status === 'sent' && e.ledgerId === w!.ledgerId));
    expect(w.console.sent.filter((s) => s.chatId === '@office').map((s) => s.title)).toEqual(['待销号审核']);
  });
});
