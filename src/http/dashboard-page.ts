import type { AuditEvent, LedgerDoc, Measure } from '../ledger/types.js';
import { formatDateCn, formatDeadline, formatMonthDayCn, shanghaiDate } from '../ledger/dates.js';
import { formatPercent } from '../ledger/light.js';
import { aspectHeading } from '../ledger/codes.js';
import type { DigestModel } from '../schedule/digest-model.js';
import type { DaySnapshot } from '../store/dashboard-store.js';
import type { LinkScope } from '../core/signed-link.js';
import { burnUp, groupSplits, lightsArea, splitBars, statusDonut } from './dashboard-charts.js';
import { esc, linker, shell, type Linker } from './dashboard-layout.js';
import { mayView, tableQueryString } from './dashboard-model.js';

function rows(ms: Measure[], link: Linker, note: (m: Measure) => string): string {
  if (!ms.length) return '<p class="none">无</p>';
  const shown = ms.slice(0, 30);
  const more = ms.length > shown.length ? `<p class="muted">另有${ms.length - shown.length}项，请在台账中查看。</p>` : '';
  return `<div class="tbl"><table class="list"><thead><tr><th>编号</th><th>整改措施</th><th>责任部门</th><th>时限</th><th>状态</th><th></th></tr></thead><tbody>${shown.map((m) =>
    `<tr><td class="code"><a href="${esc(link(`/dashboard/item/${encodeURIComponent(m.id)}`))}">${esc(m.code)}</a></td><td class="title">${esc(m.title)}</td><td>${esc(m.departments.join('、'))}</td><td>${esc(formatDeadline(m.deadline))}</td><td>${esc(m.status)}</td><td>${esc(note(m))}</td></tr>`).join('')}</tbody></table></div>${more}`;
}

export interface OverviewInput {
  doc: LedgerDoc;
  digest: DigestModel;
  snapshots: DaySnapshot[];
  /** The audit stream (oldest first) the burn-up replays before the first snapshot. */
  events?: AuditEvent[];
  /** The stream holds older events than `events` (the replay stops at the oldest one given). */
  eventsTruncated?: boolean;
  /** Keeps the rendered charts (see renderCharts) for this ledger version, day and snapshots. */
  charts?: (render: () => string) => string;
  scope: LinkScope;
  sensitive: boolean;
  /** Whether the Word notice can be downloaded (its renderer is wired in). */
  hasNotice?: boolean;
  today: string;
  daysLeft: (m: Measure) => number | null;
}

/** The five charts of the overview (server-rendered SVG; the costly part of the page, so callers may keep it per ledger version). */
export function renderCharts(x: Pick<OverviewInput, 'doc' | 'snapshots' | 'today' | 'events' | 'eventsTruncated'>): string {
  const { doc, today } = x;
  const yd = doc.ledger.yellowDays;
  const aspectSplits = groupSplits(doc.aspects.map((a) => [aspectHeading(a), doc.measures.filter((m) => m.aspect === a.aspect)]), today, yd);
  const byDept = new Map<string, Measure[]>();
  for (const m of doc.measures) for (const n of m.departments) { const l = byDept.get(n); if (l) l.push(m); else byDept.set(n, [m]); }
  const deptSplits = groupSplits([...byDept], today, yd).sort((a, b) => b.overdue - a.overdue || (b.done + b.doing + b.overdue) - (a.done + a.doing + a.overdue));
  return `<div class="charts">
${statusDonut(doc)}
${lightsArea(x.snapshots)}
<div class="wide">${burnUp(doc, x.snapshots, today, x.events, x.eventsTruncated)}</div>
${splitBars('aspects', '分方面进度（已完成 / 推进中 / 逾期）', aspectSplits)}
${splitBars('departments', '各部门进度（已完成 / 推进中 / 逾期）', deptSplits)}
</div>`;
}

/** The overview: figures, the charts (server-rendered SVG), overdue and due-soon lists, this week, downloads. */
export function renderDashboard(x: OverviewInput): string {
  const { doc, digest: d, today } = x;
  const L = doc.ledger;
  const c = d.counts;
  const link = linker(x.scope);
  const may = mayView(x.scope.role, x.sensitive);
  const done = (c.byStatus['已完成'] ?? 0) + (c.byStatus['已完成并长期坚持'] ?? 0) + (c.byStatus['已销号'] ?? 0);
  const items = (q: Parameters<typeof tableQueryString>[0]) => esc(link('/dashboard/items', tableQueryString(q)));
  const downloads = [
    may.xlsx ? `<a class="btn" href="${esc(link('/dashboard/export.xlsx'))}">下载台账（Excel）</a>` : '',
    may.notice && x.hasNotice ? `<a class="btn plain" href="${esc(link('/dashboard/notice.docx'))}">下载整改情况通报（Word）</a>` : '',
  ].filter(Boolean).join(' ');
  const body = `
<section><div class="kpi">
<div>整改措施<b data-kpi="measures">${c.measures}</b></div><div>问题<b data-kpi="problems">${c.problems}</b></div>
<div>已完成<b data-kpi="done">${done}</b></div><div>完成率<b data-kpi="rate">${formatPercent(c.completionRate)}</b></div>
<div class="red"><a class="red" href="${items({ light: 'red' })}">逾期<b data-kpi="red">${c.red}</b></a></div>
<div class="yellow"><a class="yellow" href="${items({ light: 'yellow' })}">${L.yellowDays}天内到期<b data-kpi="yellow">${c.yellow}</b></a></div>
</div></section>
${x.charts ? x.charts(() => renderCharts(x)) : renderCharts(x)}
<section><h2 class="red">逾期事项（${d.red.length}项）</h2>${rows(d.red, link, (m) => `逾期${-(x.daysLeft(m) ?? 0)}天`)}</section>
<section><h2 class="yellow">临期事项（${d.yellow.length}项）</h2>${rows(d.yellow, link, (m) => `还有${x.daysLeft(m) ?? 0}天`)}</section>
<section><h2>本周动态（${esc(formatMonthDayCn(shanghaiDate(new Date(d.since))))}以来）</h2><p>新完成 ${d.newlyDone.length} 项 · 新销号 ${d.struckOff.length} 项 · 报送进展 ${d.notes.count} 条 · 状态倒退 ${d.backwards.length} 项 · 超过14天未更新 ${d.stale.length} 项</p></section>
<section><h2>各部门情况</h2><div class="tbl"><table><thead><tr><th>部门</th><th>已完成/总数</th><th>逾期</th></tr></thead><tbody>${d.departments.map((l) =>
    `<tr><td><a href="${items({ dept: l.name })}">${esc(l.name)}</a></td><td>${l.done}/${l.total}（${formatPercent(l.total ? l.done / l.total : 0)}）</td><td class="${l.overdue ? 'red' : ''}">${l.overdue}</td></tr>`).join('')}</tbody></table></div></section>
${downloads ? `<section class="noprint"><h2>下载</h2>${downloads}</section>` : ''}`;
  return shell({
    title: L.title, ledgerTitle: L.title, tab: 'overview', link, role: x.scope.role, body, asOf: formatDateCn(d.asOf),
    sub: `${esc(L.org)}${L.inspectionGroup ? ` · ${esc(L.inspectionGroup)}` : ''} · 反馈日期 ${esc(formatDateCn(L.feedbackDate))}`,
  });
}
