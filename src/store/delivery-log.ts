import type { RedisClient } from './redis.js';
import type { AuditEvent } from '../ledger/types.js';
import { k } from './keys.js';

/** What happened to one scheduled message. */
export type DeliveryStatus = 'queued' | 'sent' | 'retried' | 'postponed' | 'failed' | 'skipped';

export interface DeliveryEntry {
  at: string;
  platform: string;
  chatId: string;
  ledgerId?: string;
  kind: string;
  /** The schedule slot (ISO) the message belongs to. */
  slot: string;
  jobId?: string;
  status: DeliveryStatus;
  attempt?: number;
  /** Error code (platform errcode or ours), when not sent. */
  code?: string;
  /** SendError kind of a failure: config errors need the office, not a retry. */
  errorKind?: string;
  reason?: string;
  /** A 1:1 message: the person's user id and name (chatId is the group it belongs to). */
  to?: string;
  toName?: string;
}

const PER_CHAT = 50;
const GLOBAL = 5000;
// One hash tag for the per-chat logs and the global one: each entry goes to both in one MULTI.
const chatLog = (platform: string, chatId: string) => `rb:{dlog}:chat:${platform}:${chatId}`;
const allLog = 'rb:{dlog}:all';

/** The delivery log: latest entries per chat and across all chats (newest first). */
export class DeliveryLog {
  constructor(private readonly redis: RedisClient) {}

  async add(e: DeliveryEntry): Promise<void> {
    const s = JSON.stringify(e);
    await this.redis.multi()
      .lpush(chatLog(e.platform, e.chatId), s).ltrim(chatLog(e.platform, e.chatId), 0, PER_CHAT - 1)
      .lpush(allLog, s).ltrim(allLog, 0, GLOBAL - 1)
      .exec();
  }

  async forChat(platform: string, chatId: string, limit = PER_CHAT): Promise<DeliveryEntry[]> {
    return (await this.redis.lrange(chatLog(platform, chatId), 0, limit - 1)).map((x) => JSON.parse(x));
  }

  async all(limit = 200): Promise<DeliveryEntry[]> {
    return (await this.redis.lrange(allLog, 0, limit - 1)).map((x) => JSON.parse(x));
  }
}

/**
 * The newest `count` audit events of a ledger, oldest first. The digest
 * filters them by their own `at` time, which follows the injected clock
 * (stream ids follow Redis's clock instead).
 */
export async function recentEvents(redis: RedisClient, ledgerId: string, count = 2000): Promise<AuditEvent[]> {
  const rows = await redis.xrevrange(k.audit(ledgerId), '+', '-', 'COUNT', count);
  return rows.reverse().map(([id, flat]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]] = flat[i + 1];
    return {
      id, at: f.at ?? '', actor: { platform: f.platform ?? '', userId: f.userId ?? '', name: f.name ?? '' },
      itemId: f.itemId ?? '', code: f.code ?? '', action: f.action ?? '',
      from: (f.from ?? '') as AuditEvent['from'], to: (f.to ?? '') as AuditEvent['to'],
      note: f.note ?? '', messageId: f.messageId ?? '',
    };
  });
}
