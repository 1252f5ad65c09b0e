import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Services } from '../commands/types.js';
import { connectRedis, waitReady, type Redis } from '../store/redis.js';
import { LedgerStore } from '../store/ledger-store.js';
import { ItemChanges } from '../store/item-changes.js';
import { Directory } from '../store/directory.js';
import { claimOnce, RedisRateLimiter } from '../store/limits.js';
import type { Platform } from '../core/message.js';

export interface OpenServices {
  services: Services;
  redis: Redis;
  claim(platform: Platform, id: string, ttlSeconds?: number): Promise<boolean>;
  rateLimiter: RedisRateLimiter;
  close(): Promise<void>;
}

/** Connects to Redis and builds the store-backed services (CLI, service and tests share this). */
export async function openServices(opts: { redisUrl: string; clock?: Clock; publicUrl?: string; failFast?: boolean }): Promise<OpenServices> {
  const redis = connectRedis(opts.redisUrl, { failFast: opts.failFast });
  redis.on('error', () => { /* surfaced per command as UnavailableError; avoid unhandled 'error' events */ });
  await waitReady(redis);
  const clock = opts.clock ?? systemClock;
  const services: Services = {
    ledgers: new LedgerStore(redis),
    changes: new ItemChanges(redis, () => clock.now()),
    directory: new Directory(redis),
    clock,
    publicUrl: opts.publicUrl,
  };
  return {
    services,
    redis,
    claim: (platform, id, ttl) => claimOnce(redis, platform, id, ttl),
    rateLimiter: new RedisRateLimiter(redis),
    async close() {
      redis.disconnect();
    },
  };
}
