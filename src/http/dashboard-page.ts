import type { LedgerDoc, Measure } from '../ledger/types.js';
import { formatDateCn, formatDeadline, formatMonthDayCn, shanghaiDate } from '../ledger/dates.js';
import { formatPercent } from '../ledger/light.js';
import type { DigestModel } from '../schedule/digest-model.js';
import { isDone } from '../ledger/status.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const bar = (done: number, total: number) => {
  const pct = total ? (done / total) * 100 : 0;
  return `<div class="bar"><i style="width:${pct.toFixed(1)}%"></i></div><span class="pct">${formatPercent(total ? done / total : 0)}（${done}/${total}）</span>`;
};

function rows(ms: Measure[], note: (m: Measure) => string): string {
  if (!ms.length) return '<p class="none">无</p>';
  return `<table><tr><th>编号</th><th>整改措施</th><th>责任部门</th><th>责任人</th><th>时限</th><th>状态</th><th></th></tr>${ms.map((m) => `<tr><td>${esc(m.code)}</td><td>${esc(m.title)}</td><td>${esc(m.departments.join('、'))}</td><td>${esc(m.owners.join('、'))}</td><td>${esc(formatDeadline(m.deadline))}</td><td>${esc(m.status)}</td><td>${esc(note(m))}</td></tr>`).join('')}</table>`;
}

/** The read-only dashboard of one ledger, server-rendered (no scripts, no external assets). */
export function renderDashboard(doc: LedgerDoc, d: DigestModel, daysLeft: (m: Measure) => number | null): string {
  const L = doc.ledger;
  const c = d.counts;
  const done = (c.byStatus['已完成'] ?? 0) + (c.byStatus['已完成并长期坚持'] ?? 0) + (c.byStatus['已销号'] ?? 0);
  const statuses = Object.entries(c.byStatus).map(([s, n]) => `<span class="chip">${esc(s)} <b>${n}</b></span>`).join('');
  const aspects = doc.aspects.map((a) => {
    const ms = doc.measures.filter((m) => m.aspect === a.aspect);
    const ok = ms.filter((m) => isDone(m.status)).length;
    return `<tr><td>${esc(a.code)}、${esc(a.title)}</td><td>${bar(ok, ms.length)}</td></tr>`;
  }).join('');
  const depts = d.departments.map((l) => `<tr><td>${esc(l.name)}</td><td>${bar(l.done, l.total)}</td><td class="${l.overdue ? 'red' : ''}">${l.overdue}</td></tr>`).join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(L.title)} · 整改看板</title><style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f2f3f5;color:#1f2329}
main{max-width:1000px;margin:0 auto;padding:16px}h1{font-size:20px}h2{font-size:16px;margin:20px 0 8px}
section{background:#fff;border-radius:8px;padding:12px 16px;margin:12px 0;box-shadow:0 1px 2px #0001}
.kpi{display:flex;gap:24px;flex-wrap:wrap}.kpi div{min-width:120px}.kpi b{font-size:24px;display:block}
.red{color:#d4380d}.yellow{color:#d48806}.chip{display:inline-block;background:#f0f5ff;border-radius:4px;padding:2px 8px;margin:2px}
.bar{display:inline-block;width:160px;height:10px;background:#e5e6eb;border-radius:5px;vertical-align:middle;overflow:hidden}
.bar i{display:block;height:100%;background:#52c41a}.pct{margin-left:8px;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #eee;padding:6px 4px;text-align:left;vertical-align:top}
.none{color:#86909c}footer{color:#86909c;font-size:12px;margin:16px 0}</style></head><body><main>
<h1>${esc(L.title)}</h1><p>${esc(L.org)}${L.inspectionGroup ? ` · ${esc(L.inspectionGroup)}` : ''} · 反馈日期 ${esc(formatDateCn(L.feedbackDate))}</p>
<section class="kpi"><div>整改措施<b>${c.measures}</b></div><div>问题<b>${c.problems}</b></div><div>完成率<b>${formatPercent(c.completionRate)}</b></div>
<div class="red">逾期<b>${c.red}</b></div><div class="yellow">${L.yellowDays}天内到期<b>${c.yellow}</b></div></section>
<section><h2>总体进度</h2>${bar(done, c.measures)}<p>${statuses}</p></section>
<section><h2>分方面进度</h2><table>${aspects}</table></section>
<section><h2 class="red">逾期事项（${d.red.length}项）</h2>${rows(d.red, (m) => `逾期${-(daysLeft(m) ?? 0)}天`)}</section>
<section><h2 class="yellow">临期事项（${d.yellow.length}项）</h2>${rows(d.yellow, (m) => `还有${daysLeft(m) ?? 0}天`)}</section>
<section><h2>本周动态（${esc(formatMonthDayCn(shanghaiDate(new Date(d.since))))}以来）</h2><p>新完成 ${d.newlyDone.length} 项 · 新销号 ${d.struckOff.length} 项 · 报送进展 ${d.notes.count} 条 · 状态倒退 ${d.backwards.length} 项 · 超过14天未更新 ${d.stale.length} 项</p></section>
<section><h2>各部门情况</h2><table><tr><th>部门</th><th>完成</th><th>逾期</th></tr>${depts}</table></section>
<footer>截至${esc(formatDateCn(d.asOf))} · 整改督办机器人 · 本页为只读，链接到期后失效</footer></main></body></html>`;
}
