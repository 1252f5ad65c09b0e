import { dashboardLink } from '../../src/core/signed-link.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { makeWorld, type World } from '../helpers/world.js';
import { testRedisUrl } from '../helpers/redis.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { buildDigestModel } from '../../src/schedule/digest-model.js';
import { headline, renderDigest } from '../../src/schedule/digest-render.js';
import { composeDigest, RunCache } from '../../src/schedule/compose.js';
import { statusReport } from '../../src/commands/status-report.js';
import type { Measure, Status } from '../../src/ledger/types.js';

const actor = { platform: 'console', userId: 'owner', name: '陈敏' };

describe('digest text from seed 003 (pure)', () => {
  it('the headline is the notice’s own sentence', () => {
    const doc = buildDemoDoc('seed003');
    const now = new Date('2021-07-09T02:00:00Z');
    const m = buildDigestModel(doc, [], new Date('2021-07-02T02:00:00Z'), now);
    expect(headline(doc.ledger, m.counts, m.asOf)).toBe(
      '截至7月9日，巡察反馈的21个具体问题，已完成整改9个，已完成整改并长期坚持11个，基本完成整改1个。');
    const r = renderDigest(doc.ledger, m);
    expect(r.markdown).toContain('**完成率** ▓▓▓▓▓▓▓▓▓▓ 95.2%（20/21）');
    expect(r.text).toContain('本期没有新的完成、销号或进展报送。');
    expect(r.text).not.toContain('逾期事项（');
    expect(r.link).toBeUndefined();
  });

  it('names other statuses the way notices do, and mixed ledgers count tasks', () => {
    const doc = buildDemoDoc('mixed');
    const set = (i: number, s: Status) => { doc.measures[i] = { ...doc.measures[i], status: s } as Measure; };
    set(0, '已销号'); set(1, '推进中'); set(2, '未启动'); set(3, '待销号'); set(4, '阶段性完成');
    const m = buildDigestModel(doc, [], new Date(0), new Date('2021-11-22T02:00:00Z'));
    expect(headline(doc.ledger, m.counts, m.asOf, false)).toBe(
      '截至11月22日，巡察整改台账的21项整改任务，已完成整改10项（其中已销号1项），已完成整改并长期坚持6项，已申报完成待销号1项，' +
      '基本完成整改1项，阶段性完成1项，正在推进1项，尚未启动1项。');
  });
});

describe('digest against the store (seed 003 ledger in Redis)', () => {
  let w: World;
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(testRedisUrl());
    await redis.flushdb();
    w = await makeWorld({ at: '2021-09-20T02:00:00.000Z' });
  });
  afterAll(async () => { await w.close(); redis.disconnect(); });

  const apply = async (at: string, id: string, decide: (m: Measure) => { action: string; status: Status; note?: string }) => {
    w.clock.set(at);
    const r = await w.open.services.changes.apply(w.ledgerId, id, actor, `m-${at}-${id}`, decide);
    expect(r).not.toBe('duplicate');
  };

  it('covers the week: completions, strike-offs, notes, backward moves, stale items; counts equal status --json', async () => {
    await apply('2021-09-20T02:00:00Z', '1.3.2', () => ({ action: '退回', status: '推进中', note: '采购未完成' })); // before the window
    await apply('2021-09-28T02:00:00Z', '2.1.1', (m) => ({ action: '进展', status: m.status, note: '任免手续已呈报' }));
    await apply('2021-09-29T02:00:00Z', '2.1.1', (m) => ({ action: '进展', status: m.status, note: '等待批复' }));
    await apply('2021-09-30T02:00:00Z', '1.3.1', () => ({ action: '退回', status: '推进中', note: '缺少佐证材料' }));
    await apply('2021-10-01T02:00:00Z', '1.3.3', () => ({ action: '退回', status: '推进中', note: '缺少佐证' }));
    await apply('2021-10-01T03:00:00Z', '1.3.3', () => ({ action: '完成', status: '已完成', note: '已补充' })); // net unchanged, but 退回 still counts
    await apply('2021-10-02T02:00:00Z', '1.3.2', () => ({ action: '完成', status: '待销号', note: '设备已采购' }));
    await apply('2021-10-03T02:00:00Z', '2.2.1', () => ({ action: '销号', status: '已销号', note: '审核通过' }));
    const now = new Date('2021-10-08T01:00:00Z');
    w.clock.set(now);
    const s = w.open.services;
    const r = await composeDigest(s, new RunCache(s), { platform: 'console', chatId: w.chatId, ledgerId: w.ledgerId }, now, new Date('2021-09-27T01:00:00Z'));
    const status = await statusReport(s, w.ledgerId, '2021-10-08');
    const { counts } = r!.model;
    expect({ ledger: w.ledgerId, asOf: r!.model.asOf, ...counts }).toEqual(status);

    const t = r!.reply.text;
    expect(t).toContain('截至10月8日，巡察反馈的21个具体问题，已完成整改7个（其中已销号1个），已完成整改并长期坚持11个，' +
      '已申报完成待销号1个，基本完成整改1个，正在推进1个。');
    expect(t).toContain('本期动态（9月27日以来）');
    expect(t).toContain('新完成 1 项：一.3.2');
    expect(t).toContain('新销号 1 项：二.2.1');
    expect(t).toContain('报送进展 2 条，涉及 1 项：二.1.1');
    expect(t).toContain('状态倒退 2 项：一.3.1（已完成→推进中）、一.3.3（已完成→推进中）');
    // 一.3.1 went back to 推进中 on 9-30 and is past its 6-30 deadline: overdue, owner 王静 @-mentioned.
    expect(t).toContain('逾期事项（2项）');
    expect(t).toMatch(/🔴 一\.3\.1 .*｜逾期100天｜综合办公室｜王静/);
    expect(t).toMatch(/🔴 二\.1\.1 .*｜逾期8天｜政治部｜陈敏/);
    expect(r!.reply.mentions.map((m) => m.userId).sort()).toEqual(['office', 'owner']);
    expect(t).toContain('🔴 逾期 2 项 · 🟡 10天内到期 0 项');
    const depts = t.slice(t.indexOf('各部门情况')).split('\n').slice(1, 4);
    expect(depts).toEqual(['- 综合办公室 4/6，逾期1项', '- 政治部 3/4，逾期1项', '- 机关党委 4/4']);
  });

  it('links the dashboard when PUBLIC_URL is set, and flags items untouched for 14 days', async () => {
    const link = (id: string) => dashboardLink('https://rectify.example.org/', 'test-secret-0123456789', id, 1_700_000_000);
    const s = { ...w.open.services, publicUrl: 'https://rectify.example.org/', dashboardLink: async (id: string) => link(id) };
    const now = new Date('2021-10-30T01:00:00Z');
    const r = await composeDigest(s, new RunCache(s), { platform: 'console', chatId: w.chatId, ledgerId: w.ledgerId }, now, new Date('2021-10-23T01:00:00Z'));
    expect(r!.reply.link).toEqual({ title: '打开整改看板', url: link(w.ledgerId) });
    expect(r!.reply.link!.url).toMatch(new RegExp(`^https://rectify\\.example\\.org/dashboard\\?ledger=${w.ledgerId}&role=viewer&exp=1700000000&sig=[\\w-]{43}$`));
    expect(r!.reply.text).toContain('超过14天未更新 2 项：一.3.1、二.1.1');
    expect(r!.reply.text).toContain('本期没有新的完成、销号或进展报送。');
  });
});
