import { createRequire } from 'node:module';
import type * as Echarts from 'echarts';
import type { AuditEvent, LedgerDoc, Measure, Status } from '../ledger/types.js';
import { STATUSES } from '../ledger/types.js';
import { addDays, dayNumber, deadlineDate, fromDayNumber } from '../ledger/dates.js';
import { lightOf } from '../ledger/light.js';
import { isDone } from '../ledger/status.js';
import type { DaySnapshot } from '../store/dashboard-store.js';
import { replayDone } from './dashboard-history.js';

/**
 * The dashboard's charts, rendered on the server by ECharts as SVG strings
 * (`ssr: true`): the page needs no script, which in-app browsers on phones
 * handle far better than client-side charts. Each chart comes wrapped in a
 * <figure> whose data-values attribute carries the numbers drawn (for tests
 * and for anyone copying them), with a caption.
 */
const FONT = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif';
export const COLORS = { done: '#52c41a', doing: '#1677ff', overdue: '#f5222d', yellow: '#faad14', grey: '#bfbfbf', struck: '#237804', plan: '#8c8c8c' };
const STATUS_COLOR: Record<Status, string> = {
  未启动: '#d9d9d9', 推进中: '#69b1ff', 阶段性完成: '#1677ff', 基本完成: '#0958d9', 待销号: '#faad14',
  已完成: '#95de64', 已完成并长期坚持: '#52c41a', 已销号: '#237804',
};

// ECharts (about 20 MB resident) loads with the first chart drawn, not at start: an instance that only
// answers chats never needs it. Its CommonJS build, so the charts stay synchronous.
const requireCjs = createRequire(import.meta.url);
let lib: typeof Echarts | undefined;
const echarts = (): typeof Echarts => (lib ??= requireCjs('echarts') as typeof Echarts);

const escAttr = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function svg(option: Echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, fontSize: 13 }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function figure(name: string, caption: string, values: unknown, body: string): string {
  return `<figure class="chart" data-chart="${name}" data-values="${escAttr(JSON.stringify(values))}">${body}<figcaption>${escAttr(caption)}</figcaption></figure>`;
}

/** Donut: measures by status. */
export function statusDonut(doc: LedgerDoc): string {
  const counts = STATUSES.map((s) => ({ name: s, value: doc.measures.filter((m) => m.status === s).length })).filter((d) => d.value);
  const body = svg({
    color: counts.map((d) => STATUS_COLOR[d.name]),
    legend: { bottom: 0, left: 'center', itemWidth: 12, itemHeight: 12, textStyle: { fontSize: 12 } },
    series: [{
      type: 'pie', radius: ['38%', '62%'], center: ['50%', '42%'], data: counts,
      label: { formatter: '{b}\n{c}', fontSize: 12 }, labelLine: { length: 8, length2: 6 },
    }],
    title: { text: String(doc.measures.length), subtext: '条措施', left: 'center', top: '33%', textStyle: { fontSize: 22 }, subtextStyle: { fontSize: 12 }, itemGap: 2 },
  }, 480, 320);
  return figure('status', '整改措施状态分布', Object.fromEntries(counts.map((d) => [d.name, d.value])), body);
}

/** One group's split: done, in progress (open, not overdue), overdue. */
export interface GroupSplit { label: string; done: number; doing: number; overdue: number }

export function groupSplits(groups: Array<[string, Measure[]]>, today: string, yellowDays: number): GroupSplit[] {
  return groups.map(([label, ms]) => {
    let done = 0, overdue = 0;
    for (const m of ms) {
      if (isDone(m.status)) done++;
      else if (lightOf(m, today, yellowDays) === 'red') overdue++;
    }
    return { label, done, doing: ms.length - done - overdue, overdue };
  });
}

/** Horizontal stacked bars (done / in progress / overdue) per aspect or department. */
export function splitBars(name: string, caption: string, rows: GroupSplit[]): string {
  const shown = rows.slice(0, 15);
  const labels = shown.map((r) => (r.label.length > 9 ? `${r.label.slice(0, 8)}…` : r.label));
  const body = svg({
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    legend: { top: 0, itemWidth: 12, itemHeight: 12 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { fontSize: 12 } },
    series: ([['已完成', 'done', COLORS.done], ['推进中', 'doing', COLORS.doing], ['逾期', 'overdue', COLORS.overdue]] as const).map(([n, key, color]) => ({
      name: n, type: 'bar', stack: 'all', color, barMaxWidth: 22, data: shown.map((r) => r[key]),
      label: { show: true, fontSize: 11, formatter: (p: { value: number }) => (p.value ? String(p.value) : '') },
    })),
  }, 480, Math.max(160, 60 + shown.length * 30));
  const note = rows.length > shown.length ? `（显示前${shown.length}个，共${rows.length}个）` : '';
  return figure(name, caption + note, shown, body);
}

/** Dates to draw: from the feedback date to the latest of two months on, today and the last deadline; at most ~200 points (a step of days when longer: the SVG's cost grows with them). */
export function chartDays(doc: LedgerDoc, today: string): string[] {
  const start = dayNumber(doc.ledger.feedbackDate || today);
  let end = Math.max(dayNumber(addDays(doc.ledger.feedbackDate || today, 61)), dayNumber(today));
  // Deadlines far ahead (a typo'd year) would squash the chart: look at most two years past today.
  const horizon = dayNumber(today) + 2 * 366;
  for (const m of doc.measures) { const d = deadlineDate(m.deadline); if (d) end = Math.max(end, Math.min(dayNumber(d), horizon)); }
  const step = Math.max(1, Math.ceil((end - start + 1) / 200));
  const out: string[] = [];
  for (let n = start; n <= end; n += step) out.push(fromDayNumber(n));
  if (out[out.length - 1] !== fromDayNumber(end)) out.push(fromDayNumber(end));
  return out;
}

/** For each day, the last snapshot taken on or before it (none before the first snapshot, none after today). */
export function carryForward(days: string[], snaps: DaySnapshot[], today: string): Array<DaySnapshot | null> {
  let i = -1;
  return days.map((d) => {
    while (i + 1 < snaps.length && snaps[i + 1].date <= d) i++;
    return d > today || i < 0 ? null : snaps[i];
  });
}

/** Measures due on or before each day (the planned line: everything finished by its deadline). */
export function plannedLine(doc: LedgerDoc, days: string[]): number[] {
  const due = doc.measures.map((m) => deadlineDate(m.deadline)).filter((d): d is string => !!d).sort();
  let j = 0;
  return days.map((d) => { while (j < due.length && due[j] <= d) j++; return j; });
}

const md = (d: string) => `${Number(d.slice(5, 7))}/${Number(d.slice(8, 10))}`;
/** Axis labels carry the year when the range crosses one. */
const dayLabels = (days: string[]) => (days[0].slice(0, 4) === days[days.length - 1].slice(0, 4) ? days.map(md) : days.map((d) => `${d.slice(0, 4)}/${md(d)}`));

/** Burn-up: scope, cumulative done and struck off, planned, and the completion rate (right axis). */
export function burnUp(doc: LedgerDoc, snaps: DaySnapshot[], today: string, events: AuditEvent[] = [], truncated = false): string {
  const days = chartDays(doc, today);
  // A day's own snapshot wins; else the audit replay; else the last snapshot before it.
  const kept = carryForward(days, snaps, today);
  const replay = replayDone(doc, events, days, today, truncated);
  const own = new Set(snaps.map((s) => s.date));
  const at = days.map((d, i) => (own.has(d) ? kept[i] : replay[i] ?? kept[i]));
  const planned = plannedLine(doc, days);
  const scope = at.map((s, i) => s?.scope ?? (days[i] > today ? doc.measures.length : null));
  const done = at.map((s) => s?.done ?? null);
  const struck = at.map((s) => s?.struck ?? null);
  const rate = at.map((s) => (s && s.scope ? Math.round((s.done / s.scope) * 1000) / 10 : null));
  const ti = days.findIndex((d) => d >= today);
  // Few snapshots: draw their points, or a single day would be invisible.
  const dots = { symbol: 'circle', symbolSize: 6, showSymbol: at.filter(Boolean).length <= 40, showAllSymbol: true };
  const option = (narrow: boolean): Echarts.EChartsCoreOption => ({
    grid: { left: 8, right: 8, top: narrow ? 58 : 36, bottom: 8, containLabel: true },
    legend: { top: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 12 } },
    xAxis: { type: 'category', data: dayLabels(days), boundaryGap: false, axisLabel: { fontSize: 11 } },
    yAxis: [{ type: 'value', minInterval: 1 }, { type: 'value', max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } }],
    series: [
      { name: '任务总数', type: 'line', step: 'end', ...dots, color: COLORS.grey, data: scope },
      { name: '计划完成', type: 'line', symbol: 'none', color: COLORS.plan, lineStyle: { type: 'dashed' }, data: planned },
      { name: '累计完成', type: 'line', ...dots, color: COLORS.done, areaStyle: { opacity: 0.15 }, data: done,
        markLine: ti >= 0 ? { symbol: 'none', silent: true, label: { formatter: '今天', fontSize: 11 }, lineStyle: { color: '#999' }, data: [{ xAxis: ti }] } : undefined },
      { name: '累计销号', type: 'line', ...dots, color: COLORS.struck, data: struck },
      { name: '完成率', type: 'line', yAxisIndex: 1, ...dots, color: COLORS.yellow, lineStyle: { width: 1 }, data: rate },
    ],
  });
  // Two drawings, one shown by the stylesheet: a wide chart's text would be unreadable scaled down to a phone.
  const body = `<div class="wide-only">${svg(option(false), 960, 340)}</div><div class="narrow-only">${svg(option(true), 480, 380)}</div>`;
  const last = [...at].reverse().find((s) => s);
  return figure('burnup', `燃起图：${md(days[0])}（反馈）起，虚线为按时限应完成数`, {
    from: days[0], to: days[days.length - 1], planned_today: planned[Math.max(0, ti)] ?? 0,
    scope: last?.scope ?? doc.measures.length, done: last?.done ?? 0, struck: last?.struck ?? 0, snapshots: snaps.length,
  }, body);
}

/** Stacked area of green / yellow / red open-measure lights over the days with snapshots. */
export function lightsArea(snaps: DaySnapshot[]): string {
  const shown = snaps.slice(-400);
  const body = svg({
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    legend: { top: 0, itemWidth: 14, itemHeight: 8 },
    xAxis: { type: 'category', data: shown.map((s) => md(s.date)), boundaryGap: shown.length < 8 },
    yAxis: { type: 'value', minInterval: 1 },
    // A stacked area needs days to show a change; the first week is drawn as stacked bars.
    series: ([['正常', 'green', COLORS.done], ['临期', 'yellow', COLORS.yellow], ['逾期', 'red', COLORS.overdue]] as const).map(([n, key, color]) => (shown.length < 8
      ? { name: n, type: 'bar', stack: 'lights', color, barMaxWidth: 40, data: shown.map((s) => s[key]) }
      : { name: n, type: 'line', stack: 'lights', symbol: 'none', color, areaStyle: { opacity: 0.8 }, data: shown.map((s) => s[key]) })),
  }, 480, 260);
  const last = shown[shown.length - 1];
  return figure('lights', '红黄绿灯变化（按每日快照）', last ? { date: last.date, green: last.green, yellow: last.yellow, red: last.red, days: shown.length } : {}, body);
}
