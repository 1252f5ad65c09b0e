// `npm test`: installs deps if missing, starts a private redis-server on a free
// port in a temp dir, runs the whole vitest suite against it, stops Redis.
import { ensureDeps } from './ensure-deps.mjs';
import { startRedis, freePort } from './redis.mjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

ensureDeps();
const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-test-redis-'));
const redis = await startRedis({ dir, port: await freePort() });
const args = ['vitest', 'run', ...process.argv.slice(2)];
const child = spawn('npx', args, {
  stdio: 'inherit',
  env: { ...process.env, REDIS_URL: redis.url, RECTIFY_TEST_REDIS_PORT: String(redis.port) },
});
const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
await redis.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(code);
