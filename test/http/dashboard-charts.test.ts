import { describe, expect, it } from 'vitest';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { burnUp, carryForward, chartDays, groupSplits, lightsArea, plannedLine, splitBars, statusDonut } from '../../src/http/dashboard-charts.js';
import { snapshotOf } from '../../src/http/dashboard-model.js';
import { replayDone } from '../../src/http/dashboard-history.js';
import type { AuditEvent } from '../../src/ledger/types.js';
import type { DaySnapshot } from '../../src/store/dashboard-store.js';
import type { LedgerDoc } from '../../src/ledger/types.js';

const values = (html: string, chart: string) => {
  const m = new RegExp(`data-chart="${chart}" data-values="([^"]*)"`).exec(html);
  expect(m, chart).not.toBeNull();
  return JSON.parse(m![1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
};
const snap = (date: string, done: number, red = 0): DaySnapshot => ({ date, scope: 10, done, struck: 0, red, yellow: 0, green: 10 - red });

function tiny(): LedgerDoc {
  const doc = buildDemoDoc('t');
  // Three measures with known deadlines and statuses; the rest removed.
  doc.measures = doc.measures.slice(0, 3).map((m, i) => ({
    ...m,
    deadline: { type: 'date', date: ['2021-05-01', '2021-06-30', '2021-06-30'][i] },
    status: (['已销号', '推进中', '未启动'] as const)[i],
  }));
  return doc;
}

describe('dashboard charts (pure, server-side SVG)', () => {
  it('snapshotOf counts scope, done, struck off and the lights of a day', () => {
    const s = snapshotOf(tiny(), '2021-06-25');
    expect(s).toEqual({ date: '2021-06-25', scope: 3, done: 1, struck: 1, red: 0, yellow: 2, green: 1 });
    expect(snapshotOf(tiny(), '2021-07-01')).toMatchObject({ red: 2, yellow: 0, green: 1 });
  });

  it('the x-axis runs from the feedback date over at least two months, to today and the last deadline', () => {
    const doc = tiny();
    const days = chartDays(doc, '2021-04-20');
    expect(days[0]).toBe('2021-04-13');
    expect(days.at(-1)).toBe('2021-06-30');
    expect(chartDays(doc, '2021-09-01').at(-1)).toBe('2021-09-01');
    // Years later: one point per step of days, never more than ~200, ending today.
    const long = chartDays(doc, '2026-12-03');
    expect(long.length).toBeLessThanOrEqual(202);
    expect(long[0]).toBe('2021-04-13');
    expect(long.at(-1)).toBe('2026-12-03');
  });

  it('the planned line counts measures due by each day; carryForward holds the last snapshot until today', () => {
    const doc = tiny();
    expect(plannedLine(doc, ['2021-04-30', '2021-05-01', '2021-06-29', '2021-06-30'])).toEqual([0, 1, 1, 3]);
    const snaps = [snap('2021-05-02', 1), snap('2021-05-04', 2)];
    const at = carryForward(['2021-05-01', '2021-05-02', '2021-05-03', '2021-05-04', '2021-05-05', '2021-05-06'], snaps, '2021-05-05');
    expect(at.map((s) => s?.done ?? null)).toEqual([null, 1, 1, 2, 2, null]);
  });

  it('renders SVG with no script, the status donut carrying the counts drawn', () => {
    const html = statusDonut(tiny());
    expect(html).toMatch(/^<figure class="chart" data-chart="status"/);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script/i);
    expect(values(html, 'status')).toEqual({ 推进中: 1, 未启动: 1, 已销号: 1 });
    expect(html).toContain('已销号');
  });

  it('bars split each group into done / in progress / overdue', () => {
    const doc = tiny();
    const rows = groupSplits([['一', doc.measures]], '2021-07-01', 10);
    expect(rows).toEqual([{ label: '一', done: 1, doing: 0, overdue: 2 }]);
    const html = splitBars('aspects', '分方面', rows);
    expect(values(html, 'aspects')).toEqual(rows);
    expect(html).toContain('逾期');
  });

  it('burn-up and lights draw from the snapshots', () => {
    const doc = tiny();
    const snaps = [snap('2021-05-02', 1, 0), snap('2021-07-01', 1, 2)];
    const b = values(burnUp(doc, snaps, '2021-07-01'), 'burnup');
    expect(b).toEqual({ from: '2021-04-13', to: '2021-07-01', planned_today: 3, scope: 10, done: 1, struck: 0, snapshots: 2 });
    const l = lightsArea(snaps);
    expect(values(l, 'lights')).toEqual({ date: '2021-07-01', green: 8, yellow: 0, red: 2, days: 2 });
    expect(l).toContain('<svg');
  });

  it('replays done and struck-off backwards through the audit stream, stopping at a whole-ledger write', () => {
    const doc = tiny(); // today: 1.1.1 已销号, 1.1.2 推进中, 1.1.3 未启动
    doc.ledger.createdAt = '2021-04-20T02:00:00.000Z';
    const [a, b] = doc.measures;
    const ev = (at: string, itemId: string, from: string, to: string): AuditEvent => ({
      id: '0-0', at, actor: { platform: 'console', userId: 'u', name: 'u' }, itemId, code: '', action: itemId ? '完成' : '导入',
      from: from as AuditEvent['from'], to: to as AuditEvent['to'], note: '', messageId: '',
    });
    const events = [
      ev('2021-04-30T02:00:00.000Z', '', '', ''), // re-import on 4/30
      ev('2021-05-02T02:00:00.000Z', b.id, '未启动', '推进中'),
      ev('2021-05-03T02:00:00.000Z', a.id, '推进中', '待销号'),
      ev('2021-05-05T02:00:00.000Z', a.id, '待销号', '已完成'),
      ev('2021-05-06T01:00:00.000Z', a.id, '已完成', '已销号'),
    ];
    const days = ['2021-04-20', '2021-04-29', '2021-04-30', '2021-05-03', '2021-05-05', '2021-05-06', '2021-05-07'];
    const r = replayDone(doc, events, days, '2021-05-06');
    expect(r.map((s) => (s ? [s.done, s.struck] : null))).toEqual([null, null, [0, 0], [0, 0], [1, 0], [1, 1], null]);
    // Only the newest events read: nothing before the oldest of them.
    expect(replayDone(doc, events.slice(2), days, '2021-05-06', true).map((s) => s?.done ?? null)).toEqual([null, null, null, 0, 1, 1, null]);
    // The burn-up draws the replayed line: done at the last day equals today's.
    expect(values(burnUp(doc, [], '2021-05-06', events), 'burnup')).toMatchObject({ done: 1, struck: 1 });
  });
});
