import type Router from '@koa/router';
import type { Logger } from 'pino';
import type { ChatBinding } from '../core/binding.js';
import type { Clock } from '../core/clock.js';
import type { Platform } from '../core/message.js';
import type { CardStatePort, ConfigProblem, InboundPort, RateLimiter } from '../core/ports.js';
import type { SenderRegistry } from '../core/sender.js';
import type { EvidenceService } from '../evidence/service.js';
import type { FileFetchers } from '../pipeline/evidence.js';

/**
 * What a platform adapter is given by the composition root. It lives with the
 * adapters, not in core, because it carries the Koa router they mount their
 * callback routes on; everything else in it is a platform-free port.
 */
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
  /** Decision-card state (approval cards); without it replies go out as text only. */
  cards?: CardStatePort;
  senders: SenderRegistry;
  /**
   * Evidence files (佐证材料): `evidence.attachEvidence({ ledgerId, itemId, file, actor, messageId })`
   * sniffs, checks limits, stores the bytes and records them with an audit event (see src/evidence/index.ts).
   */
  evidence?: EvidenceService;
  /** Where an adapter registers how it downloads the pictures and files of its messages (evidence). */
  files?: FileFetchers;
  rateLimiter: RateLimiter;
  reportProblem(problem: ConfigProblem): Promise<void>;
  router: Router;
  logger: Logger;
  clock: Clock;
  fetch: typeof fetch;
  env: NodeJS.ProcessEnv;
}
