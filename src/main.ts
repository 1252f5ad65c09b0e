import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { loadConfig } from './config.js';
import { createLogger } from './core/logger.js';
import { Metrics } from './core/metrics.js';
import { SenderRegistry } from './core/sender.js';
import type { AdapterHandle } from './core/ports.js';
import type { AdapterContext } from './bot/context.js';
import { openServices } from './app/services.js';
import { demoAutoLoadRefusal, loadDemo } from './app/demo.js';
import { createHttpApp } from './http/app.js';
import { createPipeline } from './pipeline/pipeline.js';
import { startDingtalk } from './bot/dingtalk/index.js';
import { startWecom } from './bot/wecom/index.js';
import { startScheduler } from './schedule/index.js';
import { consoleMenus, registerConsoleWeb } from './bot/console/web.js';
import { ConsoleSender } from './bot/console/sender.js';
import { registerDashboard } from './http/dashboard.js';
import { DashboardStore } from './store/dashboard-store.js';
import { rememberOnce } from './store/once.js';
import { isReadOnly } from './pipeline/read-only.js';
import { startInbound } from './inbound/index.js';
import { RedisCardStore } from './store/card-store.js';
import { createHttpClient } from './core/http-client.js';
import { bullConnection } from './store/schedule-store.js';
import { createEvidenceIntake } from './app/evidence-intake.js';

/** Composition root: config → Redis → services → pipeline → HTTP + adapters + scheduler. */
export async function startService(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const metrics = new Metrics(true);
  const open = await openServices({
    redisUrl: config.REDIS_URL, publicUrl: config.PUBLIC_URL, dashboardSecret: config.DASHBOARD_SECRET, dashboardLinkDays: config.DASHBOARD_LINK_DAYS,
    env,
  });
  open.redis.on('error', () => metrics.redisErrors.inc());
  const { services } = open;
  if (config.LOAD_DEMO === 'auto') {
    const refusal = await demoAutoLoadRefusal(services, env);
    if (refusal) logger.debug({ reason: refusal }, 'demo not loaded');
    else {
      await loadDemo(services);
      logger.info('demo ledger loaded (seed 003): ledger "demo", console chat "demo"; remove it with `rectify demo --remove`');
    }
  }
  // Pictures and files sent with or right after a 进展 / 完成 become evidence; adapters register their downloaders on `files`.
  const evidence = createEvidenceIntake({ services, redis: open.redis, logger });
  const pipeline = createPipeline({ services, logger, metrics, claim: open.claim, ...(evidence ? { evidence: evidence.intake } : {}) });
  // A frozen Redis must turn /healthz red within 2 s, whatever the client's own timeouts.
  const redisPing = () => Promise.race([
    open.redis.ping().then((r) => r === 'PONG'),
    new Promise<boolean>((r) => setTimeout(() => r(false), 1_500).unref()),
  ]);
  const inbound = await startInbound({
    redis: open.redis, connection: () => bullConnection(config.REDIS_URL), logger, run: (m) => pipeline.run(m), autoStart: false,
    readOnly: isReadOnly, admitBacklog: config.INBOUND_ADMIT_BACKLOG, admitWaitMs: config.INBOUND_ADMIT_WAIT_MS,
  });
  const { app, router } = createHttpApp({
    logger, metrics, redisPing,
    access: { trustProxy: config.TRUST_PROXY === '1', metricsPublic: config.METRICS_PUBLIC === '1', metricsToken: config.METRICS_TOKEN },
  });
  // One keep-alive client for every platform call (much cheaper per request than the built-in fetch).
  // As many idle sockets kept as may be busy: the inbound worker sends many answers at once to one host,
  // and a socket closed after each burst is a new connection on the next.
  const http = createHttpClient({ maxFreeSockets: 64 });
  const senders = new SenderRegistry();
  const ctx: AdapterContext = {
    inbound,
    claim: open.claim,
    remember: (scope, id, value, ttlMs) => rememberOnce(open.redis, scope, id, value, ttlMs),
    getBinding: (p, c) => services.directory.getBinding(p, c),
    cards: new RedisCardStore(open.redis),
    senders,
    evidence: services.evidence,
    ...(evidence ? { files: evidence.files } : {}),
    rateLimiter: open.rateLimiter,
    reportProblem: (p) => services.directory.reportProblem(p, new Date()),
    router,
    logger,
    clock: services.clock,
    fetch: http,
    env,
  };
  registerDashboard(router, services, { secret: async () => config.DASHBOARD_SECRET ?? services.directory.sharedSecret('dashboard'), store: new DashboardStore(open.redis) });
  registerConsoleWeb(router, { handle: (m) => pipeline.handle(m), mode: config.CONSOLE_WEB, directory: () => consoleMenus(services.directory) });
  const handles: AdapterHandle[] = [];
  for (const start of [startDingtalk, startWecom]) {
    const h = await start(ctx);
    if (h) handles.push(h);
  }
  // Adapters have registered their deliverers: messages (a dead instance's too) may now be applied and answered.
  await inbound.start();
  // Digests for console chats (the demo) print here, or go to RECTIFY_CONSOLE_RECORD.
  senders.register(new ConsoleSender({ recordFile: env.RECTIFY_CONSOLE_RECORD || undefined, out: env.RECTIFY_CONSOLE_RECORD ? null : undefined }));
  const sched = await startScheduler(ctx, services, { redis: open.redis, target: config.REDIS_URL });
  if (sched) handles.push(sched);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port }, 'rectify-bot listening');
  return {
    port,
    pipeline,
    inbound,
    services,
    /** Stops everything; each step is bounded, so a SIGTERM during a Redis outage still ends the process. */
    async stop() {
      const step = async (what: string, p: () => Promise<unknown>, ms = 5_000) => {
        const done = await Promise.race([
          p().then(() => true, () => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
        ]);
        if (!done) logger.warn({ step: what, ms }, 'shutdown step did not finish in time; going on');
      };
      for (const h of handles.reverse()) await step('adapter', () => h.stop());
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await step('http server', () => closed);
      await step('inbound', () => inbound.stop(), 10_000);
      http.close();
      await step('redis', () => open.close());
    },
  };
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  startService().then((svc) => {
    const stop = async () => {
      await svc.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    console.log(`\n整改督办机器人已启动 / rectify-bot is up: http://localhost:${svc.port}/healthz`);
    console.log('在终端与机器人对话 / talk to the bot from a terminal:');
    console.log('  npx rectify chat --as owner --chat demo      (users: office, leader, owner, supervisor, viewer)');
    console.log('  然后输入 / then type: 进度 · 逾期 · 我的 · 查看 二.1 · 帮助');
    console.log(`  或在浏览器中打开 / or open http://localhost:${svc.port}/console\n`);
  }).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
