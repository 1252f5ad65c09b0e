import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseLedgerXlsx } from '../../src/reports/ledger-xlsx.js';
import { startService } from '../../src/main.js';
import { statusReport } from '../../src/commands/status-report.js';
import { shanghaiDate } from '../../src/ledger/dates.js';
import { dashboardLink } from '../../src/core/signed-link.js';
import { testRedisUrl } from '../helpers/redis.js';

/**
 * The dashboard and the web console in a real browser: Debian's chromium
 * driven by playwright-core (never a downloaded browser; .ci/run installs
 * chromium and fonts-noto-cjk). Screenshots go to test/artifacts/ (git-ignored).
 */
const ARTIFACTS = path.resolve('test/artifacts');
const SECRET = 'dashboard-browser-secret-0123';
const PUBLIC = 'https://rectify.example.org';

describe('the dashboard in chromium (390 px phone and 1280 px desktop)', () => {
  let svc: Awaited<ReturnType<typeof startService>>;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    svc = await startService({ REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/53'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', PUBLIC_URL: PUBLIC, DASHBOARD_SECRET: SECRET });
    base = `http://127.0.0.1:${svc.port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60000);
  afterAll(async () => { await browser?.close(); await svc?.stop(); });

  const link = (role: 'viewer' | 'supervisor' | 'office', secs = 3600) => dashboardLink(base, SECRET, 'demo', Math.floor(Date.now() / 1000) + secs, role);
  const page = async (width: number): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 }, deviceScaleFactor: 1, acceptDownloads: true, javaScriptEnabled: false, locale: 'zh-CN' });
    return ctx.newPage();
  };

  it.each([390, 1280])('overview at %i px: counters equal `rectify status`, five SVG charts with the right values, no horizontal scroll', async (width) => {
    const p = await page(width);
    const res = await p.goto(link('office'));
    expect(res!.status()).toBe(200);
    const s = await statusReport(svc.services, 'demo', shanghaiDate(new Date()));
    const kpi = async (k: string) => (await p.locator(`[data-kpi="${k}"]`).innerText()).trim();
    expect(await kpi('measures')).toBe(String(s.measures));
    expect(await kpi('problems')).toBe(String(s.problems));
    expect(await kpi('red')).toBe(String(s.red));
    expect(await kpi('yellow')).toBe(String(s.yellow));
    expect(await kpi('rate')).toBe(`${Math.round(s.completionRate * 1000) / 10}%`.replace(/\.0%$/, '%'));
    expect(await p.locator('figure.chart svg:visible').count()).toBe(5);
    const status = JSON.parse((await p.locator('figure[data-chart="status"]').getAttribute('data-values'))!);
    expect(status).toEqual(s.byStatus);
    // The SVG is drawn, and holds the status names as text.
    const box = await p.locator('figure[data-chart="status"] svg').boundingBox();
    expect(box!.width).toBeGreaterThan(width < 500 ? 300 : 400);
    expect(await p.locator('figure[data-chart="status"] svg text', { hasText: '已完成并长期坚持' }).count()).toBeGreaterThan(0);
    const scroll = await p.evaluate('document.documentElement.scrollWidth');
    expect(scroll).toBeLessThanOrEqual(width);
    await p.screenshot({ path: path.join(ARTIFACTS, `dashboard-overview-${width}.png`), fullPage: true });
    for (const c of ['burnup', 'lights']) await p.locator(`figure[data-chart="${c}"]`).screenshot({ path: path.join(ARTIFACTS, `dashboard-${c}-${width}.png`) });
    // Printed: no tabs, no download buttons; the charts stay.
    await p.emulateMedia({ media: 'print' });
    expect(await p.locator('nav').isVisible()).toBe(false);
    expect(await p.locator('text=下载台账（Excel）').isVisible()).toBe(false);
    expect(await p.locator('figure.chart svg:visible').count()).toBe(5);
    await p.emulateMedia({ media: 'screen' });
    await p.context().close();
  }, 60000);

  it('filter by a department with the form (no script) shows only its items; an item page shows its history', async () => {
    await svc.pipeline.handle({ platform: 'console', chatId: 'demo', chatType: 'group', messageId: `br-${Date.now()}`, senderId: 'owner', text: '进展 二.1.1 已报区委组织部审批，等待批复' });
    const doc = (await svc.services.ledgers.loadDoc('demo'))!;
    for (const width of [390, 1280]) {
      const p = await page(width);
      await p.goto(link('supervisor').replace('/dashboard?', '/dashboard/items?'));
      await p.selectOption('select[name="dept"]', '政治部');
      await Promise.all([p.waitForURL(/dept=/), p.click('form.filters button[type="submit"]')]);
      const codes = (await p.locator('#items td.code a').allInnerTexts()).map((c) => c.trim());
      expect(codes).toEqual(doc.measures.filter((m) => m.departments.includes('政治部')).map((m) => m.code));
      expect(new URL(p.url()).searchParams.get('dept')).toBe('政治部');
      await p.screenshot({ path: path.join(ARTIFACTS, `dashboard-items-${width}.png`), fullPage: true });
      await Promise.all([p.waitForURL(/\/dashboard\/item\/2\.1\.1/), p.click('#items td.code a >> text=二.1.1')]);
      await expect.poll(() => p.locator('ol.timeline li').count()).toBeGreaterThan(0);
      expect(await p.locator('ol.timeline').innerText()).toContain('已报区委组织部审批');
      expect(await p.locator('ol.timeline').innerText()).toContain('陈敏');
      expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
      await p.screenshot({ path: path.join(ARTIFACTS, `dashboard-item-${width}.png`), fullPage: true });
      // Back to the filtered table.
      await Promise.all([p.waitForURL(/\/dashboard\/items\?.*dept=/), p.click('text=← 返回台账')]);
      await p.context().close();
    }
  }, 60000);

  it('downloads the xlsx from the overview', async () => {
    const p = await page(1280);
    await p.goto(link('office'));
    const [dl] = await Promise.all([p.waitForEvent('download'), p.click('text=下载台账（Excel）')]);
    const file = path.join(ARTIFACTS, 'dashboard-download.xlsx');
    await dl.saveAs(file);
    const back = await parseLedgerXlsx(readFileSync(file), { ledgerId: 'back', now: new Date().toISOString() }, shanghaiDate(new Date()));
    if (!back.ok) throw new Error(JSON.stringify(back.errors));
    expect(back.doc.measures).toHaveLength((await statusReport(svc.services, 'demo', shanghaiDate(new Date()))).measures);
    await p.context().close();
  }, 60000);

  it('forged and expired links get a plain 403 in the browser', async () => {
    const p = await page(390);
    for (const url of [link('viewer').replace(/sig=[\w-]+/, `sig=${'B'.repeat(43)}`), link('office', -10), link('viewer').replace('role=viewer', 'role=office')]) {
      const r = await p.goto(url);
      expect(r!.status()).toBe(403);
      const text = await p.locator('body').innerText();
      expect(text).toMatch(/链接/);
      expect(text).not.toMatch(/整改台账|巡察/);
    }
    await p.context().close();
  });

  it('the web console answers 进度 with the figures and the dashboard link', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const p = await ctx.newPage();
    await p.goto(`${base}/console`);
    await p.selectOption('#as', 'office');
    await p.fill('#t', '进度');
    await p.click('#f button');
    const bot = p.locator('.msg.bot .bubble').last();
    await expect.poll(() => bot.count()).toBe(1);
    const s = await statusReport(svc.services, 'demo', shanghaiDate(new Date()));
    await expect.poll(() => bot.innerText()).toContain(`${s.measures}条整改措施`);
    expect(await bot.locator('a', { hasText: '打开整改看板' }).getAttribute('href')).toMatch(/^https:\/\/rectify\.example\.org\/dashboard\?ledger=demo&role=viewer/);
    await p.screenshot({ path: path.join(ARTIFACTS, 'console-390.png'), fullPage: true });
    await ctx.close();
  }, 60000);

  it('the web console offers every directory user (any platform) and speaks as the one picked', async () => {
    await svc.services.directory.putUsers([
      { platform: 'console', userId: 'zhao', name: '赵<b>磊', department: '督察室', role: 'viewer', ledgers: { demo: 'supervisor' } },
      { platform: 'dingtalk', userId: 'staff-42', name: '孙丽', department: '综合办公室', role: 'viewer', ledgers: { demo: 'office' } },
    ]);
    await svc.services.directory.bind({ platform: 'dingtalk', chatId: 'cid-browser', ledgerId: 'demo', channel: {}, boundAt: new Date().toISOString(), boundBy: 'test' });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const p = await ctx.newPage();
    await p.goto(`${base}/console`);
    const labels = await p.locator('#as option').allInnerTexts();
    expect(labels).toContain('赵<b>磊（督察室，纪检）');
    expect(labels).toContain('孙丽（综合办公室，整改办）');
    expect(labels.some((l) => l.startsWith('王静'))).toBe(true);
    expect(await p.locator('#as optgroup').evaluateAll((g) => g.map((x) => x.getAttribute('label')))).toEqual(['控制台', '钉钉']);
    // The DingTalk office user, in the DingTalk chat bound to the ledger: 看板 gives an office link.
    await p.selectOption('#as', { label: '孙丽（综合办公室，整改办）' });
    await p.fill('#chat', 'cid-browser');
    await p.fill('#t', '看板');
    await p.click('#f button');
    const bot = p.locator('.msg.bot .bubble').last();
    await expect.poll(() => bot.count()).toBe(1);
    await expect.poll(() => bot.locator('a').count()).toBe(1);
    expect(await bot.locator('a').getAttribute('href')).toMatch(/role=office/);
    expect(await bot.innerText()).toContain('孙丽');
    // The console user picked from the directory speaks as a supervisor of the demo.
    await p.selectOption('#as', 'zhao');
    await p.fill('#chat', 'demo');
    await p.fill('#t', '看板');
    await p.click('#f button');
    await expect.poll(() => p.locator('.msg.bot .bubble').count()).toBe(2);
    expect(await p.locator('.msg.bot .bubble').last().locator('a').getAttribute('href')).toMatch(/role=supervisor/);
    await p.screenshot({ path: path.join(ARTIFACTS, 'console-users-1280.png') });
    await ctx.close();
  }, 60000);
});
