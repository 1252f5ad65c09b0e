import Router from '@koa/router';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { ChatBinding } from '../../../src/core/binding.js';
import { systemClock, type Clock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/logger.js';
import type { IncomingMessage, Reply } from '../../../src/core/message.js';
import type { AdapterHandle, ConfigProblem } from '../../../src/core/ports.js';
import type { AdapterContext } from '../../../src/bot/context.js';
import { SenderRegistry } from '../../../src/core/sender.js';
import { RedisRateLimiter, claimOnce } from '../../../src/store/limits.js';
import { connectRedis, waitReady, type RedisClient } from '../../../src/store/redis.js';
import { startWecom } from '../../../src/bot/wecom/index.js';
import { RedisCardStore } from '../../../src/store/card-store.js';
import { testRedisUrl } from '../../helpers/redis.js';
import { testInbound } from '../../helpers/inbound.js';
import { createHttpClient } from '../../../src/core/http-client.js';
import type { InboundService } from '../../../src/inbound/index.js';

/** Keys used by the end-to-end tests (random per run, never the official vectors). */
export const KEYS = {
  token: 'RectifyTok3n',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  corpId: 'wwFAKECORP0001',
  botId: 'aibFAKEBOT',
};

/** Options for a test app. */
export interface HarnessOptions {
  env?: Record<string, string | undefined>;
  /** The core door, injected: what the pipeline would answer. */
  handle?: (m: IncomingMessage) => Promise<Reply | null>;
  clock?: Clock;
  bindings?: ChatBinding[];
  /** Inbound queue namespace: two harnesses sharing one act as two instances of one service. */
  namespace?: string;
  /** The core's binding lookup, when a real store is used. */
  getBinding?: AdapterContext['getBinding'];
  /** Where the adapter registers its media downloader (the evidence intake's FileFetchers). */
  files?: AdapterContext['files'];
}

/** A running Koa app with the WeCom adapter, a real Redis, and captured logs. */
export interface Harness {
  url: string;
  ctx: AdapterContext;
  handle: AdapterHandle | null;
  inbound: InboundService;
  received: IncomingMessage[];
  problems: ConfigProblem[];
  logs: () => string;
  redis: RedisClient;
  stop(): Promise<void>;
}

/** Starts Koa + router + startWecom on a free port, like main.ts does. */
export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const redis = connectRedis(testRedisUrl());
  await waitReady(redis);
  let logText = '';
  const sink = new Writable({ write(chunk, _e, cb) { logText += String(chunk); cb(); } });
  const received: IncomingMessage[] = [];
  const runId = uid('run');
  const problems: ConfigProblem[] = [];
  const router = new Router();
  const logger = createLogger('debug', sink);
  const inbound = await testInbound({
    redis, target: testRedisUrl(), logger, namespace: o.namespace,
    passiveBudgetMs: Number(o.env?.WECOM_REPLY_BUDGET_MS ?? 0) || undefined,
    run: async (m) => {
      received.push(m);
      return o.handle ? o.handle(m) : null;
    },
  });
  const http = createHttpClient();
  const ctx: AdapterContext = {
    inbound,
    // Namespaced per harness so fixed ids (the official vectors) stay fresh on a reused Redis.
    claim: (platform, id, ttl) => claimOnce(redis, platform, `${runId}:${id}`, ttl),
    getBinding: o.getBinding ?? (async (platform, chatId) => o.bindings?.find((b) => b.platform === platform && b.chatId === chatId) ?? null),
    cards: new RedisCardStore(redis),
    senders: new SenderRegistry(),
    ...(o.files ? { files: o.files } : {}),
    rateLimiter: new RedisRateLimiter(redis),
    reportProblem: async (p) => { problems.push(p); },
    router,
    logger,
    clock: o.clock ?? systemClock,
    fetch: http,
    env: {
      WECOM_TOKEN: KEYS.token,
      WECOM_ENCODING_AES_KEY: KEYS.encodingAesKey,
      WECOM_CORP_ID: KEYS.corpId,
      WECOM_BOT_ID: KEYS.botId,
      ...o.env,
    },
  };
  const handle = await startWecom(ctx).catch((e: unknown) => { redis.disconnect(); throw e; });
  const app = new Koa();
  app.use(router.routes()).use(router.allowedMethods());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, ctx, handle, inbound, received, problems, redis,
    logs: () => logText,
    async stop() {
      await handle?.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await inbound.stop();
      http.close();
      redis.disconnect();
    },
  };
}

/** A reply as the core would build it. */
export function reply(markdown: string, extra: Partial<Reply> = {}): Reply {
  return { title: '进度', markdown, text: markdown.replace(/[#*]/g, ''), mentions: [], ...extra };
}

/** Unique ids so tests sharing a Redis database never collide. */
export const uid = (p: string) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
