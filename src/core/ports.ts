import type Router from '@koa/router';
import type { Logger } from 'pino';
import type { ChatBinding } from './binding.js';
import type { Clock } from './clock.js';
import type { IncomingMessage, Platform, Reply } from './message.js';
import type { SenderRegistry } from './sender.js';

/** Shared (Redis-backed) sliding-window limiter: returns 0 when allowed, else ms to wait. */
export interface RateLimiter {
  take(key: string, limit: number, windowMs: number): Promise<number>;
}

/** A configuration problem the office must see (bad webhook key, IP not allowed…). */
export interface ConfigProblem {
  platform: Platform;
  chatId?: string;
  code: string;
  message: string;
}

/** What a platform adapter is given by the composition root. */
export interface AdapterContext {
  /** The one door into the core. Resolves null for a duplicate message id. */
  handle(msg: IncomingMessage): Promise<Reply | null>;
  /** Claims a platform event id once (SET NX with TTL); false when already seen. */
  claim(platform: Platform, eventId: string, ttlSeconds?: number): Promise<boolean>;
  /**
   * Keeps `value` under (scope, id) for `ttlMs` unless one is kept (SET NX);
   * returns the earlier value, or null when this call kept it. DingTalk HTTP
   * mode refuses to start without it (sign replay guard).
   */
  remember?(scope: string, id: string, value: string, ttlMs: number): Promise<string | null>;
  getBinding(platform: Platform, chatId: string): Promise<ChatBinding | null>;
  senders: SenderRegistry;
  rateLimiter: RateLimiter;
  reportProblem(problem: ConfigProblem): Promise<void>;
  router: Router;
  logger: Logger;
  clock: Clock;
  fetch: typeof fetch;
  env: NodeJS.ProcessEnv;
}

/** A running adapter the composition root can stop. */
export interface AdapterHandle {
  stop(): Promise<void>;
}
