import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ESM helper without types
import { startRedis, freePort } from '../scripts/redis.mjs';
// @ts-expect-error plain ESM helper without types
import { startTestClusters } from '../scripts/cluster.mjs';

/**
 * `npm test` starts redis-server and the test clusters and passes REDIS_URL
 * and RECTIFY_TEST_CLUSTER_NODES; when vitest is run directly, start what is
 * missing here so the suite always has a real Redis and a real cluster.
 */
export default async function setup() {
  const stops: Array<() => Promise<unknown>> = [];
  if (!process.env.REDIS_URL) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-vitest-redis-'));
    const redis = await startRedis({ dir, port: await freePort() });
    process.env.REDIS_URL = redis.url;
    stops.push(async () => { await redis.stop(); rmSync(dir, { recursive: true, force: true }); });
  }
  if (!process.env.RECTIFY_TEST_CLUSTER_NODES) {
    const clusters = await startTestClusters(Number(process.env.RECTIFY_TEST_CLUSTERS ?? 2));
    process.env.RECTIFY_TEST_CLUSTER_NODES = clusters.env;
    stops.push(() => clusters.stop());
  }
  return async () => { for (const s of stops) await s(); };
}
