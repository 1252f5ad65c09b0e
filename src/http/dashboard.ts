import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Services } from '../commands/types.js';
import { checkLink, type LinkScope } from '../core/signed-link.js';
import { buildDigestModel, daysLeft } from '../schedule/digest-model.js';
import { shanghaiDate } from '../ledger/dates.js';
import type { Measure, Problem } from '../ledger/types.js';
import type { exportLedgerXlsx as ExportXlsx } from '../reports/ledger-xlsx.js';
import type { DashboardStore } from '../store/dashboard-store.js';
import { renderDashboard } from './dashboard-page.js';
import { DashboardDocs } from './dashboard-cache.js';
import { renderTable } from './dashboard-table.js';
import { renderItem } from './dashboard-item.js';
import { registerEvidenceRoute } from './dashboard-evidence.js';
import { mayView, parseTableQuery, snapshotOf, tableQueryString } from './dashboard-model.js';

const DENIED: Record<string, string> = {
  malformed: '链接不完整，请从群里的整改通报重新打开。',
  bad_signature: '链接无效，请从群里的整改通报重新打开。',
  expired: '链接已过期，请打开最近一期整改通报中的链接，或在群里发送“看板”获取新链接。',
};

export interface DashboardDeps {
  /** The HMAC key of dashboard links. */
  secret: () => Promise<string>;
  /** Snapshots and the sensitive mark; without it the charts draw from today only. */
  store?: DashboardStore;
  /** The Word notice (GB/T 9704) of a ledger as of a date; default src/notice's renderer, null to turn it off. */
  notice?: ((ledgerId: string, asOf: string) => Promise<Buffer>) | null;
}

/** The Excel writer (exceljs, about 30 MB resident) loads on the first download, not at start. */
const exportLedgerXlsx: typeof ExportXlsx = async (...a) => (await import('../reports/ledger-xlsx.js')).exportLedgerXlsx(...a);

/** The notice modules (docx) load on the first download, not at start. */
async function wordNotice(services: Services, L: string, asOf: string): Promise<Buffer> {
  const [{ loadNotice }, { renderNoticeDocx }] = await Promise.all([import('../notice/load.js'), import('../notice/docx.js')]);
  return renderNoticeDocx(await loadNotice(services, L, asOf));
}

/** Audit events the burn-up replays at most (older changes are not drawn before the first snapshot). */
const AUDIT_REPLAY_MAX = 20_000;

interface DashState { scope: LinkScope; sensitive: boolean; today: string }

const plain = (ctx: Context, status: number, text: string) => {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>整改看板</title><p style="font:16px sans-serif;margin:2em">${text}</p>`;
};

/**
 * The dashboard of one ledger behind a signed link (see signed-link.ts): the
 * overview with charts, the table, an item's page and the downloads. Every
 * route checks the link first; a bad one gets a 403 that names nothing of any
 * ledger. Pages are server-rendered HTML with no script and no external asset.
 */
export function registerDashboard(router: Router, services: Services, depsOrSecret: DashboardDeps | (() => Promise<string>)): void {
  const given: DashboardDeps = typeof depsOrSecret === 'function' ? { secret: depsOrSecret } : depsOrSecret;
  const deps: DashboardDeps = { ...given, notice: given.notice === undefined ? (L, asOf) => wordNotice(services, L, asOf) : given.notice };
  const guard = async (ctx: Context, next: Next) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Robots-Tag', 'noindex');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'");
    const q = ctx.query as Record<string, string | undefined>;
    const now = services.clock.now();
    const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const r = checkLink(await deps.secret(), { ledger: one(q.ledger), role: one(q.role), exp: one(q.exp), sig: one(q.sig) }, Math.floor(now.getTime() / 1000));
    if (r.check !== 'ok') return plain(ctx, 403, DENIED[r.check]);
    if (!(await services.ledgers.getLedger(r.scope.ledger))) return plain(ctx, 404, '台账不存在或已删除。');
    const sensitive = (await deps.store?.isSensitive(r.scope.ledger)) ?? false;
    ctx.state.dash = { scope: r.scope, sensitive, today: shanghaiDate(now) } satisfies DashState;
    await next();
  };
  const st = (ctx: Context) => ctx.state.dash as DashState;
  const docs = new DashboardDocs(services.ledgers);

  router.get('/dashboard', guard, async (ctx) => {
    const { scope, sensitive, today } = st(ctx);
    // The newest events (bounded) for the burn-up's replay; the week's part for the digest figures.
    const { doc, events, memo } = await docs.docAndEvents(scope.ledger, AUDIT_REPLAY_MAX);
    if (!doc) return plain(ctx, 404, '台账不存在或已删除。');
    const now = services.clock.now();
    const since = new Date(now.getTime() - 7 * 86400_000);
    const snap = memo(`snap|${today}`, () => snapshotOf(doc, today));
    const snapshots = deps.store ? await deps.store.recordSnapshot(doc.ledger.id, snap).then(() => deps.store!.snapshots(doc.ledger.id)) : [snap];
    // The week's figures move with the clock too: kept for a minute of one ledger version.
    const digest = memo(`digest|${Math.floor(now.getTime() / 60_000)}`, () => buildDigestModel(doc, events, since, now));
    ctx.type = 'text/html; charset=utf-8';
    // Same ledger version, day and snapshots → the same charts.
    const chartsKey = `${today}|${snapshots.length}|${JSON.stringify(snapshots[snapshots.length - 1] ?? null)}`;
    ctx.body = renderDashboard({
      doc, digest, snapshots, events, eventsTruncated: events.length >= AUDIT_REPLAY_MAX, charts: (render) => memo(chartsKey, render),
      scope, sensitive, hasNotice: !!deps.notice, today, daysLeft: (m) => daysLeft(m, today),
    });
  });

  router.get('/dashboard/items', guard, async (ctx) => {
    const { scope, today } = st(ctx);
    const query = parseTableQuery(ctx.query);
    const doc = await docs.doc(scope.ledger);
    if (!doc) return plain(ctx, 404, '台账不存在或已删除。');
    const extended = new Set<string>();
    if (query.flag === 'extended') for (const e of await services.ledgers.events(scope.ledger, '-', '+', 100_000)) if (e.action === '改期') extended.add(e.itemId);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = renderTable({ doc, query, scope, today, extended });
  });

  router.get('/dashboard/item/:id', guard, async (ctx) => {
    const { scope, sensitive, today } = st(ctx);
    const L = scope.ledger;
    const id = String(ctx.params.id);
    const [ledger, item] = await Promise.all([services.ledgers.getLedger(L), /^[\d.]{1,40}$/.test(id) ? services.ledgers.getItem(L, id) : null]);
    if (!ledger || !item) return plain(ctx, 404, '没有这个事项。');
    const may = mayView(scope.role, sensitive);
    const [problem, children, history, files] = await Promise.all([
      item.level === 'measure' ? services.ledgers.getItem(L, item.problemId) as Promise<Problem | null> : null,
      item.level === 'measure' ? [] : services.ledgers.childIds(L, item.id).then((ids) => services.ledgers.getItems(L, ids)),
      may.history && item.level === 'measure' ? services.ledgers.history(L, item.id) : [],
      may.evidence && item.level === 'measure' && services.evidence ? services.evidence.list(L, item.id) : [],
    ]);
    // A problem page lists measures; an aspect page lists problems (shown the same way).
    const kids = (children ?? []) as Measure[];
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = renderItem({ ledger, item, problem, children: kids, history, files, scope, may, today, back: tableQueryString(parseTableQuery(ctx.query)) });
  });

  registerEvidenceRoute(router, services, guard);

  router.get('/dashboard/export.xlsx', guard, async (ctx) => {
    const { scope, sensitive, today } = st(ctx);
    if (!mayView(scope.role, sensitive).xlsx) return plain(ctx, 403, '此链接不能下载台账。');
    const doc = await docs.doc(scope.ledger);
    if (!doc) return plain(ctx, 404, '台账不存在或已删除。');
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.attachment(`${doc.ledger.title || scope.ledger}-${today}.xlsx`);
    const evidenceFiles = mayView(scope.role, sensitive).evidence ? await services.evidence?.counts(scope.ledger, doc.measures.map((m) => m.id)) : undefined;
    ctx.body = await exportLedgerXlsx(doc, { asOf: today, evidenceFiles });
  });

  router.get('/dashboard/notice.docx', guard, async (ctx) => {
    const { scope, sensitive, today } = st(ctx);
    if (!mayView(scope.role, sensitive).notice) return plain(ctx, 403, '此链接不能下载通报。');
    if (!deps.notice) return plain(ctx, 404, '通报下载尚未开通。');
    ctx.type = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    ctx.attachment(`整改进展情况通报-${today}.docx`);
    ctx.body = await deps.notice(scope.ledger, today);
  });
}
