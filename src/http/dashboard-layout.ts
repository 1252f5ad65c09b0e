import type { LinkScope } from '../core/signed-link.js';

/** HTML-escapes text and attribute values. */
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const ROLE_LABEL: Record<LinkScope['role'], string> = { viewer: '查看', supervisor: '督查', office: '整改办' };

/**
 * Links inside the dashboard carry the signed query of the link that opened
 * it (ledger, role, exp, sig): no cookie, no login, and every page checks it
 * again, so a page can never widen what the link allowed.
 */
export function linker(scope: LinkScope) {
  const auth = new URLSearchParams({ ledger: scope.ledger, role: scope.role, exp: String(scope.exp), sig: scope.sig });
  return (path: string, extra?: URLSearchParams) => {
    const q = new URLSearchParams(auth);
    for (const [k, v] of extra ?? []) q.append(k, v);
    return `${path}?${q}`;
  };
}
export type Linker = ReturnType<typeof linker>;

const CSS = `
*{box-sizing:border-box}
body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f2f3f5;color:#1f2329;font-size:15px;line-height:1.5}
a{color:#1456f0;text-decoration:none}a:hover{text-decoration:underline}
header{background:#fff;border-bottom:1px solid #e5e6eb}
header .in,main{max-width:1100px;margin:0 auto;padding:10px 12px}
header h1{font-size:18px;margin:0 0 2px}header .sub{color:#646a73;font-size:13px}
nav{display:flex;gap:4px;flex-wrap:wrap;margin-top:6px}nav a{padding:4px 10px;border-radius:14px;background:#f2f3f5;font-size:14px}
nav a.on{background:#1456f0;color:#fff}
section{background:#fff;border-radius:8px;padding:12px 14px;margin:10px 0;box-shadow:0 1px 2px #0001}
h2{font-size:16px;margin:0 0 8px}
.kpi{display:grid;grid-template-columns:repeat(auto-fit,minmax(100px,1fr));gap:8px}
.kpi div{background:#f7f8fa;border-radius:6px;padding:8px}.kpi b{font-size:22px;display:block}
.red{color:#d4380d}.yellow{color:#ad6800}.green{color:#389e0d}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px;vertical-align:middle}
.dot.red{background:#f5222d}.dot.yellow{background:#faad14}.dot.green{background:#52c41a}
.charts{display:grid;grid-template-columns:1fr;gap:10px}
@media(min-width:900px){.charts{grid-template-columns:1fr 1fr}.charts .wide{grid-column:1/-1}}
figure.chart{margin:0;background:#fff;border-radius:8px;padding:8px;box-shadow:0 1px 2px #0001;min-width:0}
figure.chart svg{width:100%;height:auto;display:block}
.narrow-only{display:none}
@media(max-width:600px){.wide-only{display:none}.narrow-only{display:block}}
figcaption{font-size:13px;color:#646a73;text-align:center}
.tbl{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
td,th{border-bottom:1px solid #eee;padding:6px 4px;text-align:left;vertical-align:top}th{color:#646a73;font-weight:500;white-space:nowrap}
td.code{white-space:nowrap}
.none{color:#86909c}.muted{color:#86909c;font-size:13px}
form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:6px}
form.filters label{font-size:12px;color:#646a73;display:flex;flex-direction:column}
form.filters select,form.filters input{font:inherit;font-size:14px;padding:5px;border:1px solid #d0d3d6;border-radius:4px;background:#fff;min-width:0}
form.filters button,a.btn{font:inherit;padding:6px 14px;border-radius:4px;border:0;background:#1456f0;color:#fff;display:inline-block}
a.btn.plain{background:#f2f3f5;color:#1f2329}
.pager{display:flex;gap:8px;align-items:center;margin-top:8px;flex-wrap:wrap}
dl.fields{display:grid;grid-template-columns:6em 1fr;gap:4px 10px;margin:0}dl.fields dt{color:#646a73}dl.fields dd{margin:0}
ol.timeline{list-style:none;padding:0;margin:0;border-left:2px solid #e5e6eb}
ol.timeline li{position:relative;padding:0 0 12px 14px}
ol.timeline li:before{content:"";position:absolute;left:-6px;top:6px;width:10px;height:10px;border-radius:50%;background:#1456f0}
.chip{display:inline-block;background:#f0f5ff;border-radius:4px;padding:0 6px;margin:1px;font-size:13px}
footer{color:#86909c;font-size:12px;margin:16px 0;padding:0 12px;text-align:center}
@media(max-width:600px){
  body{font-size:14px}
  table.list thead{display:none}
  table.list tr{display:block;border-bottom:1px solid #eee;padding:6px 0}
  table.list td{display:inline;border:0;padding:0 6px 0 0}
  table.list td.title{display:block;padding:2px 0}
  table.list td[data-l]:before{content:attr(data-l) "：";color:#86909c}
  table.list td[data-l]{white-space:nowrap}
}
@media print{
  body{background:#fff;font-size:11pt}header,section,figure.chart{box-shadow:none;border:0}
  nav,form.filters,.pager,.noprint{display:none!important}
  a{color:inherit}section{break-inside:avoid;padding:4px 0}figure.chart{break-inside:avoid}
  .charts{grid-template-columns:1fr 1fr}
}`;

/** The page shell: head (no scripts, no external assets), header with the ledger's name and the tabs, footer. */
export function shell(o: { title: string; ledgerTitle: string; sub: string; tab: 'overview' | 'items' | 'item'; link: Linker; role: LinkScope['role']; body: string; asOf: string }): string {
  const tab = (id: string, path: string, label: string) => `<a href="${esc(o.link(path))}"${o.tab === id ? ' class="on"' : ''}>${label}</a>`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title>${esc(o.title)} · 整改看板</title><style>${CSS}</style></head><body>
<header><div class="in"><h1>${esc(o.ledgerTitle)}</h1><div class="sub">${o.sub}</div>
<nav>${tab('overview', '/dashboard', '总览')}${tab('items', '/dashboard/items', '台账')}</nav></div></header>
<main>${o.body}</main><footer>截至${esc(o.asOf)} · 整改督办机器人 · 只读页面（${ROLE_LABEL[o.role]}权限），链接到期后失效</footer></body></html>`;
}
