import type { LedgerDoc } from '../ledger/types.js';
import { STATUSES } from '../ledger/types.js';
import { formatDateCn, formatDeadline, shanghaiDate } from '../ledger/dates.js';
import { lightOf, LIGHT_WORD } from '../ledger/light.js';
import type { LinkScope } from '../core/signed-link.js';
import { esc, linker, shell } from './dashboard-layout.js';
import { filterOptions, tableQueryString, tableRows, type TableQuery } from './dashboard-model.js';

const opt = (value: string, label: string, current: string | undefined) =>
  `<option value="${esc(value)}"${current === value ? ' selected' : ''}>${esc(label)}</option>`;

function select(name: string, label: string, values: Array<[string, string]>, current: string | undefined): string {
  return `<label>${label}<select name="${name}">${opt('', '全部', current)}${values.map(([v, l]) => opt(v, l, current)).join('')}</select></label>`;
}

/**
 * The ledger table: a GET form (works without script; the filters are the
 * query string, so a filtered view is a link to share), sorted and paged.
 */
export function renderTable(x: { doc: LedgerDoc; query: TableQuery; scope: LinkScope; today: string; extended: Set<string> }): string {
  const { doc, query: t, today } = x;
  const L = doc.ledger;
  const link = linker(x.scope);
  const o = filterOptions(doc);
  const r = tableRows(doc, t, today, x.extended);
  const same = (s: string[]) => s.map((v): [string, string] => [v, v]);
  // The signed query travels as hidden fields, so submitting the form keeps the link valid.
  const hidden = (['ledger', 'role', 'exp', 'sig'] as const).map((k) => `<input type="hidden" name="${k}" value="${esc(String(x.scope[k]))}">`).join('');
  const form = `<section><form class="filters" method="get" action="/dashboard/items">${hidden}
${select('aspect', '方面', o.aspects.map((a) => [String(a.value), a.label]), t.aspect?.toString())}
${select('kind', '类别', same(o.kinds), t.kind)}
${select('dept', '责任部门', same(o.depts), t.dept)}
${select('leader', '责任领导', same(o.leaders), t.leader)}
${select('owner', '责任人', same(o.owners), t.owner)}
${select('status', '状态', same([...STATUSES]), t.status)}
${select('light', '灯色', [['red', '🔴 逾期'], ['yellow', '🟡 临期'], ['green', '🟢 正常']], t.light)}
${select('flag', '其他', [['late', '逾期完成'], ['extended', '延期（改过时限）']], t.flag)}
<label>关键词<input type="search" name="q" value="${esc(t.q ?? '')}" placeholder="措施、部门、人名"></label>
${select('sort', '排序', [['deadline', '按时限'], ['updated', '按最近更新']], t.sort === 'code' ? undefined : t.sort).replace('>全部<', '>按编号<')}
<label>&nbsp;<button type="submit">筛选</button></label>
</form></section>`;
  const rows = r.rows.map((m) => {
    const light = lightOf(m, today, L.yellowDays);
    return `<tr><td class="code"><span class="dot ${light}" title="${LIGHT_WORD[light]}"></span><a href="${esc(link(`/dashboard/item/${encodeURIComponent(m.id)}`, tableQueryString({ ...t, page: undefined })))}">${esc(m.code)}</a></td>
<td class="title">${esc(m.title)}</td><td data-l="领导">${esc(m.leaders.join('、'))}</td><td data-l="部门">${esc(m.departments.join('、'))}</td><td data-l="责任人">${esc(m.owners.join('、'))}</td>
<td data-l="时限">${esc(formatDeadline(m.deadline))}</td><td data-l="状态">${esc(m.status)}</td><td class="muted" data-l="更新">${esc(formatDateCn(shanghaiDate(new Date(m.updatedAt))))}</td></tr>`;
  }).join('');
  const page = (n: number, label: string) => `<a class="btn plain" href="${esc(link('/dashboard/items', tableQueryString({ ...t, page: n })))}">${label}</a>`;
  const pager = `<div class="pager">${r.page > 1 ? page(r.page - 1, '上一页') : ''}<span>第${r.page}/${r.pages}页</span>${r.page < r.pages ? page(r.page + 1, '下一页') : ''}</div>`;
  const body = `${form}<section><h2>整改措施 <span data-total="${r.total}">${r.total}</span> 项</h2>
${r.total ? `<div class="tbl"><table class="list" id="items"><thead><tr><th>编号</th><th>整改措施</th><th>责任领导</th><th>责任部门</th><th>责任人</th><th>时限</th><th>状态</th><th>更新</th></tr></thead><tbody>${rows}</tbody></table></div>` : '<p class="none">没有符合条件的整改措施。</p>'}
${pager}</section>`;
  return shell({
    title: `台账 · ${L.title}`, ledgerTitle: L.title, tab: 'items', link, role: x.scope.role, body, asOf: formatDateCn(today),
    sub: `${esc(L.org)} · 共${doc.measures.length}条整改措施`,
  });
}
