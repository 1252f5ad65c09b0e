import type { RedisClient } from './redis.js';

/**
 * Key of a one-use value. Global keys carry a hash tag; `{sig}` keeps these
 * single-key records out of the ledger and directory slots.
 */
export const onceKey = (scope: string, id: string): string => `rb:{sig}:${scope}:${id}`;

/**
 * Keeps `value` under (scope, id) for `ttlMs` unless something is already
 * kept there (SET NX PX). Returns the value kept before, or null when this
 * call kept `value`. Shared by every instance, so a value seen by one is
 * seen by all.
 */
export async function rememberOnce(redis: RedisClient, scope: string, id: string, value: string, ttlMs: number): Promise<string | null> {
  const key = onceKey(scope, id);
  const ttl = Math.max(1, Math.ceil(ttlMs));
  if ((await redis.set(key, value, 'PX', ttl, 'NX')) === 'OK') return null;
  // Expired between the two calls: the earlier holder's window is over, so this one is fresh.
  return await redis.get(key);
}
