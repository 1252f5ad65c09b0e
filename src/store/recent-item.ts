import { z } from 'zod';
import type { RedisClient } from './redis.js';

/**
 * The measure a person last reported on in a chat (进展 / 完成), kept briefly
 * so a picture or file sent right after attaches to it. One small key per
 * (ledger, platform, chat, sender) with a TTL; it lives in the ledger's slot,
 * so a chat rebound to another ledger simply finds nothing.
 */
export interface RecentItem {
  itemId: string;
  code: string;
  /** The message that made it recent (a re-run of that message finds its own item). */
  messageId: string;
  /** ISO time. */
  at: string;
}

const recentSchema = z.object({ itemId: z.string().min(1), code: z.string(), messageId: z.string(), at: z.string() });

export const recentItemKey = (ledgerId: string, platform: string, chatId: string, senderId: string): string =>
  `rb:{${ledgerId}}:recent:${platform}:${chatId}:${senderId}`;

export class RecentItemStore {
  constructor(private readonly redis: RedisClient) {}

  async get(ledgerId: string, platform: string, chatId: string, senderId: string): Promise<RecentItem | null> {
    const raw = await this.redis.get(recentItemKey(ledgerId, platform, chatId, senderId));
    if (!raw) return null;
    try {
      const r = recentSchema.safeParse(JSON.parse(raw));
      return r.success ? r.data : null;
    } catch {
      return null;
    }
  }

  /** Forgets the sender's recent item (a 撤销 took the report back: later files attach to nothing). */
  async clear(ledgerId: string, platform: string, chatId: string, senderId: string): Promise<void> {
    await this.redis.del(recentItemKey(ledgerId, platform, chatId, senderId));
  }

  async set(ledgerId: string, platform: string, chatId: string, senderId: string, item: RecentItem, ttlMs: number): Promise<void> {
    const [key, value, px] = this.entry(ledgerId, platform, chatId, senderId, item, ttlMs);
    await this.redis.set(key, value, 'PX', px);
  }

  /** The key, value and TTL (ms) `set` writes: a measure change writes them in its own script. */
  entry(ledgerId: string, platform: string, chatId: string, senderId: string, item: RecentItem, ttlMs: number): [string, string, number] {
    return [recentItemKey(ledgerId, platform, chatId, senderId), JSON.stringify(item), Math.max(1, Math.ceil(ttlMs))];
  }
}
