// `npm test`: installs deps if missing, starts a private redis-server on a free
// port in a temp dir and two private 3-master Redis Clusters (one per vitest
// worker; RECTIFY_TEST_CLUSTERS=N for N workers), runs vitest against them
// (args pass through), stops everything.
import { ensureDeps } from './ensure-deps.mjs';
import { startRedis, freePort } from './redis.mjs';
import { startTestClusters } from './cluster.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The Debian packages the suite needs (Redis, LibreOffice, poppler, CJK fonts, chromium): installed as root, else named.
if (process.platform === 'linux' && spawnSync('bash', [path.join(path.dirname(new URL(import.meta.url).pathname), 'test-packages.sh')], { stdio: 'inherit' }).status !== 0) process.exit(2);
ensureDeps();
const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-test-redis-'));
const [redis, clusters] = await Promise.all([startRedis({ dir, port: await freePort() }), startTestClusters(Number(process.env.RECTIFY_TEST_CLUSTERS ?? 2))]);
const args = ['vitest', 'run', ...process.argv.slice(2)];
const child = spawn('npx', args, {
  stdio: 'inherit',
  env: { ...process.env, REDIS_URL: redis.url, RECTIFY_TEST_REDIS_PORT: String(redis.port), RECTIFY_TEST_CLUSTER_NODES: clusters.env },
});
const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
await Promise.all([redis.stop(), clusters.stop()]);
rmSync(dir, { recursive: true, force: true });
process.exit(code);
