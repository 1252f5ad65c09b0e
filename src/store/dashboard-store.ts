import type { RedisClient } from './redis.js';

export type { DaySnapshot } from '../ledger/day-snapshot.js';
import type { DaySnapshot } from '../ledger/day-snapshot.js';

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

  /** True once per ledger and hour (SET NX): which instance records that hour's snapshot. */
  async claimSnapshotHour(L: string, hour: string): Promise<boolean> {
    return (await this.redis.set(`rb:{${L}}:dash:snaphour:${hour}`, '1', 'EX', 7_200, 'NX')) === 'OK';
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
