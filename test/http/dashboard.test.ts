import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../../src/main.js';
import { dashboardLink } from '../../src/core/signed-link.js';
import { testRedisUrl } from '../helpers/redis.js';

const SECRET = 'dashboard-test-secret-0123';

describe('the dashboard behind the digest link', () => {
  let svc: Awaited<ReturnType<typeof startService>>;
  let base: string;
  beforeAll(async () => {
    svc = await startService({
      REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/57'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://rectify.example.org', DASHBOARD_SECRET: SECRET,
    });
    base = `http://127.0.0.1:${svc.port}`;
  });
  afterAll(async () => { await svc.stop(); });

  const local = (url: string) => url.replace('https://rectify.example.org', base);

  it('the link the service signs opens the ledger read-only, with the same figures as 进度', async () => {
    const link = await svc.services.dashboardLink!('demo');
    expect(link).toMatch(/^https:\/\/rectify\.example\.org\/dashboard\?ledger=demo&exp=\d+&sig=/);
    const r = await fetch(local(link));
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const html = await r.text();
    expect(html).toContain('区委第十二轮第一巡察组反馈意见整改台账');
    expect(html).toContain('整改措施<b>21</b>');
    expect(html).toContain('95.2%');
    expect(html).toContain('二.1.1');
    expect(html).not.toMatch(/<script/i);
  });

  it('refuses tampered, expired, incomplete and other-ledger links, showing nothing of the ledger', async () => {
    const good = new URL(local(await svc.services.dashboardLink!('demo')));
    const cases = [
      `${base}/dashboard`,
      `${base}/dashboard?ledger=demo`,
      good.href.replace(/sig=[\w-]+/, `sig=${'A'.repeat(43)}`),
      good.href.replace('ledger=demo', 'ledger=other'),
      local(dashboardLink('https://rectify.example.org', SECRET, 'demo', Math.floor(Date.now() / 1000) - 60)),
      local(dashboardLink('https://rectify.example.org', 'another-secret-0123456789', 'demo', Math.floor(Date.now() / 1000) + 600)),
    ];
    for (const url of cases) {
      const r = await fetch(url);
      expect(r.status, url).toBe(403);
      const body = await r.text();
      expect(body).not.toContain('整改台账');
      expect(body).toMatch(/链接/);
    }
  });

  it('a digest carries the signed link', async () => {
    const { ScheduleService } = await import('../../src/schedule/service.js');
    expect(svc.services.schedule).toBeInstanceOf(ScheduleService);
    const r = await (svc.services.schedule as InstanceType<typeof ScheduleService>).digestNow('console', 'demo');
    expect(r.reply.link?.title).toBe('打开整改看板');
    expect((await fetch(local(r.reply.link!.url))).status).toBe(200);
  });
});

describe('进度 links the dashboard when PUBLIC_URL is set', () => {
  it('adds the signed link to the 进度 reply', async () => {
    const svc = await startService({
      REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/57'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://rectify.example.org', DASHBOARD_SECRET: SECRET,
    });
    try {
      const r = await svc.pipeline.handle({ platform: 'console', chatId: 'demo', chatType: 'group', messageId: `dash-${Date.now()}`, senderId: 'viewer', text: '进度' });
      expect(r!.link?.url).toMatch(/^https:\/\/rectify\.example\.org\/dashboard\?ledger=demo&exp=\d+&sig=[\w-]{43}$/);
    } finally {
      await svc.stop();
    }
  });
});
