import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { RedisRateLimiter } from '../../src/store/limits.js';
import { WecomSender } from '../../src/bot/wecom/sender.js';
import type { WecomConfig } from '../../src/bot/wecom/config.js';
import { DingtalkSender } from '../../src/bot/dingtalk/sender.js';
import { FakeWecomServer } from '../fakes/wecom/server.js';
import { FakeDingtalk } from '../fakes/dingtalk/server.js';
import { flushTarget, TARGETS } from '../helpers/redis.js';
import { schedWorld, type SchedWorld } from './harness.js';
import { createHttpClient } from '../../src/core/http-client.js';

/** The production outbound client (keep-alive node:http), as the service injects it. */
const httpClient = createHttpClient();

const sh = (s: string) => new Date(`${s}+08:00`);

// Each target gets its own fake platforms, so call counts never mix.
describe.each(TARGETS)('%s Redis', (target) => {
  let wecom: FakeWecomServer;
  let ding: FakeDingtalk;
  beforeAll(async () => {
    wecom = await new FakeWecomServer().start();
    ding = await FakeDingtalk.start();
  });
  afterAll(async () => { await wecom.stop(); await ding.close(); });
  let w: SchedWorld;
  beforeEach(async () => {
    await flushTarget(target);
    w = await schedWorld({ at: '2025-11-24T01:00:00Z', senders: [], target });
    const redis = w.open.redis;
    const report = (p: Parameters<typeof w.open.services.directory.reportProblem>[0]) => w.open.services.directory.reportProblem(p, new Date());
    const config: WecomConfig = {
      token: 'tok', encodingAesKey: 'a'.repeat(43), apiBase: wecom.url, replyBudgetMs: 3000, maxBodyBytes: 1 << 20,
      maxSkewSeconds: 600, httpTimeoutMs: 2000, rateWaitMs: 0, appSend: false,
    };
    w.senders.register(new WecomSender({ config, fetch: httpClient, rateLimiter: new RedisRateLimiter(redis), reportProblem: report, logger: silentLogger(), tokens: null }));
    w.senders.register(new DingtalkSender({
      fetch: httpClient, clock: systemClock, logger: silentLogger(), rateLimiter: new RedisRateLimiter(redis), reportProblem: report,
      api: null, oapiBase: ding.baseUrl, lightStyle: 'emoji', timeoutMs: 2000, maxWaitMs: 0,
    }));
  });
  afterEach(async () => { await w.closeAll(); });

  async function bindChat(platform: 'wecom' | 'dingtalk', chatId: string, channel: Record<string, string>) {
    await w.open.services.directory.bind({ platform, chatId, ledgerId: w.ledgerId, channel, boundAt: w.clock.now().toISOString() });
  }
  const statuses = async (chatId: string) => (await w.log.all()).filter((e) => e.chatId === chatId).reverse().map((e) => `${e.status}${e.code ? `:${e.code}` : ''}`);

  describe('delivery through the real senders to fake platforms', () => {
    it('WeCom: a 5xx is retried with backoff, 45009 pushes the message back, then it is sent once', async () => {
      const key = wecom.newWebhookKey();
      await bindChat('wecom', 'wx-1', { webhookKey: key });
      wecom.fail('webhook', { status: 502 }, { errcode: 45009 });
      w.startWorker();
      await w.service.digestNow('wecom', 'wx-1', { send: true });
      await w.waitLog((es) => es.some((e) => e.chatId === 'wx-1' && e.status === 'sent'));
      expect(await statuses('wx-1')).toEqual(['queued', 'retried:http_502', 'postponed:45009', 'sent']);
      const ok = wecom.of('webhook').filter((c) => c.query.key === key);
      expect(ok).toHaveLength(3);
      expect(ok[2].body.markdown.content).toContain('巡察反馈的21个具体问题');
    });

    it('WeCom 93000 and DingTalk 310000 are configuration errors: never retried, shown in 推送记录', async () => {
      await bindChat('wecom', 'wx-bad', { webhookKey: 'not-a-registered-key-0000' });
      ding.api.customRobots.set('dt-token-1', { secret: 'SECgood', sent: [] });
      await bindChat('dingtalk', 'dt-bad', { webhookToken: 'dt-token-1', webhookSecret: 'SECwrong' });
      w.startWorker();
      await w.service.digestNow('wecom', 'wx-bad', { send: true });
      await w.service.digestNow('dingtalk', 'dt-bad', { send: true });
      await w.waitLog((es) => es.filter((e) => e.status === 'failed').length === 2);
      expect(await statuses('wx-bad')).toEqual(['queued', 'failed:93000']);
      expect(await statuses('dt-bad')).toEqual(['queued', 'failed:310000']);
      expect(wecom.of('webhook').filter((c) => c.query.key === 'not-a-registered-key-0000')).toHaveLength(1);
      expect(ding.api.robotSends.filter((r) => r.query.access_token === 'dt-token-1')).toHaveLength(1);
      const b = (await w.open.services.directory.getBinding('dingtalk', 'dt-bad'))!;
      const log = (await w.service.deliveryLog(b)).text;
      expect(log).toMatch(/手动通报 ❌ 发送失败：.*［310000］。这是配置问题，不会自动重试，请整改办检查机器人设置/);
      expect(log).toContain('需要处理的配置问题');
    });

    it('DingTalk: 130101 (too fast) and a timeout-like 5xx are retried until sent, exactly once', async () => {
      ding.api.customRobots.set('dt-token-2', { secret: 'SECok', sent: [] });
      await bindChat('dingtalk', 'dt-ok', { webhookToken: 'dt-token-2', webhookSecret: 'SECok' });
      ding.faults.push('robot', { kind: 'errcode', errcode: 130101 }, { kind: 'status', status: 503 });
      w.startWorker();
      await w.service.digestNow('dingtalk', 'dt-ok', { send: true });
      await w.waitLog((es) => es.some((e) => e.chatId === 'dt-ok' && e.status === 'sent'));
      expect(await statuses('dt-ok')).toEqual(['queued', 'postponed:130101', 'retried:http_503', 'sent']);
    });
  });

  describe('per-robot rate limit under a burst', () => {
    it('100 chats on one robot: the outbox plans them at most 20 a minute, none lost or duplicated', async () => {
      for (let i = 0; i < 100; i++) {
        await w.open.services.directory.bind({
          platform: 'console', chatId: `burst-${i}`, ledgerId: w.ledgerId, channel: { robot: 'shared' }, schedule: '0 9 * * 1',
          boundAt: w.clock.now().toISOString(),
        });
      }
      w.clock.set(sh('2025-11-24T09:00:02'));
      const r = await w.scheduler().tick();
      expect(r.queued.filter((q) => q.startsWith('digest:console:burst-'))).toHaveLength(100);
      const jobs = (await w.outbox.queue.getJobs(['waiting', 'delayed'], 0, 1000)).filter((j) => j.data.chatId.startsWith('burst-') && j.data.kind === 'digest');
      expect(new Set(jobs.map((j) => j.data.chatId)).size).toBe(100);
      const at = jobs.map((j) => j.data.plannedAt).sort((a, b) => a - b);
      for (let i = 0; i + 20 < at.length; i++) expect(at[i + 20] - at[i]).toBeGreaterThanOrEqual(60_000);
      // BullMQ holds each job until its planned time.
      for (const j of jobs) expect(j.opts.delay ?? 0).toBe(j.data.plannedAt - w.clock.now().getTime());
      expect(at[0]).toBe(w.clock.now().getTime());
    });
  });
});
