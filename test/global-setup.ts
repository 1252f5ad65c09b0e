import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ESM helper without types
import { startRedis, freePort } from '../scripts/redis.mjs';

/**
 * `npm test` starts redis-server and passes REDIS_URL; when vitest is run
 * directly, start one here so the suite always has a real Redis.
 */
export default async function setup() {
  if (process.env.REDIS_URL) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-vitest-redis-'));
  const redis = await startRedis({ dir, port: await freePort() });
  process.env.REDIS_URL = redis.url;
  return async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
