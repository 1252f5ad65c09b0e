import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Services } from '../commands/types.js';
import { connectRedis, waitReady, type RedisClient } from '../store/redis.js';
import { LedgerStore } from '../store/ledger-store.js';
import { ItemChanges } from '../store/item-changes.js';
import { Directory } from '../store/directory.js';
import { DirectoryCache } from '../store/directory-cache.js';
import { claimOnce, RedisRateLimiter } from '../store/limits.js';
import type { Platform, Reply } from '../core/message.js';
import { VersionMemo } from '../core/memo.js';
import { dashboardLink } from '../core/signed-link.js';
import { createEvidence, evidenceStorage, loadEvidenceConfig, type EvidenceStorage } from '../evidence/index.js';
import path from 'node:path';

/** Read-command answers remembered per process (a few KB each; one per ledger, day and command key). */
const ANSWERS_MAX = 2_048;
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface OpenServices {
  services: Services;
  redis: RedisClient;
  claim(platform: Platform, id: string, ttlSeconds?: number): Promise<boolean>;
  rateLimiter: RedisRateLimiter;
  /** The in-process binding/user cache (null on a Redis Cluster or with DIRECTORY_CACHE=off). */
  directoryCache: DirectoryCache | null;
  close(): Promise<void>;
}

/** Connects to Redis and builds the store-backed services (CLI, service and tests share this). */
export interface OpenOptions {
  /** `redis://…` for one server, `redis-cluster://host:port,…` for a Redis Cluster (see src/store/redis.ts). */
  redisUrl: string;
  clock?: Clock;
  publicUrl?: string;
  failFast?: boolean;
  /** Per-command timeout (default 1000 ms): a frozen Redis fails fast instead of hanging requests. */
  commandTimeoutMs?: number;
  /** HMAC key for dashboard links; default a random secret shared through Redis. */
  dashboardSecret?: string;
  dashboardLinkDays?: number;
  /** Where evidence bytes go; default from EVIDENCE_* / DATA_DIR in the environment (DATA_DIR/evidence). */
  evidenceStorage?: EvidenceStorage;
  /** Largest evidence file in bytes; default EVIDENCE_MAX_MB (20 MB). */
  evidenceMaxBytes?: number;
  /** Environment the evidence configuration is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export async function openServices(opts: OpenOptions): Promise<OpenServices> {
  const redis = connectRedis(opts.redisUrl, { failFast: opts.failFast, commandTimeoutMs: opts.commandTimeoutMs });
  redis.on('error', () => { /* surfaced per command as UnavailableError; avoid unhandled 'error' events */ });
  await waitReady(redis);
  const clock = opts.clock ?? systemClock;
  const ledgers = new LedgerStore(redis);
  const directoryCache = DirectoryCache.open(redis, opts.env ?? process.env);
  const evidenceCfg = opts.evidenceStorage && opts.evidenceMaxBytes !== undefined ? null : loadEvidenceConfig(opts.env ?? process.env, root);
  const services: Services = {
    ledgers,
    changes: new ItemChanges(redis, () => clock.now()),
    directory: new Directory(redis, directoryCache),
    clock,
    answers: new VersionMemo<Reply>(ANSWERS_MAX),
    evidence: createEvidence({
      redis, items: ledgers, clock,
      storage: opts.evidenceStorage ?? evidenceStorage(evidenceCfg!),
      maxBytes: opts.evidenceMaxBytes ?? evidenceCfg!.maxBytes,
    }),
  };
  if (opts.publicUrl) {
    const base = opts.publicUrl;
    const days = opts.dashboardLinkDays ?? 30;
    // The shared secret is made once and kept: reused for 10 s (a Redis that lost it makes a new one,
    // which links then carry within seconds), so a chat reply with a link costs no round trip.
    let shared: { at: number; secret: Promise<string> } | undefined;
    const sharedSecret = () => {
      if (!shared || Date.now() - shared.at > 10_000) {
        const secret = services.directory.sharedSecret('dashboard');
        shared = { at: Date.now(), secret };
        secret.catch(() => { shared = undefined; });
      }
      return shared.secret;
    };
    services.dashboardLink = async (ledgerId, o) => {
      const secret = opts.dashboardSecret ?? (await sharedSecret());
      return dashboardLink(base, secret, ledgerId, Math.floor(clock.now().getTime() / 1000) + (o?.days ?? days) * 86400, o?.role);
    };
  }
  return {
    services,
    redis,
    claim: (platform, id, ttl) => claimOnce(redis, platform, id, ttl),
    rateLimiter: new RedisRateLimiter(redis),
    directoryCache,
    async close() {
      await services.evidence?.close().catch(() => undefined);
      await directoryCache?.close();
      redis.disconnect();
    },
  };
}
