import type { AuditEvent, Item, Ledger, Measure, Problem } from '../ledger/types.js';
import { formatDateCn, formatDeadline, shanghaiDate } from '../ledger/dates.js';
import { lightOf, LIGHT_WORD } from '../ledger/light.js';
import { problemWithCode } from '../ledger/codes.js';
import type { LinkScope } from '../core/signed-link.js';
import { esc, linker, shell } from './dashboard-layout.js';
import type { EvidenceRecord } from '../evidence/types.js';
import { evidenceFiles } from './dashboard-evidence.js';

/** "2025年3月4日 14:05" in Shanghai time. */
export function formatWhen(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const hm = new Date(t.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
  return `${formatDateCn(shanghaiDate(t))} ${hm}`;
}

function timeline(events: AuditEvent[]): string {
  if (!events.length) return '<p class="none">暂无记录。</p>';
  return `<ol class="timeline">${[...events].reverse().map((e) => {
    const change = e.from && e.to && e.from !== e.to ? ` ${esc(e.from)} → <b>${esc(e.to)}</b>` : e.to ? ` <span class="muted">（状态：${esc(e.to)}）</span>` : '';
    return `<li><div class="muted">${esc(formatWhen(e.at))} · ${esc(e.actor.name || e.actor.userId || '系统')}</div><div><span class="chip">${esc(e.action)}</span>${change}</div>${e.note ? `<div>${esc(e.note)}</div>` : ''}</li>`;
  }).join('')}</ol>`;
}

export interface ItemPageInput {
  ledger: Ledger;
  item: Item;
  problem: Problem | null;
  /** Measures of a problem page. */
  children: Measure[];
  history: AuditEvent[];
  scope: LinkScope;
  may: { history: boolean; evidence: boolean };
  /** The measure's evidence files (shown only when may.evidence). */
  files?: EvidenceRecord[];
  today: string;
  /** The table query the reader came from (the back link returns to the same view). */
  back: URLSearchParams;
}

/** One item: every field, light, notes, evidence, extensions and the history timeline. */
export function renderItem(x: ItemPageInput): string {
  const { ledger: L, item } = x;
  const link = linker(x.scope);
  const back = `<p class="noprint"><a href="${esc(link('/dashboard/items', x.back))}">← 返回台账</a></p>`;
  let body: string;
  if (item.level === 'measure') {
    const m = item;
    const light = lightOf(m, x.today, L.yellowDays);
    const notes = m.notes.filter((n) => !n.evidence);
    const evidence = m.notes.filter((n) => n.evidence);
    const extensions = x.history.filter((e) => e.action === '改期');
    const noteList = (ns: typeof notes) => (ns.length ? `<ul>${ns.map((n) => `<li><span class="muted">${esc(formatWhen(n.at))} ${esc(n.by)}</span><br>${esc(n.text)}</li>`).join('')}</ul>` : '<p class="none">暂无。</p>');
    const hidden = '<p class="none">本台账为敏感台账，此链接不显示该内容。</p>';
    const files = x.files ?? [];
    const evidenceSection = () => (files.length ? evidenceFiles(files, link, formatWhen) + (evidence.length ? noteList(evidence) : '') : noteList(evidence));
    body = `${back}<section><h2>${esc(m.code)} 整改措施</h2><p>${esc(m.title)}</p><dl class="fields">
<dt>所属问题</dt><dd>${x.problem ? esc(problemWithCode(x.problem)) : '—'}</dd>
<dt>问题类别</dt><dd>${esc(m.kind)}</dd>
<dt>责任领导</dt><dd>${esc(m.leaders.join('、') || '—')}</dd>
<dt>责任部门</dt><dd>${esc(m.departments.join('、') || '—')}</dd>
<dt>责任人</dt><dd>${esc(m.owners.join('、') || '—')}</dd>
<dt>完成时限</dt><dd>${esc(formatDeadline(m.deadline))}</dd>
<dt>状态</dt><dd><b>${esc(m.status)}</b></dd>
<dt>灯色</dt><dd><span class="dot ${light}"></span>${LIGHT_WORD[light]}</dd>
<dt>最近更新</dt><dd>${esc(formatWhen(m.updatedAt))}</dd>
</dl></section>
<section><h2>进展情况</h2>${noteList(notes)}</section>
<section><h2>佐证材料</h2>${x.may.evidence ? evidenceSection() : hidden}</section>
<section><h2>延期记录（${x.may.history ? extensions.length : '—'}）</h2>${x.may.history ? (extensions.length ? `<ul>${extensions.map((e) => `<li>${esc(formatWhen(e.at))} ${esc(e.actor.name)}：${esc(e.note)}</li>`).join('')}</ul>` : '<p class="none">未延期。</p>') : hidden}</section>
<section><h2>办理记录</h2>${x.may.history ? timeline(x.history) : hidden}</section>`;
  } else {
    const kids = x.children.map((m) => `<li><a href="${esc(link(`/dashboard/item/${encodeURIComponent(m.id)}`, x.back))}">${esc(m.code)}</a> ${esc(m.title)} · ${esc(m.status)}</li>`).join('');
    body = `${back}<section><h2>${esc(item.code)} ${item.level === 'problem' ? '问题' : '方面'}</h2><p>${esc(item.heading ?? item.title)}</p>
${item.level === 'problem' ? `<p>类别：${esc(item.kind)}　状态：<b>${esc(item.status)}</b></p>` : ''}<ul>${kids}</ul></section>`;
  }
  return shell({
    title: `${item.code} · ${L.title}`, ledgerTitle: L.title, tab: 'item', link, role: x.scope.role, body, asOf: formatDateCn(x.today),
    sub: esc(L.org),
  });
}
