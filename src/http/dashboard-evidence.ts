/**
 * Evidence files on the dashboard item page: the list (images inline, other
 * files as downloads) and the route that serves a file's bytes behind the
 * same signed link as the page. A link opens one ledger for one role; a file
 * is looked up only under that ledger and item, and only for roles that may
 * see evidence (mayView), so a link never reaches another ledger's files.
 */
import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Services } from '../commands/types.js';
import type { EvidenceRecord } from '../evidence/types.js';
import { KIND_LABEL, formatSize } from '../evidence/kinds.js';
import type { LinkScope } from '../core/signed-link.js';
import { esc, type Linker } from './dashboard-layout.js';
import { mayView } from './dashboard-model.js';

/** The file's URL (path + the link's signed query). */
export function evidenceHref(link: Linker, r: Pick<EvidenceRecord, 'itemId' | 'id'>, download = false): string {
  return link(`/dashboard/item/${encodeURIComponent(r.itemId)}/evidence/${r.id}`, download ? new URLSearchParams({ download: '1' }) : undefined);
}

/** The 佐证材料 section's file list (empty string when there are none). */
export function evidenceFiles(files: EvidenceRecord[], link: Linker, when: (iso: string) => string): string {
  if (!files.length) return '';
  const li = (r: EvidenceRecord) => {
    const no = r.n ? `<strong>第${r.n}份</strong> ` : '';
    const meta = `<span class="muted">${esc(KIND_LABEL[r.kind])} · ${esc(formatSize(r.size))} · ${esc(r.by.name)} · ${esc(when(r.at))}</span>`;
    if (r.kind === 'image') {
      return `<li class="evidence"><a href="${esc(evidenceHref(link, r))}"><img src="${esc(evidenceHref(link, r))}" alt="${esc(r.name)}" loading="lazy" style="max-width:100%;max-height:320px;display:block"></a>${no}${esc(r.name)} <a href="${esc(evidenceHref(link, r, true))}">下载</a><br>${meta}</li>`;
    }
    return `<li class="evidence">${no}<a href="${esc(evidenceHref(link, r, true))}" download>${esc(r.name)}</a><br>${meta}</li>`;
  };
  // 第N份 is the file's 序号, the number 删除佐证 takes (gaps stay where files were removed).
  return `<h3>已上传的文件（${files.length}份）</h3><ul class="files">${files.map(li).join('')}</ul>`;
}

interface DashState { scope: LinkScope; sensitive: boolean }

/** GET /dashboard/item/:id/evidence/:eid — the bytes, after `guard` checked the link. */
export function registerEvidenceRoute(router: Router, services: Services, guard: Middleware): void {
  router.get('/dashboard/item/:id/evidence/:eid', guard, async (ctx: Context) => {
    const { scope, sensitive } = ctx.state.dash as DashState;
    const nope = (status: number, text: string) => {
      ctx.status = status;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = text;
    };
    if (!mayView(scope.role, sensitive).evidence) return nope(403, '此链接不能查看佐证材料。');
    const ev = services.evidence;
    const id = String(ctx.params.id);
    const eid = String(ctx.params.eid);
    if (!ev || !/^[\d.]{1,40}$/.test(id) || !/^[0-9a-z]{1,32}$/.test(eid)) return nope(404, '没有这份佐证材料。');
    const rec = await ev.get(scope.ledger, id, eid);
    if (!rec || rec.ledgerId !== scope.ledger || rec.itemId !== id) return nope(404, '没有这份佐证材料。');
    const bytes = await ev.bytes(rec);
    if (!bytes) return nope(404, '该佐证材料的文件已不在存储中，请联系整改办。');
    if (createHash('sha256').update(bytes).digest('hex') !== rec.sha256) return nope(500, '该佐证材料的文件校验不符，请联系整改办。');
    const inline = rec.kind === 'image' && ctx.query.download !== '1';
    // Koa's attachment() writes filename="…" plus filename*=UTF-8''… for non-ASCII names.
    ctx.attachment(rec.name, { type: inline ? 'inline' : 'attachment' });
    ctx.type = rec.mime;
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.set('Content-Length', String(bytes.length));
    ctx.body = bytes;
  });
}
