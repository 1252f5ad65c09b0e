import { Redis } from 'ioredis';

export type { Redis };

/**
 * Opens a Redis connection. Commands fail fast (no offline queue) so that a
 * Redis outage turns into a clear "temporarily unavailable" answer instead of
 * requests piling up in memory.
 */
export function connectRedis(url: string, opts: { lazy?: boolean; failFast?: boolean } = {}): Redis {
  const failFast = opts.failFast ?? true;
  return new Redis(url, {
    lazyConnect: opts.lazy ?? false,
    enableOfflineQueue: !failFast,
    maxRetriesPerRequest: failFast ? 1 : null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    connectTimeout: 3000,
  });
}

/** Resolves once the connection is ready (or rejects after `timeoutMs`). */
export async function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') await redis.connect();
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => { cleanup(); reject(new Error('Redis not ready')); }, timeoutMs);
    const onReady = () => { cleanup(); resolve(); };
    const cleanup = () => { clearTimeout(t); redis.off('ready', onReady); };
    if (redis.status === 'ready') { cleanup(); resolve(); return; }
    redis.on('ready', onReady);
  });
}

/** True for errors that mean Redis itself is unreachable or failing (not a domain problem). */
export function isRedisError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const name = e.name ?? '';
  const msg = e.message ?? '';
  return (
    name === 'MaxRetriesPerRequestError' || name === 'ReplyError' && /LOADING|MISCONF|READONLY|CLUSTERDOWN/.test(msg) ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|connect ETIMEDOUT|Redis not ready|enableOfflineQueue/.test(msg)
  );
}
