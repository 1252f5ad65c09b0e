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

/** Sends an answer along the route an adapter stored with the message; throws SendError. */
export type Deliverer = (route: Record<string, unknown>, reply: Reply) => Promise<void>;

/** Where and how to answer a message: adapter-owned data, opaque to the core. */
export interface ReplyRoute {
  /** The callback's own HTTP response can carry the answer (WeCom passive reply). */
  passive: boolean;
  /** How long the callback waits for a passive answer before the reply queue takes over. */
  budgetMs?: number;
  data: Record<string, unknown>;
}

/**
 * The durable inbound door. An adapter submits a verified message and only
 * then acknowledges the platform; an instance holding the message's partition
 * applies it and queues the answer for the adapter's Deliverer.
 */
export interface InboundPort {
  /**
   * Persists the message once. 'duplicate': seen before (a platform retry;
   * nothing is applied again); 'full': the backlog is at its bound, nothing was
   * kept and the sender should be told to retry later. Rejects when Redis is down.
   */
  submit(msg: IncomingMessage, route: ReplyRoute): Promise<'accepted' | 'duplicate' | 'full'>;
  /**
   * For passive routes: waits up to `ms` for the answer and takes it for the
   * callback's response (a retry of an answered callback gets the same answer).
   * Null: not ready in time, refused by `fits` (too long for a passive answer),
   * or already sent another way; then the reply queue delivers it.
   */
  takeAnswer(msg: IncomingMessage, ms: number, fits?: (reply: Reply) => boolean): Promise<Reply | null>;
  /** The adapter's way of sending answers that go out after the acknowledgement. */
  onDeliver(platform: Platform, deliver: Deliverer): void;
}

/** What a platform adapter is given by the composition root. */
export interface AdapterContext {
  /** The one door into the core for platform messages: persisted, then applied by a worker. */
  inbound: InboundPort;
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
