import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import { systemClock, type Clock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { IncomingMessage, Platform, Reply } from '../../../src/core/message.js';
import type { ConfigProblem } from '../../../src/core/ports.js';
import type { AdapterContext } from '../../../src/bot/context.js';
import { SenderRegistry } from '../../../src/core/sender.js';
import { claimOnce, RedisRateLimiter } from '../../../src/store/limits.js';
import { rememberOnce } from '../../../src/store/once.js';
import { connectRedis, waitReady, type RedisClient } from '../../../src/store/redis.js';
import { testTarget, type Target } from '../../helpers/redis.js';
import { testInbound } from '../../helpers/inbound.js';
import { createHttpClient } from '../../../src/core/http-client.js';
import { exactRoutes } from '../../../src/http/exact-routes.js';
import type { InboundService } from '../../../src/inbound/index.js';

/** A robot payload from test/fixtures/dingtalk with fresh ids and overrides. */
export function fixture(name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(new URL(`../../fixtures/dingtalk/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
  return { ...raw, msgId: `msg${randomUUID().replace(/-/g, '')}==`, ...over };
}

/**
 * A stand-in for the core pipeline: dedupes on the message id in Redis (as the
 * real pipeline does) and answers with a small reply. Injected like any
 * `handle`; tests may pass their own.
 */
export function echoHandler(seen: IncomingMessage[], redis: RedisClient) {
  return async (msg: IncomingMessage): Promise<Reply | null> => {
    if (!(await claimOnce(redis, msg.platform, `msg:${msg.messageId}`, 600))) return null;
    seen.push(msg);
    const md = `**整改进度**\n\n🔴 逾期 1 项\n🟡 临期 2 项\n🟢 正常 9 项\n\n你说：${msg.text}`;
    return { title: '整改进度', markdown: md, text: md, mentions: [], personal: true };
  };
}

export interface TestAdapterEnv {
  ctx: AdapterContext;
  redis: RedisClient;
  /** The real durable inbound queue the adapter submits to. */
  inbound: InboundService;
  /** Waits until every queued message is applied and answered (and the adapter's own notices sent). */
  settle(adapter?: { idle(): Promise<void> }): Promise<void>;
  /** Replaces what the queue's worker runs for each message (the pipeline's stand-in). */
  setHandle(h: (msg: IncomingMessage) => Promise<Reply | null>): void;
  seen: IncomingMessage[];
  problems: ConfigProblem[];
  /** Base URL of the Koa app with ctx.router mounted. */
  appUrl: string;
  close(): Promise<void>;
}

/** A real AdapterContext: real Redis (claim, limiter, durable inbound queue), a Koa app with the router, injected handle. */
export async function makeAdapterEnv(o: {
  env: NodeJS.ProcessEnv;
  clock?: Clock;
  handle?: (msg: IncomingMessage) => Promise<Reply | null>;
  /** Queue settings (backlog bounds) for the real inbound queue. */
  inbound?: { maxBacklog?: number; admitBacklog?: number; admitWaitMs?: number };
  /** Which Redis (default the suite's single redis-server). */
  target?: Target;
}): Promise<TestAdapterEnv> {
  const target = testTarget(o.target ?? 'single');
  const redis = connectRedis(target);
  await waitReady(redis);
  const seen: IncomingMessage[] = [];
  const problems: ConfigProblem[] = [];
  const router = new Router();
  const app = new Koa();
  // As the service's app (src/http/app.ts): exact routes (the callback) before the router.
  app.use(exactRoutes(router)).use(router.routes()).use(router.allowedMethods());
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const clock = o.clock ?? systemClock;
  let handle = o.handle ?? echoHandler(seen, redis);
  const inbound = await testInbound({ redis, target, run: (m) => handle(m), ...o.inbound });
  const http = createHttpClient();
  const ctx: AdapterContext = {
    inbound,
    claim: (platform: Platform, id: string, ttl?: number) => claimOnce(redis, platform, id, ttl),
    remember: (scope, id, value, ttlMs) => rememberOnce(redis, scope, id, value, ttlMs),
    getBinding: async () => null,
    senders: new SenderRegistry(),
    rateLimiter: new RedisRateLimiter(redis, () => clock.now().getTime()),
    reportProblem: async (p) => {
      problems.push(p);
    },
    router,
    logger: silentLogger(),
    clock,
    fetch: http,
    env: o.env,
  };
  return {
    ctx,
    redis,
    inbound,
    setHandle: (h) => { handle = h; },
    async settle(adapter) {
      await inbound.drain();
      await adapter?.idle();
    },
    seen,
    problems,
    appUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await inbound.stop();
      http.close();
      await redis.quit();
    },
  };
}

/** Polls `cond` every few ms until true or `ms` elapse. */
export async function until(cond: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
