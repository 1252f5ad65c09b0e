import type { RedisClient } from './redis.js';
import { script } from './scripts.js';
import type { Platform } from '../core/message.js';
import type { RateLimiter } from '../core/ports.js';

/**
 * Sliding-window rate limiter shared by every instance (a sorted set of send
 * times per key). Returns 0 when a slot was taken, else the ms to wait.
 */
const TAKE = script<number>('rbRateTake', `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local member = ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if n < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`, 1);

let seq = 0;

export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: RedisClient, private readonly now: () => number = Date.now) {}

  async take(key: string, limit: number, windowMs: number): Promise<number> {
    const member = `${this.now()}-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
    const r = await TAKE.run(this.redis, [`rb:rl:{${key}}`], [this.now(), windowMs, limit, member]);
    return Number(r);
  }
}

/**
 * Claims an id once (SET NX with TTL). Used for platform message ids and any
 * event a platform may deliver more than once. True = first time seen.
 * One key per id and no tag: a single-key command is fine on a cluster, and
 * the ids spread over every slot instead of crowding one.
 */
export async function claimOnce(redis: RedisClient, platform: Platform, id: string, ttlSeconds = 86400): Promise<boolean> {
  const r = await redis.set(`rb:idem:${platform}:${id}`, '1', 'EX', ttlSeconds, 'NX');
  return r === 'OK';
}
