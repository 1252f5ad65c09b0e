import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../../src/main.js';
import { dashboardLink, type LinkRole } from '../../src/core/signed-link.js';
import { statusReport } from '../../src/commands/status-report.js';
import { addDays, formatDateCn, shanghaiDate } from '../../src/ledger/dates.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { testRedisUrl } from '../helpers/redis.js';

const SECRET = 'dashboard-pages-secret-0123';
const PUBLIC = 'https://rectify.example.org';
const unesc = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const codesIn = (html: string) => [...html.matchAll(/<td class="code">.*?<a href="[^"]*">([^<]+)<\/a>/g)].map((m) => m[1]);

describe('dashboard pages: overview charts, the table, the item page', () => {
  let svc: Awaited<ReturnType<typeof startService>>;
  let base: string;
  beforeAll(async () => {
    svc = await startService({ REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/54'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', PUBLIC_URL: PUBLIC, DASHBOARD_SECRET: SECRET });
    base = `http://127.0.0.1:${svc.port}`;
    await svc.services.ledgers.saveDoc(syntheticDoc('big', 3, 9, 5, shanghaiDate(new Date())), undefined, { awaitCleanup: true });
  });
  afterAll(async () => { await svc.stop(); });

  const get = async (path: string, q: Record<string, string> = {}, role: LinkRole = 'supervisor', ledger = 'demo') => {
    const u = new URL(dashboardLink(base, SECRET, ledger, Math.floor(Date.now() / 1000) + 600, role).replace('/dashboard?', `${path}?`));
    for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
    const r = await fetch(u);
    return { status: r.status, html: await r.text() };
  };
  const chart = (html: string, name: string) => {
    const m = new RegExp(`<figure class="chart" data-chart="${name}" data-values="([^"]*)">(?:<div[^>]*>)?(<svg[\\s\\S]*?</svg>)`).exec(html);
    expect(m, name).not.toBeNull();
    return { values: JSON.parse(unesc(m![1])), svg: m![2] };
  };
  const say = (as: string, text: string) => svc.pipeline.handle({ platform: 'console', chatId: 'demo', chatType: 'group', messageId: `pg-${Date.now()}-${Math.random()}`, senderId: as, text });

  it('the overview draws five SVG charts whose numbers are the ledger figures; today is snapshotted', async () => {
    const { status, html } = await get('/dashboard');
    expect(status).toBe(200);
    const s = await statusReport(svc.services, 'demo', shanghaiDate(new Date()));
    expect(chart(html, 'status').values).toEqual(s.byStatus);
    const aspects = chart(html, 'aspects').values as Array<{ done: number; doing: number; overdue: number }>;
    expect(aspects).toHaveLength(3);
    expect(aspects.reduce((n, a) => n + a.done + a.doing + a.overdue, 0)).toBe(s.measures);
    expect(aspects.reduce((n, a) => n + a.overdue, 0)).toBe(s.red);
    const depts = chart(html, 'departments').values as Array<{ label: string }>;
    expect(depts.map((d) => d.label)).toContain('综合办公室');
    const done = Math.round(s.completionRate * s.measures);
    expect(chart(html, 'burnup').values).toMatchObject({ from: '2021-04-13', scope: s.measures, done });
    expect(chart(html, 'lights').values).toMatchObject({ date: shanghaiDate(new Date()), red: s.red, yellow: s.yellow });
    expect(chart(html, 'status').svg).toContain('已完成并长期坚持');
    expect(html).not.toMatch(/<script/i);
  });

  it('the table filters by department (a shareable query string), keyword, status and light', async () => {
    const doc = (await svc.services.ledgers.loadDoc('demo'))!;
    const want = doc.measures.filter((m) => m.departments.includes('综合办公室')).map((m) => m.code);
    const { html } = await get('/dashboard/items', { dept: '综合办公室' });
    expect(want.length).toBeGreaterThan(3);
    expect(codesIn(html)).toEqual(want);
    expect(html).toContain(`data-total="${want.length}"`);
    expect(html).toMatch(/<option value="综合办公室" selected>/);
    expect(codesIn((await get('/dashboard/items', { q: '公车' })).html)).toEqual(doc.measures.filter((m) => m.title.includes('公车')).map((m) => m.code));
    expect(codesIn((await get('/dashboard/items', { status: '基本完成' })).html)).toEqual(['二.1.1']);
    // Nonsense filters are ignored, never an error.
    expect((await get('/dashboard/items', { status: '乱写', page: '-3', aspect: 'x' })).html).toContain(`data-total="${doc.measures.length}"`);
  });

  it('pages 50 rows at a time; sort by deadline', async () => {
    const p1 = await get('/dashboard/items', {}, 'viewer', 'big');
    expect(p1.html).toContain('data-total="135"');
    expect(codesIn(p1.html)).toHaveLength(50);
    expect(p1.html).toContain('第1/3页');
    const next = /href="(\/dashboard\/items\?[^"]*page=2[^"]*)">下一页/.exec(p1.html)![1];
    const p2 = await (await fetch(base + unesc(next))).text();
    expect(p2).toContain('第2/3页');
    expect(codesIn(p2)[0]).not.toBe(codesIn(p1.html)[0]);
    const p3 = await get('/dashboard/items', { page: '3' }, 'viewer', 'big');
    expect(codesIn(p3.html)).toHaveLength(35);
    const doc = (await svc.services.ledgers.loadDoc('big'))!;
    const byCode = new Map(doc.measures.map((m) => [m.code, m]));
    const sorted = codesIn((await get('/dashboard/items', { sort: 'deadline' }, 'viewer', 'big')).html).map((c) => byCode.get(c)!.deadline);
    const dates = sorted.map((d) => (d.type === 'date' ? d.date : '9999'));
    expect(dates).toEqual([...dates].sort());
  });

  it('the item page shows every field and the history timeline, newest first, and links back to the filtered table', async () => {
    await say('owner', '进展 二.1.1 已报区委组织部审批');
    const due = addDays(shanghaiDate(new Date()), 30);
    await say('office', `改期 二.1.1 ${due} 需区委组织部审批`);
    const { html } = await get('/dashboard/item/2.1.1', { dept: '政治部' });
    expect(html).toContain('纠正司法行政人员违规入额现象');
    for (const f of ['责任领导', '杜波', '责任部门', '政治部', '完成时限', formatDateCn(due), '灯色', '进展情况', '延期记录（1）']) expect(html).toContain(f);
    const tl = html.slice(html.indexOf('class="timeline"'));
    expect(tl.indexOf('改期')).toBeGreaterThan(0);
    expect(tl.indexOf('改期')).toBeLessThan(tl.indexOf('已报区委组织部审批'));
    expect(tl).toContain('王静');
    expect(unesc(html)).toMatch(/href="\/dashboard\/items\?[^"]*dept=政治部|href="\/dashboard\/items\?[^"]*dept=%E6%94%BF%E6%B2%BB%E9%83%A8/);
    // 延期 in the table finds it.
    expect(codesIn((await get('/dashboard/items', { flag: 'extended' })).html)).toEqual(['二.1.1']);
    expect((await get('/dashboard/item/9.9.9')).status).toBe(404);
    expect((await get('/dashboard/item/..%2F..')).status).toBe(404);
  });
});
