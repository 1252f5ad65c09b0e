import type { Platform, Reply } from './message.js';

/** Where a proactive message goes: a bound chat and its platform-specific channel settings. */
export interface OutboundTarget {
  platform: Platform;
  chatId: string;
  /**
   * Opaque per-binding channel settings owned by the platform adapter
   * (e.g. DingTalk custom-robot access token + secret, WeCom webhook key).
   */
  channel: Record<string, string>;
}

/**
 * Why a send failed:
 * - `retry`: transient (5xx, timeout, network) — try again with backoff;
 * - `rate_limited`: the platform said slow down (130101, 45009) — retry after `retryAfterMs`;
 * - `config`: misconfiguration the office must fix (310000, 300001, 93000, 60020) — never retried;
 * - `fatal`: the request itself is wrong — never retried.
 */
export type SendErrorKind = 'retry' | 'rate_limited' | 'config' | 'fatal';

export class SendError extends Error {
  constructor(
    readonly kind: SendErrorKind,
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/**
 * Remembers which parts of one delivery already went out, so a retried
 * multi-part send (a long digest split under the byte limit) resumes at the
 * part that failed instead of repeating the ones the group already has.
 */
export interface PartTracker {
  sent(index: number): Promise<boolean>;
  mark(index: number): Promise<void>;
}

/** Indexes 0..n-1 of the parts not yet sent (all of them without a tracker). */
export async function unsentParts(n: number, tracker?: PartTracker): Promise<number[]> {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!tracker) return all;
  const sent = await Promise.all(all.map((i) => tracker.sent(i)));
  return all.filter((i) => !sent[i]);
}

export interface SendOptions {
  parts?: PartTracker;
}

/** A person reached 1:1 (reminders to the person, the office's approval copy). */
export interface DirectTarget {
  platform: Platform;
  /** The person's platform user id (DingTalk staffId, WeCom userid). */
  userId: string;
  /** The bound group the message belongs to (its ledger, its delivery log). */
  chatId: string;
}

/** A platform's proactive-send channel (used by digests and reminders). */
export interface ChatSender {
  readonly platform: Platform;
  /** Key that groups targets sharing one platform rate limit (one robot). */
  robotKey(target: OutboundTarget): string;
  /** Sends one reply (adapters split long ones; `opts.parts` skips parts already sent). Throws SendError on failure. */
  send(target: OutboundTarget, reply: Reply, opts?: SendOptions): Promise<void>;
  /** Whether 1:1 sends are configured here (app credentials); without it reminders stay in the group. */
  canSendDirect?(): boolean;
  /** Whether a 1:1 reply with `actions` arrives as a card with buttons (else as text naming the commands). */
  sendsDirectCards?(): boolean;
  /** Rate-limit key of 1:1 sends to `userId` (present when the platform can send 1:1). */
  directKey?(userId: string): string;
  /** Sends one reply 1:1 to a person; a reply with `actions` may become a card. Throws SendError. */
  sendDirect?(to: DirectTarget, reply: Reply, opts?: SendOptions): Promise<void>;
}

/** Whether `sender` can send 1:1 messages now. */
export function sendsDirect(sender: ChatSender | undefined): boolean {
  return Boolean(sender?.sendDirect) && (sender?.canSendDirect?.() ?? true);
}

/** Registry of senders by platform, filled by the adapters at start. */
export class SenderRegistry {
  private readonly senders = new Map<Platform, ChatSender>();
  register(sender: ChatSender): void {
    this.senders.set(sender.platform, sender);
  }
  get(platform: Platform): ChatSender | undefined {
    return this.senders.get(platform);
  }
}
