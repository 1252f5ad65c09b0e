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
  /**
   * The acknowledgement may be held while the message's partition is deep (a platform that
   * waits for it before sending more, e.g. an HTTP callback); the message is kept first.
   */
  admit?: boolean;
  /**
   * A one-use value to keep with the message (the DingTalk HTTP sign and its msgId): held with
   * another value, the message is refused as 'replay' and nothing is kept. Checked in the submit's
   * own script on a single Redis, by a separate SET NX before it on a Cluster.
   */
  guard?: { scope: string; id: string; value: string; ttlMs: number };
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
   * kept and the sender should be told to retry later; 'replay': the route's guard was held
   * with another value, nothing kept. Rejects when Redis is down.
   */
  submit(msg: IncomingMessage, route: ReplyRoute): Promise<'accepted' | 'duplicate' | 'full' | 'replay'>;
  /**
   * For passive routes: waits up to `ms` for the answer and takes it for the
   * callback's response (a retry of an answered callback gets the same answer).
   * Null: not ready in time, refused by `fits` (too long for a passive answer),
   * or already sent another way; then the reply queue delivers it.
   */
  takeAnswer(msg: IncomingMessage, ms: number, fits?: (reply: Reply) => boolean): Promise<Reply | null>;
  /**
   * Queues one more send tied to a message (e.g. the @-mention a passive answer
   * cannot carry): durable, sent once through the adapter's deliverer with `data` as its route.
   */
  later(msg: Pick<IncomingMessage, 'platform' | 'chatId' | 'messageId'>, key: string, data: Record<string, unknown>, reply: Reply): Promise<void>;
  /** The adapter's way of sending answers that go out after the acknowledgement. */
  onDeliver(platform: Platform, deliver: Deliverer): void;
}

/** A running adapter the composition root can stop. */
export interface AdapterHandle {
  stop(): Promise<void>;
}

/** A decision card as sent: what it offers and, once pressed, the decision (shared by all instances). */
export interface CardRecord {
  /** ReplyActions.id: WeCom task_id / DingTalk outTrackId. */
  id: string;
  platform: Platform;
  chatId: string;
  chatType: 'group' | 'private';
  actions: import('./message.js').ReplyActions;
  createdAt: string;
  /**
   * A 1:1 copy (the office's approval card): the user whose 1:1 chat with the
   * robot shows it. `chatId` stays the bound group, so a press is authorized
   * and routed exactly like a press on the group card.
   */
  deliverTo?: string;
  /** The card this one copies (the group card's id): a decision on either is shown on both. */
  linked?: string;
  /** A 1:1 copy the platform accepted (a retried delivery does not create it twice). */
  created?: boolean;
  /** WeCom app card: the unused response_code of its send (one update_template_card, 72 h), to show a decision made elsewhere. */
  responseCode?: string;
  /** The first applied decision; a card is decided once. */
  decided?: CardDecision;
}

/** Who decided a card, how and when. */
export interface CardDecision {
  /** The pressed button's label (销号 / 退回). */
  label: string;
  by: string;
  at: string;
  /** Status change, e.g. 待销号 → 已销号. */
  change?: string;
  reason?: string;
}

/** Card state kept in Redis, so any instance can answer a press on a card another one sent. */
export interface CardStatePort {
  save(rec: CardRecord): Promise<void>;
  get(platform: Platform, id: string): Promise<CardRecord | null>;
  /** Records the decision unless one is recorded; returns the card as it stands (null: unknown or expired). */
  decide(platform: Platform, id: string, d: CardDecision): Promise<CardRecord | null>;
  /** Remembers a 1:1 copy of card `id` (the office's approval copies), so a decision can be shown on every copy. */
  addCopy?(platform: Platform, id: string, copyId: string): Promise<void>;
  copies?(platform: Platform, id: string): Promise<string[]>;
  /** Remembers the open card of an item code in a group, so a typed 销号/退回 there can show its decision on it. */
  markOpen?(platform: Platform, chatId: string, code: string, id: string): Promise<void>;
  /** The card last opened for `code` in group `chatId` (null: none or expired). */
  openCard?(platform: Platform, chatId: string, code: string): Promise<string | null>;
}
