import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../src/core/logger.js';
import type { IncomingMessage, Reply } from '../../src/core/message.js';
import { startInbound, type InboundService } from '../../src/inbound/index.js';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { bullConnection } from '../../src/store/schedule-store.js';
import type { Logger } from 'pino';

/**
 * A real durable inbound queue for adapter tests, in its own key namespace so
 * queues of tests sharing one Redis never take each other's messages.
 */
export function testInbound(o: {
  redis: RedisClient;
  target: string;
  run: (msg: IncomingMessage) => Promise<Reply | null>;
  readOnly?: (msg: Record<string, unknown>) => boolean;
  logger?: Logger;
  passiveBudgetMs?: number;
  maxBacklog?: number;
  admitBacklog?: number;
  admitWaitMs?: number;
  work?: boolean;
  autoStart?: boolean;
  leaseMs?: number;
  namespace?: string;
}): Promise<InboundService> {
  return startInbound({
    redis: o.redis,
    connection: () => bullConnection(o.target),
    logger: o.logger ?? silentLogger(),
    run: o.run,
    readOnly: o.readOnly,
    passiveBudgetMs: o.passiveBudgetMs,
    maxBacklog: o.maxBacklog,
    admitBacklog: o.admitBacklog,
    admitWaitMs: o.admitWaitMs,
    work: o.work,
    autoStart: o.autoStart,
    leaseMs: o.leaseMs,
    namespace: o.namespace ?? `t${randomUUID().slice(0, 8)}:`,
  });
}

/**
 * What one test opens and the suite's afterEach closes: queues (`open`), Redis clients (`client`,
 * ready when returned) and anything else (`closers`, run last).
 */
export function testBed(defaultUrl: () => string) {
  const open: Array<{ stop(): Promise<void> }> = [];
  const clients: RedisClient[] = [];
  const closers: Array<() => Promise<void>> = [];
  return {
    open,
    closers,
    async client(url = defaultUrl()): Promise<RedisClient> {
      const r = connectRedis(url);
      await waitReady(r);
      clients.push(r);
      return r;
    },
    async close(): Promise<void> {
      for (const q of open.splice(0)) await q.stop().catch(() => undefined);
      for (const c of clients.splice(0)) c.disconnect();
      for (const c of closers.splice(0)) await c();
    },
  };
}
