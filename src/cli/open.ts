import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../core/clock.js';
import { fixedClock, systemClock } from '../core/clock.js';
import { openServices, type OpenServices } from '../app/services.js';
import { clusterTarget } from '../store/redis.js';
import { parseDate } from '../ledger/dates.js';
import { DomainError } from '../core/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where the CLI finds Redis: REDIS_CLUSTER_NODES, else REDIS_URL, else the Redis `npm start` runs
 * (data/redis.url), else a private redis-server on ./data for this command.
 */
export async function openCli(opts: { asOf?: string } = {}): Promise<OpenServices> {
  const clock = asOfClock(opts.asOf);
  const dataDir = path.resolve(root, process.env.DATA_DIR ?? 'data');
  const urlFile = path.join(dataDir, 'redis.url');
  // REDIS_CLUSTER_NODES wins over REDIS_URL, as in the service.
  const given = clusterTarget(process.env.REDIS_CLUSTER_NODES) ?? process.env.REDIS_URL;
  let url = given;
  if (!url && existsSync(urlFile)) url = readFileSync(urlFile, 'utf8').trim();
  if (url) {
    try {
      return await openServices({ redisUrl: url, clock, publicUrl: process.env.PUBLIC_URL, dashboardSecret: process.env.DASHBOARD_SECRET || undefined });
    } catch (e) {
      if (given) throw new Error(`无法连接 Redis（${given.replace(/\/\/[^@/]*@/, '//***@')}）：${(e as Error).message}`);
    }
  }
  // @ts-expect-error plain ESM helper without types
  const { startRedis, freePort } = await import('../../scripts/redis.mjs');
  mkdirSync(dataDir, { recursive: true });
  const redis = await startRedis({ dir: dataDir, port: await freePort(), persist: true, databases: 16 });
  const open = await openServices({ redisUrl: redis.url, clock, publicUrl: process.env.PUBLIC_URL, dashboardSecret: process.env.DASHBOARD_SECRET || undefined });
  return { ...open, async close() { await open.close(); await redis.stop(); } };
}

/** --as-of DATE → a clock fixed at noon Shanghai time of that date. */
export function asOfClock(asOf?: string): Clock {
  if (!asOf) return systemClock;
  const d = parseDate(asOf, '2000-01-01');
  if (!d) throw new Error(`无法识别日期：${asOf}（示例：2025-01-03、2025年1月3日）`);
  return fixedClock(`${d}T04:00:00.000Z`);
}

/** Runs a CLI action with services open, mapping domain errors to a message and exit code 1. */
export async function withServices<T>(asOf: string | undefined, f: (open: Awaited<ReturnType<typeof openCli>>) => Promise<T>): Promise<void> {
  const open = await openCli({ asOf });
  try {
    await f(open);
  } catch (e) {
    process.exitCode = 1;
    console.error(e instanceof DomainError ? `${e.message}${e.hint ? ` ${e.hint}` : ''}` : e instanceof Error ? e.message : String(e));
  } finally {
    await open.close();
  }
}

