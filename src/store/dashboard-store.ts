import type { RedisClient } from './redis.js';

/** One day's figures of a ledger, as the burn-up and the lights chart draw them. */
export interface DaySnapshot {
  /** Shanghai date YYYY-MM-DD. */
  date: string;
  /** Measures in the ledger that day. */
  scope: number;
  /** Done (已完成, 已完成并长期坚持, 已销号). */
  done: number;
  /** Struck off (已销号), a part of done. */
  struck: number;
  red: number;
  yellow: number;
  green: number;
}

/**
 * Dashboard state kept beside a ledger, under its hash tag (`rb:{L}:dash:…`)
 * so it lives in the ledger's slot and goes when the ledger is removed:
 * daily snapshots (one hash field per date, overwritten during the day, so
 * the last figure of a day stays) and the ledger's "sensitive" mark.
 */
export class DashboardStore {
  constructor(private readonly redis: RedisClient) {}

  private snapKey = (L: string) => `rb:{${L}}:dash:snap`;
  private flagsKey = (L: string) => `rb:{${L}}:dash:flags`;

  /** Records (or replaces) the snapshot of `s.date`. */
  async recordSnapshot(L: string, s: DaySnapshot): Promise<void> {
    await this.redis.hset(this.snapKey(L), s.date, JSON.stringify(s));
  }

  /** Every snapshot, oldest first. */
  async snapshots(L: string): Promise<DaySnapshot[]> {
    const h = await this.redis.hgetall(this.snapKey(L));
    const out: DaySnapshot[] = [];
    for (const v of Object.values(h)) {
      try { out.push(JSON.parse(v) as DaySnapshot); } catch { /* a damaged field is skipped, not fatal */ }
    }
    return out.sort((a, b) => a.date.localeCompare(b.date));
  }

  /** Sensitive ledgers hide evidence notes and item histories from viewer links. */
  async isSensitive(L: string): Promise<boolean> {
    return (await this.redis.hget(this.flagsKey(L), 'sensitive')) === '1';
  }

  async setSensitive(L: string, on: boolean): Promise<void> {
    if (on) await this.redis.hset(this.flagsKey(L), 'sensitive', '1');
    else await this.redis.hdel(this.flagsKey(L), 'sensitive');
  }
}
