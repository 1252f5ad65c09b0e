import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../helpers/redis.js';
import { schedWorld, type SchedWorld } from './harness.js';
import { DEFAULT_LADDER, formatLadder, parseLadder, reachedSteps } from '../../src/schedule/reminders.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import type { Measure } from '../../src/ledger/types.js';

const sh = (s: string) => new Date(`${s}+08:00`);

describe('the reminder ladder (pure)', () => {
  it('parses the office’s ladder in English or Chinese words', () => {
    expect(parseLadder('20:owner;10:owner+leader;overdue:leader+office')).toEqual(DEFAULT_LADDER);
    expect(parseLadder('逾期：责任领导+整改办；20天：责任人，10:责任人、领导')).toEqual(DEFAULT_LADDER);
    expect(formatLadder(DEFAULT_LADDER)).toBe('到期前20天：责任人；到期前10天：责任人、责任领导；逾期：责任领导、整改办');
    expect(parseLadder('10:boss')).toEqual({ error: expect.stringContaining('无法识别提醒对象“boss”') });
    expect(parseLadder('10:owner;10:leader')).toEqual({ error: expect.stringContaining('重复') });
  });

  it('an item reaches the furthest step it has passed, and none when closed or long-term', () => {
    const doc = buildDemoDoc('r');
    const m = (status: Measure['status'], date?: string): Measure =>
      ({ ...doc.measures[0], status, deadline: date ? { type: 'date', date } : { type: 'longterm' } });
    const step = (x: Measure, today: string) => reachedSteps([x], today, DEFAULT_LADDER)[0]?.step.days ?? null;
    expect(step(m('推进中', '2025-12-31'), '2025-12-10')).toBe(null); // 21 days
    expect(step(m('推进中', '2025-12-31'), '2025-12-11')).toBe(20);
    expect(step(m('推进中', '2025-12-31'), '2025-12-21')).toBe(10);
    expect(step(m('推进中', '2025-12-31'), '2025-12-31')).toBe(10); // due today
    expect(step(m('推进中', '2025-12-31'), '2026-01-01')).toBe('overdue');
    expect(step(m('待销号', '2025-12-31'), '2026-01-01')).toBe(null);
    expect(step(m('推进中'), '2026-01-01')).toBe(null);
  });
});

describe('reminder runs (fake clock, real Redis)', () => {
  let w: SchedWorld;
  beforeEach(async () => {
    const r = new Redis(testRedisUrl());
    await r.flushdb();
    r.disconnect();
  });
  afterEach(async () => { await w?.closeAll(); });

  it('each ladder step fires once per item, grouped into one message per chat and run; a new deadline re-arms it', async () => {
    w = await schedWorld({ at: '2021-08-31T02:00:00Z' });
    const s = w.open.services;
    // Put 二.1.1 (基本完成, 陈敏/杜波) back to work with a deadline of 2021-09-30, and 二.2.1 with 2021-09-25.
    const actor = { platform: 'console', userId: 'office', name: '王静' };
    await s.changes.apply(w.ledgerId, '2.2.1', actor, 'r1', () => ({ action: '退回', status: '推进中', deadline: { type: 'date', date: '2021-09-25' } }));
    await w.service.subscribe((await s.directory.getBinding('console', w.chatId))!, '0 9 * * 1', { name: '王静' });
    const sched = w.scheduler();
    const run = async (day: string) => {
      w.clock.set(sh(`${day}T09:30:01`));
      const r = await sched.tick();
      const reminders = r.queued.filter((q) => q.startsWith('remind'));
      const jobs = await w.outbox.queue.getJobs(['waiting', 'delayed']);
      const texts = jobs.filter((j) => j.data.kind === 'remind').map((j) => j.data.reply);
      await w.outbox.queue.drain(true);
      return { count: reminders.length, replies: texts };
    };
    // 9-10 (Fri): 二.1.1 is 20 days out; 二.2.1 is 15 days out (also the 20-day step).
    const a = await run('2021-09-10');
    expect(a.count).toBe(1);
    expect(a.replies[0].text).toContain('到期前20天（2项）：请责任人抓紧推进');
    expect(a.replies[0].text).toMatch(/二\.1\.1 .*｜9月30日到期，还有20天｜政治部｜陈敏/);
    expect(a.replies[0].mentions.map((m: { userId: string }) => m.userId).sort()).toEqual(['office', 'owner']); // 王静 owns 二.2.1
    expect((await run('2021-09-13')).count).toBe(0); // nothing new on Monday
    // 9-15: 二.2.1 is 10 days out → owner + leader (王静 and 李程, who has no account: named in text).
    const c = await run('2021-09-15');
    expect(c.replies[0].text).toContain('到期前10天（1项）：请责任人、责任领导抓紧推进');
    expect(c.replies[0].text).toContain('综合办公室｜王静、李程');
    expect(c.replies[0].text).not.toContain('二.1.1');
    // 9-27: 二.2.1 overdue (leader + office @), 二.1.1 at 3 days → its 10-day step.
    const d = await run('2021-09-27');
    expect(d.replies).toHaveLength(1);
    const t = d.replies[0].text;
    expect(t.indexOf('已逾期（1项）')).toBeLessThan(t.indexOf('到期前10天（1项）'));
    expect(t).toMatch(/二\.2\.1 .*9月25日到期，已逾期2天/);
    expect(d.replies[0].mentions.map((m: { userId: string }) => m.userId).sort()).toEqual(['office', 'owner']);
    expect((await run('2021-09-28')).count).toBe(0);
    // 改期 to 10-20 re-arms 二.1.1's ladder: 10-01 is 19 days out → the 20-day step again.
    await s.changes.apply(w.ledgerId, '2.1.1', actor, 'r2', (m) => ({ action: '改期', status: m.status, deadline: { type: 'date', date: '2021-10-20' } }));
    const e = await run('2021-10-01');
    expect(e.replies[0].text).toMatch(/到期前20天（1项）[\s\S]*二\.1\.1 .*10月20日到期，还有19天/);
  });

  it('long-term items get one 回头看 prompt a month, in the month’s first week', async () => {
    w = await schedWorld({ at: '2021-06-28T02:00:00Z' });
    await w.service.subscribe((await w.open.services.directory.getBinding('console', w.chatId))!, '0 9 * * 1', { name: '王静' });
    const sched = w.scheduler();
    const prompts = async (day: string) => {
      w.clock.set(sh(`${day}T09:30:01`));
      await sched.tick();
      const jobs = (await w.outbox.queue.getJobs(['waiting', 'delayed'])).filter((j) => j.data.kind === 'remind');
      await w.outbox.queue.drain(true);
      return jobs.map((j) => j.data.reply.text).join('\n');
    };
    expect(await prompts('2021-06-29')).not.toContain('回头看');
    const july = await prompts('2021-07-01');
    expect(july).toContain('长期坚持事项回头看（11项）');
    expect(july).toMatch(/一\.1\.1 .*｜政治部｜陈敏/);
    expect(await prompts('2021-07-02')).not.toContain('回头看');
    expect(await prompts('2021-08-02')).toContain('长期坚持事项回头看（11项）');
  });
});
