import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { parseLedgerXlsx } from '../../src/reports/ledger-xlsx.js';
import JSZip from 'jszip';
import { startService } from '../../src/main.js';
import { dashboardLink, type LinkRole } from '../../src/core/signed-link.js';
import { statusReport } from '../../src/commands/status-report.js';
import { shanghaiDate } from '../../src/ledger/dates.js';
import { testRedisUrl } from '../helpers/redis.js';

const SECRET = 'dashboard-test-secret-0123';

/**
 * GET on a fresh connection each time (fetch-shaped): these tests idle for
 * seconds while a CLI child runs, and a reused keep-alive socket the server
 * has just timed out would fail with ECONNRESET on a loaded machine.
 */
function fetch(url: string) {
  return new Promise<{ status: number; headers: { get(h: string): string | null }; text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> }>((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: { get: (h) => { const v = res.headers[h.toLowerCase()]; return v === undefined ? null : String(v); } },
          text: async () => body.toString('utf8'),
          arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
        });
      });
    }).on('error', reject);
  });
}
const PUBLIC = 'https://rectify.example.org';
const REDIS = testRedisUrl().replace(/\/\d+$/, '/57');

describe('dashboard access: signed links scoped to a ledger and a role', () => {
  let svc: Awaited<ReturnType<typeof startService>>;
  let base: string;
  beforeAll(async () => {
    svc = await startService({ REDIS_URL: REDIS, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', PUBLIC_URL: PUBLIC, DASHBOARD_SECRET: SECRET });
    base = `http://127.0.0.1:${svc.port}`;
  });
  afterAll(async () => { await svc.stop(); });

  const local = (url: string) => url.replace(PUBLIC, base);
  const link = (role: LinkRole, ledger = 'demo', secs = 600) => local(dashboardLink(PUBLIC, SECRET, ledger, Math.floor(Date.now() / 1000) + secs, role));
  const say = (as: string, text: string) => svc.pipeline.handle({ platform: 'console', chatId: 'demo', chatType: 'group', messageId: `dash-${as}-${Date.now()}-${Math.random()}`, senderId: as, text });

  it('the link the service signs opens the overview read-only, with the figures of `rectify status`', async () => {
    const url = await svc.services.dashboardLink!('demo');
    expect(url).toMatch(/^https:\/\/rectify\.example\.org\/dashboard\?ledger=demo&role=viewer&exp=\d+&sig=[\w-]{43}$/);
    const r = await fetch(local(url));
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await r.text();
    const s = await statusReport(svc.services, 'demo', shanghaiDate(new Date()));
    expect(html).toContain('区委第十二轮第一巡察组反馈意见整改台账');
    expect(html).toContain(`data-kpi="measures">${s.measures}<`);
    expect(html).toContain(`data-kpi="red">${s.red}<`);
    expect(html).toContain(`data-kpi="yellow">${s.yellow}<`);
    expect(html).not.toMatch(/<script/i);
    // A viewer gets no downloads.
    expect(html).not.toContain('export.xlsx');
  });

  it('refuses forged, altered, expired, incomplete and other-ledger links with a plain 403 showing nothing', async () => {
    const viewer = new URL(link('viewer'));
    const cases = [
      `${base}/dashboard`,
      `${base}/dashboard?ledger=demo`,
      viewer.href.replace(/sig=[\w-]+/, `sig=${'A'.repeat(43)}`),
      viewer.href.replace('role=viewer', 'role=office'),
      viewer.href.replace('role=viewer', 'role=admin'),
      viewer.href.replace('ledger=demo', 'ledger=other'),
      viewer.href.replace(/exp=\d+/, `exp=${Math.floor(Date.now() / 1000) + 86400 * 365}`),
      link('office', 'demo', -60),
      local(dashboardLink(PUBLIC, 'another-secret-0123456789', 'demo', Math.floor(Date.now() / 1000) + 600, 'office')),
    ];
    for (const url of cases) {
      for (const p of ['/dashboard', '/dashboard/items', '/dashboard/item/1.1.1', '/dashboard/export.xlsx']) {
        const r = await fetch(url.replace('/dashboard?', `${p}?`));
        expect(r.status, `${p} ${url}`).toBe(403);
        const body = await r.text();
        expect(body).not.toMatch(/整改台账|巡察|二\.1/);
        expect(body).toMatch(/链接/);
      }
    }
  });

  it('only supervisor and office links download the Excel ledger, whose rows are the ledger measures', async () => {
    expect((await fetch(link('viewer').replace('/dashboard?', '/dashboard/export.xlsx?'))).status).toBe(403);
    const html = await (await fetch(link('office'))).text();
    const href = /href="(\/dashboard\/export\.xlsx\?[^"]+)"/.exec(html)?.[1].replace(/&amp;/g, '&');
    expect(href).toMatch(/^\/dashboard\/export\.xlsx\?/);
    const r = await fetch(base + href);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('spreadsheetml');
    // The project's own reader gets the ledger back: the same measures, codes and statuses.
    const today = shanghaiDate(new Date());
    const back = await parseLedgerXlsx(Buffer.from(await r.arrayBuffer()), { ledgerId: 'back', now: new Date().toISOString() }, today);
    if (!back.ok) throw new Error(JSON.stringify(back.errors));
    const doc = (await svc.services.ledgers.loadDoc('demo'))!;
    expect(back.doc.measures.map((m) => [m.code, m.status])).toEqual(doc.measures.map((m) => [m.code, m.status]));
    expect((await fetch(link('supervisor').replace('/dashboard?', '/dashboard/export.xlsx?'))).status).toBe(200);
  });

  it('supervisor and office links download the Word notice of today; a viewer link cannot', async () => {
    expect((await fetch(link('viewer').replace('/dashboard?', '/dashboard/notice.docx?'))).status).toBe(403);
    const html = await (await fetch(link('supervisor'))).text();
    const href = /href="(\/dashboard\/notice\.docx\?[^"]+)"/.exec(html)?.[1].replace(/&amp;/g, '&');
    expect(href).toMatch(/^\/dashboard\/notice\.docx\?/);
    const r = await fetch(base + href);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('wordprocessingml');
    const xml = await (await JSZip.loadAsync(Buffer.from(await r.arrayBuffer()))).file('word/document.xml')!.async('string');
    const s = await statusReport(svc.services, 'demo', shanghaiDate(new Date()));
    expect(xml).toContain('通报');
    expect(xml).toContain(`${s.measures}`);
  }, 30000);

  it('看板 answers leader, office and supervisor with a personal link of their role; others are refused', async () => {
    for (const [as, role] of [['office', 'office'], ['supervisor', 'supervisor'], ['leader', 'supervisor']] as const) {
      const r = await say(as, '看板');
      expect(r!.personal, as).toBe(true);
      expect(r!.link?.url, as).toMatch(new RegExp(`^https://rectify\\.example\\.org/dashboard\\?ledger=demo&role=${role}&exp=\\d+&sig=`));
      const exp = Number(/exp=(\d+)/.exec(r!.link!.url)![1]);
      expect(exp - Date.now() / 1000).toBeGreaterThan(6.9 * 86400);
      expect(exp - Date.now() / 1000).toBeLessThanOrEqual(7 * 86400 + 5);
      expect((await fetch(local(r!.link!.url))).status).toBe(200);
    }
    for (const as of ['viewer', 'owner']) {
      const r = await say(as, '看板');
      expect(r!.link, as).toBeUndefined();
      expect(r!.text).toMatch(/无权/);
    }
  });

  it('viewers of a sensitive ledger see no evidence or history; supervisors do', async () => {
    await say('owner', '进展 二.1.1 已完成制度初稿');
    await say('owner', '完成 二.1.1 佐证：党委会会议纪要');
    const item = (role: LinkRole) => fetch(link(role).replace('/dashboard?', '/dashboard/item/2.1.1?')).then((r) => r.text());
    expect(await item('viewer')).toContain('已完成制度初稿');
    const cli = (args: string[]) => spawnSync(process.execPath, [path.resolve('bin/rectify.js'), ...args], { encoding: 'utf8', env: { ...process.env, REDIS_URL: REDIS, LOG_LEVEL: 'silent' }, timeout: 30000 });
    expect(cli(['sensitive', '--ledger', 'demo']).status).toBe(0);
    try {
      const v = await item('viewer');
      expect(v).toContain('敏感台账');
      expect(v).not.toContain('class="timeline"');
      expect(v).not.toContain('党委会会议纪要');
      const s = await item('supervisor');
      expect(s).toMatch(/办理记录[\s\S]*class="timeline"[\s\S]*陈敏[\s\S]*已完成制度初稿/);
      expect(s).toMatch(/佐证材料<\/h2><ul>[\s\S]*党委会会议纪要/);
      expect(s).not.toContain('敏感台账');
    } finally {
      expect(cli(['sensitive', '--ledger', 'demo', '--off']).status).toBe(0);
    }
    expect(await item('viewer')).not.toContain('敏感台账');
  }, 60000);

  it('`rectify link --ledger ID --role R --days N` prints a link that opens with that role', async () => {
    const r = spawnSync(process.execPath, [path.resolve('bin/rectify.js'), 'link', '--ledger', 'demo', '--role', 'office', '--days', '3'], {
      encoding: 'utf8', env: { ...process.env, REDIS_URL: REDIS, PUBLIC_URL: PUBLIC, DASHBOARD_SECRET: SECRET, LOG_LEVEL: 'silent' }, timeout: 30000,
    });
    expect(r.status, r.stderr).toBe(0);
    const url = r.stdout.trim();
    expect(url).toMatch(/^https:\/\/rectify\.example\.org\/dashboard\?ledger=demo&role=office&exp=\d+&sig=[\w-]{43}$/);
    expect(Number(/exp=(\d+)/.exec(url)![1]) - Date.now() / 1000).toBeGreaterThan(2.9 * 86400);
    const html = await (await fetch(local(url))).text();
    expect(html).toContain('export.xlsx');
    const bad = spawnSync(process.execPath, [path.resolve('bin/rectify.js'), 'link', '--ledger', 'demo', '--role', 'admin'], { encoding: 'utf8', env: { ...process.env, REDIS_URL: REDIS }, timeout: 30000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--role');
  }, 60000);

  it('a digest and 进度 carry the viewer link', async () => {
    const { ScheduleService } = await import('../../src/schedule/service.js');
    const d = await (svc.services.schedule as InstanceType<typeof ScheduleService>).digestNow('console', 'demo');
    expect(d.reply.link?.title).toBe('打开整改看板');
    expect(d.reply.link?.url).toContain('role=viewer');
    expect((await fetch(local(d.reply.link!.url))).status).toBe(200);
    const p = await say('viewer', '进度');
    expect(p!.link?.url).toMatch(/^https:\/\/rectify\.example\.org\/dashboard\?ledger=demo&role=viewer&exp=\d+&sig=[\w-]{43}$/);
  });
});
