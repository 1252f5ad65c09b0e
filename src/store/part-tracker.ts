import type { RedisClient } from './redis.js';
import type { PartTracker } from '../core/sender.js';

/** A delivery's sent parts as a Redis set, kept a week (longer than any retry schedule). */
export function redisPartTracker(redis: RedisClient, deliveryId: string, ttlSeconds = 7 * 86400): PartTracker {
  const key = `rb:parts:${deliveryId}`;
  return {
    sent: async (i) => (await redis.sismember(key, String(i))) === 1,
    mark: async (i) => {
      await redis.multi().sadd(key, String(i)).expire(key, ttlSeconds).exec();
    },
  };
}
