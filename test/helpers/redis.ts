import { connectRedis, isCluster, waitReady, type RedisClient } from '../../src/store/redis.js';

/** Where a parameterised suite runs: the suite's single redis-server, or a real 3-master Redis Cluster. */
export type Target = 'single' | 'cluster';
export const TARGETS: Target[] = ['single', 'cluster'];

/** Test Redis URL: the suite's real redis-server, one database per vitest worker. */
export function testRedisUrl(): string {
  const base = process.env.REDIS_URL;
  if (!base) throw new Error('REDIS_URL is not set: run the suite with `npm test`');
  const db = Number(process.env.VITEST_POOL_ID ?? '1') % 60 + 1;
  return `${base.replace(/\/\d+$/, '')}/${db}`;
}

/**
 * This worker's own cluster (`redis-cluster://…`): `npm test` starts one
 * cluster per vitest worker, since a cluster has no SELECT to separate them.
 */
export function testClusterTarget(): string {
  const all = (process.env.RECTIFY_TEST_CLUSTER_NODES ?? '').split(';').filter(Boolean);
  if (!all.length) throw new Error('RECTIFY_TEST_CLUSTER_NODES is not set: run the suite with `npm test`');
  const i = (Number(process.env.VITEST_POOL_ID ?? '1') - 1) % all.length;
  return `redis-cluster://${all[i]}`;
}

/** The Redis target string for `t` (what openServices and BullMQ take). */
export function testTarget(t: Target = 'single'): string {
  return t === 'cluster' ? testClusterTarget() : testRedisUrl();
}

/** Empties this worker's database, or every master of its cluster. */
export async function flushTarget(t: Target = 'single'): Promise<void> {
  const r = connectRedis(testTarget(t), { commandTimeoutMs: 5000 });
  try {
    await waitReady(r);
    await flushClient(r);
  } finally {
    r.disconnect();
  }
}

/** FLUSHDB on a single Redis; FLUSHALL on each master of a cluster (commands go to one node each). */
export async function flushClient(r: RedisClient): Promise<void> {
  if (isCluster(r)) await Promise.all(r.nodes('master').map((n) => n.flushall()));
  else await r.flushdb();
}
