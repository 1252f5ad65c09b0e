import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../src/core/logger.js';
import type { IncomingMessage, Reply } from '../../src/core/message.js';
import { startInbound, type InboundService } from '../../src/inbound/index.js';
import type { RedisClient } from '../../src/store/redis.js';
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
