import type { Platform } from '../core/message.js';
import type { CardDecision, CardRecord, CardStatePort } from '../core/ports.js';
import type { RedisClient } from './redis.js';

/** Cards are answered for a month; an older press gets "卡片已失效". */
export const CARD_TTL_S = 30 * 86_400;

/**
 * Decision cards in Redis: one hash per card (`rec`, and `decided` once set).
 * The decision is HSETNX, so of two presses at once only the first is kept.
 */
export class RedisCardStore implements CardStatePort {
  constructor(private readonly redis: RedisClient) {}

  private key(platform: Platform, id: string): string {
    return `rb:card:{${platform}:${id}}`;
  }

  async save(rec: CardRecord): Promise<void> {
    const k = this.key(rec.platform, rec.id);
    const { decided: _ignored, ...plain } = rec;
    // A re-sent card (a retried callback) keeps the decision it may already have.
    await this.redis.multi().hset(k, 'rec', JSON.stringify(plain)).expire(k, CARD_TTL_S).exec();
  }

  async get(platform: Platform, id: string): Promise<CardRecord | null> {
    const h = await this.redis.hgetall(this.key(platform, id));
    if (!h.rec) return null;
    const rec = JSON.parse(h.rec) as CardRecord;
    return h.decided ? { ...rec, decided: JSON.parse(h.decided) as CardDecision } : rec;
  }

  /** Copies live in a set beside the card (same hash tag, so one cluster slot), for as long as cards do. */
  async addCopy(platform: Platform, id: string, copyId: string): Promise<void> {
    const k = `${this.key(platform, id)}:copies`;
    await this.redis.multi().sadd(k, copyId).expire(k, CARD_TTL_S).exec();
  }

  async copies(platform: Platform, id: string): Promise<string[]> {
    return (await this.redis.smembers(`${this.key(platform, id)}:copies`)).sort();
  }

  /** One key per group and code, for as long as cards live: a later completion's card replaces it. */
  async markOpen(platform: Platform, chatId: string, code: string, id: string): Promise<void> {
    await this.redis.set(this.openKey(platform, chatId, code), id, 'EX', CARD_TTL_S);
  }

  async openCard(platform: Platform, chatId: string, code: string): Promise<string | null> {
    return this.redis.get(this.openKey(platform, chatId, code));
  }

  private openKey(platform: Platform, chatId: string, code: string): string {
    return `rb:card:open:{${platform}:${chatId}}:${code}`;
  }

  async decide(platform: Platform, id: string, d: CardDecision): Promise<CardRecord | null> {
    const k = this.key(platform, id);
    if (!(await this.redis.hexists(k, 'rec'))) return null;
    await this.redis.hsetnx(k, 'decided', JSON.stringify(d));
    return this.get(platform, id);
  }
}
