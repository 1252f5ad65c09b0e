import type { Server } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { openServices } from '../src/app/services.js';
import { fixedClock } from '../src/core/clock.js';
import { dashboardLink } from '../src/core/signed-link.js';
import { registerDashboard } from '../src/http/dashboard.js';
import { DashboardStore } from '../src/store/dashboard-store.js';
import { addDays } from '../src/ledger/dates.js';
import { syntheticDoc } from './synthetic.js';

const TODAY = '2026-11-23';
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 20);
const SECRET = 'bench-dashboard-secret-0123456789';

/**
 * Dashboard pages of a 10,000-measure ledger (10 aspects × 100 problems × 10
 * measures) with 2,000 audit events and 60 daily snapshots: server time per
 * request (Koa on a local port, keep-alive fetch, so the figure is the
 * service's own time plus a loopback round trip), p50 / p99 / max of RUNS
 * requests after one warm-up each (the ledger copy and its charts cached),
 * and the overview right after a change (re-read and redrawn). Target:
 * every page ≤ 300 ms.
 */
export async function benchDashboard(o: { redisUrl: string }): Promise<Record<string, unknown>> {
  const url = `${o.redisUrl.replace(/\/\d+$/, '')}/10`;
  const open = await openServices({ redisUrl: url, clock: fixedClock(`${TODAY}T04:00:00.000Z`) });
  let server: Server | undefined;
  try {
    await open.redis.flushdb();
    const L = 'dash10k';
    const doc = syntheticDoc(L, 10, 100, 10, TODAY);
    doc.ledger.feedbackDate = '2026-06-01';
    await open.services.ledgers.saveDoc(doc, undefined, { awaitCleanup: true });
    const store = new DashboardStore(open.redis);
    for (let i = 60; i >= 1; i--) {
      await store.recordSnapshot(L, { date: addDays(TODAY, -i), scope: 10_000, done: 3000 + i * 10, struck: 500, red: 900, yellow: 400, green: 8700 });
    }
    // 2,000 changes through the real change path (audit events with from → to, item histories).
    const actor = { platform: 'console', userId: 'bench', name: '基准' };
    for (let i = 0; i < 2000; i++) {
      const m = doc.measures[(i * 37) % doc.measures.length];
      await open.services.changes.apply(L, m.id, actor, `bench-${i}`, (cur) => ({ action: '进展', status: cur.status === '未启动' ? '推进中' : cur.status, note: `第${i}次进展报送` }));
    }
    const app = new Koa();
    const router = new Router();
    registerDashboard(router, open.services, { secret: async () => SECRET, store });
    app.use(router.routes());
    server = await new Promise<Server>((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });
    const port = (server.address() as { port: number }).port;
    const link = new URL(dashboardLink(`http://127.0.0.1:${port}`, SECRET, L, Math.floor(Date.now() / 1000) + 3600, 'office'));
    const page = (path: string, extra = '') => `${link.origin}${path}${link.search}${extra}`;
    const pages: Record<string, string> = {
      overview: page('/dashboard'),
      table: page('/dashboard/items'),
      table_filtered: page('/dashboard/items', `&dept=${encodeURIComponent('政治部')}&sort=deadline&page=3`),
      table_search: page('/dashboard/items', `&q=${encodeURIComponent('公车')}`),
      table_extended: page('/dashboard/items', '&flag=extended'),
      item: page(`/dashboard/item/${doc.measures[37].id}`),
      xlsx: page('/dashboard/export.xlsx'),
    };
    const out: Record<string, unknown> = { measures: doc.measures.length, audit_events: 2000, snapshots: 60, runs: RUNS };
    for (const [name, u] of Object.entries(pages)) {
      const once = async () => {
        const t = performance.now();
        const r = await fetch(u);
        const body = await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${name}: HTTP ${r.status}`);
        return { ms: performance.now() - t, bytes: body.byteLength };
      };
      await once();
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < (name === 'xlsx' ? Math.min(RUNS, 3) : RUNS); i++) { const x = await once(); times.push(x.ms); bytes = x.bytes; }
      times.sort((a, b) => a - b);
      const q = (p: number) => +times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
      out[name] = { p50_ms: q(0.5), p99_ms: q(0.99), max_ms: +times[times.length - 1].toFixed(1), kb: Math.round(bytes / 1024) };
    }
    // Cold: a change made just before each request (this or another instance), so the ledger is re-read.
    const cold: number[] = [];
    for (let i = 0; i < 11; i++) {
      const m = doc.measures[(i * 101) % doc.measures.length];
      await open.services.changes.apply(L, m.id, actor, `bench-cold-${i}`, (cur) => ({ action: '进展', status: cur.status, note: `冷启动${i}` }));
      const t = performance.now();
      const r = await fetch(pages.overview);
      await r.arrayBuffer();
      cold.push(performance.now() - t);
    }
    cold.sort((a, b) => a - b);
    out.overview_after_change = { p50_ms: +cold[5].toFixed(1), max_ms: +cold[10].toFixed(1), note: 'patches the cached ledger (re-reads the changed item) and redraws the charts' };
    out.target = 'every HTML page ≤ 300 ms server time for a 10,000-measure ledger (xlsx is a download, reported apart)';
    return out;
  } finally {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await open.redis.flushdb().catch(() => undefined);
    await open.close();
  }
}
