// `npm start`: installs deps if missing, makes sure redis-server exists, starts
// a private redis-server (append-only, fsync always, ./data) unless REDIS_URL or
// REDIS_CLUSTER_NODES is set (both are passed through as they are), then runs
// the service (transpiled into dist/ first); its own Redis is stopped when the service exits.
import { ensureDeps } from './ensure-deps.mjs';
import { v8Profile } from './v8-profile.mjs';
import { ensureRedisServer, startRedis, portIsFree, freePort } from './redis.mjs';
import { spawn } from 'node:child_process';
import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps();
const env = { ...process.env };
// V8's settings (scripts/v8-profile.mjs): its defaults, or RECTIFY_MEMORY=small for memory-tight hosts.
let v8;
try {
  v8 = v8Profile(env);
} catch (e) {
  console.error(`[rectify] ${e.message}`);
  process.exit(2);
}
if (v8.nodeOptions) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} ${v8.nodeOptions}`.trim();
let redis = null;
const dataDir = path.resolve(root, process.env.DATA_DIR ?? 'data');
if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES) {
  ensureRedisServer();
  let port = Number(process.env.REDIS_PORT ?? 6380);
  if (!(await portIsFree(port))) {
    if (process.env.REDIS_PORT) {
      console.error(`[rectify] REDIS_PORT ${port} is in use; set another port or REDIS_URL`);
      process.exit(2);
    }
    port = await freePort();
  }
  mkdirSync(dataDir, { recursive: true });
  redis = await startRedis({ dir: dataDir, port, persist: true, databases: 16 });
  env.REDIS_URL = redis.url;
  // Lets `npx rectify …` in another terminal find this Redis.
  writeFileSync(path.join(dataDir, 'redis.url'), redis.url);
  console.error(`[rectify] redis-server started on ${redis.url} (append-only, data in ${dataDir})`);
}
// The service runs as JavaScript transpiled into dist/ (scripts/build-run.mjs): plain Node holds
// about 45 MB less than the same code under tsx. RECTIFY_START=tsx runs src/main.ts through tsx
// instead, as does a failed build (with a warning).
let args = null;
if (env.RECTIFY_START !== 'tsx') {
  try {
    // Imported here: on a fresh clone esbuild exists only once ensureDeps() has run.
    const { buildRun } = await import('./build-run.mjs');
    args = [await buildRun(root)];
  } catch (e) {
    console.error(`[rectify] could not build dist/ (${String(e?.message ?? e).split('\n')[0]}); running src/main.ts through tsx`);
  }
}
if (!args) {
  const require = createRequire(import.meta.url);
  args = [require.resolve('tsx/cli', { paths: [root] }), path.join(root, 'src/main.ts')];
}
const v8Flags = v8.flags;
const child = spawn(process.execPath, [...v8Flags, ...args], { stdio: 'inherit', env });
const forward = (sig) => () => child.kill(sig);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
const code = await new Promise((r) => child.on('exit', (c, s) => r(c ?? (s ? 0 : 1))));
if (redis) {
  await redis.stop();
  rmSync(path.join(dataDir, 'redis.url'), { force: true });
}
process.exit(code);
