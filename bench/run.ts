import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openServices } from '../src/app/services.js';
import { benchPipeline } from './pipeline.js';
// @ts-expect-error plain ESM helper without types
import { startRedis, freePort } from '../scripts/redis.mjs';

/** `npm run bench`: prints one JSON document with every benchmark's figures. */
async function main() {
  // A private redis-server unless BENCH_REDIS_URL names one: the benchmarks flush their databases.
  let url = process.env.BENCH_REDIS_URL;
  let redis: { stop(): Promise<void> } | undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-bench-'));
  if (!url) {
    const r = await startRedis({ dir, port: await freePort() });
    url = r.url as string;
    redis = r;
  }
  const open = await openServices({ redisUrl: `${url}` });
  const result: Record<string, unknown> = { node: process.version, at: new Date().toISOString() };
  const only = process.env.BENCH_ONLY?.split(',').map((x) => x.trim()).filter(Boolean);
  try {
    if (!only || only.includes('pipeline')) {
      const { small, large } = await benchPipeline(open);
      result.pipeline = {
        small, large,
        progress_p99_ratio_10000_vs_100: +(large.进度.p99_ms / small.进度.p99_ms).toFixed(2),
        target: '进度 p99 at 10,000 within 1.5× of p99 at 100',
      };
    }
    // Further parts: add a line here. Each module exports a function (named, or default) taking
    // { redisUrl, open } and returning its figures; BENCH_SKIP_<NAME>=1 skips one, BENCH_ONLY=a,b picks some.
    const parts: Array<[name: string, file: string, fn: string]> = [
      ['digest', 'bench/digest.ts', 'benchDigest'],
      ['import', 'bench/import.ts', 'benchImport'],
      ['notice', 'bench/notice.ts', 'benchNotice'],
      ['http_client', 'bench/http-client.ts', 'benchHttpClient'],
      ['crash_run', 'bench/crash.ts', 'benchCrash'],
      ['dashboard', 'bench/dashboard.ts', 'benchDashboard'],
      ['memory', 'bench/memory.ts', 'benchMemory'],
      ['side_by_side', 'bench/side-by-side.ts', 'benchSideBySide'],
      ['round_trips', 'bench/round-trips.ts', 'benchRoundTrips'],
    ];
    for (const [name, file, fn] of parts) {
      const full = path.resolve(file);
      if (!existsSync(full) || process.env[`BENCH_SKIP_${name.toUpperCase()}`] === '1') continue;
      if (only && !only.includes(name)) continue;
      const mod = await import(full);
      const f = mod[fn] ?? mod.default;
      if (typeof f === 'function') result[name] = await f({ redisUrl: url, open });
    }
  } finally {
    await open.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
