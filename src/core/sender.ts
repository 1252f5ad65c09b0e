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

/** A platform's proactive-send channel (used by digests and reminders). */
export interface ChatSender {
  readonly platform: Platform;
  /** Key that groups targets sharing one platform rate limit (one robot). */
  robotKey(target: OutboundTarget): string;
  /** Sends one reply (adapters split long ones). Throws SendError on failure. */
  send(target: OutboundTarget, reply: Reply): Promise<void>;
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
