import { Cluster, Redis } from 'ioredis';
import { useLeanPipelines } from './lean-pipeline.js';

export type { Redis, Cluster };

/** Either a single Redis or a Redis Cluster client: everything in src/store works on both. */
export type RedisClient = Redis | Cluster;

/** Default per-command timeout: a frozen Redis fails a command within a second instead of hanging it. */
export const COMMAND_TIMEOUT_MS = 1000;

export interface ConnectOptions {
  lazy?: boolean;
  /** No offline queue and one retry per command (default true). */
  failFast?: boolean;
  /** Per-command timeout in ms (default COMMAND_TIMEOUT_MS); 0 turns it off. */
  commandTimeoutMs?: number;
  /** Auto-pipelining (default on; REDIS_AUTO_PIPELINE=off turns it off). */
  autoPipeline?: boolean;
}

/** A parsed Redis target: one server URL, or the seed nodes of a cluster. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: Array<{ host: string; port: number }>; username?: string; password?: string; tls: boolean };

const CLUSTER_RE = /^(rediss?)-cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?$/;
const NODE_RE = /^\[?([A-Za-z0-9.\-_:]+?)\]?:(\d{1,5})$/;

/**
 * Parses a Redis target string: `redis://…` / `rediss://…` (one server) or
 * `redis-cluster://[user:pass@]host:port,host:port` (`rediss-cluster://` for
 * TLS). Throws a message naming the bad part.
 */
export function parseTarget(target: string): RedisTarget {
  const m = CLUSTER_RE.exec(target.trim());
  if (!m) {
    if (!/^rediss?:\/\//.test(target)) throw new Error(`not a Redis target: ${target.replace(/\/\/[^@/]*@/, '//***@')}`);
    return { kind: 'single', url: target };
  }
  const [, scheme, auth, list] = m;
  const nodes = list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const n = NODE_RE.exec(s);
    if (!n) throw new Error(`bad cluster node "${s}" (expected host:port)`);
    return { host: n[1], port: Number(n[2]) };
  });
  if (!nodes.length) throw new Error('a Redis Cluster needs at least one host:port');
  const [user, pass] = auth ? auth.split(':', 2).map(decodeURIComponent) : [];
  return {
    kind: 'cluster', nodes, tls: scheme === 'rediss',
    ...(user ? { username: user } : {}), ...(pass ? { password: pass } : {}),
  };
}

/**
 * The target string for `REDIS_CLUSTER_NODES` (`host:port,host:port` or a
 * full `redis-cluster://` URL), or null when unset.
 */
export function clusterTarget(nodes: string | undefined): string | null {
  const v = nodes?.trim();
  if (!v) return null;
  const t = /^rediss?-cluster:\/\//.test(v) ? v : `redis-cluster://${v}`;
  parseTarget(t);
  return t;
}

const targets = new WeakMap<object, string>();

/**
 * Opens a Redis (or Redis Cluster, for a `redis-cluster://` target)
 * connection. Commands fail fast (no offline queue) and time out after
 * `commandTimeoutMs`, so a Redis outage or freeze turns into a clear
 * "temporarily unavailable" answer instead of requests piling up in memory.
 */
export function connectRedis(target: string, opts: ConnectOptions = {}): RedisClient {
  const failFast = opts.failFast ?? true;
  const t = parseTarget(target);
  const timeout = opts.commandTimeoutMs ?? COMMAND_TIMEOUT_MS;
  // On a single Redis, the commands issued in one event-loop turn (many messages at once under
  // load) go out in one write and come back in one read: ioredis auto-pipelining
  // (REDIS_AUTO_PIPELINE=off: one write each). Never on a Cluster: an auto-pipeline is grouped by
  // the slot map of the moment it was filled and loses MOVED/ASK redirection, so while slots move
  // (a master killed and failed over) whole batches fail ("same slots allocation group", MOVED).
  const autoPipeline = t.kind === 'single' && (opts.autoPipeline ?? process.env.REDIS_AUTO_PIPELINE !== 'off');
  const common = {
    maxRetriesPerRequest: failFast ? 1 : null,
    connectTimeout: 3000,
    ...(timeout > 0 ? { commandTimeout: timeout } : {}),
  };
  let client: RedisClient;
  if (t.kind === 'single') {
    client = new Redis(t.url, {
      ...common,
      lazyConnect: opts.lazy ?? false,
      enableOfflineQueue: !failFast,
      enableAutoPipelining: autoPipeline,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
  } else {
    client = new Cluster(t.nodes, {
      lazyConnect: opts.lazy ?? false,
      enableOfflineQueue: !failFast,
      enableAutoPipelining: autoPipeline,
      clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
      slotsRefreshTimeout: 2000,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      redisOptions: {
        ...common,
        ...(t.username ? { username: t.username } : {}),
        ...(t.password ? { password: t.password } : {}),
        ...(t.tls ? { tls: {} } : {}),
      },
    });
  }
  // Pipelines (auto-pipelines included) without ioredis's per-pipeline accessor: see lean-pipeline.ts.
  useLeanPipelines(client);
  targets.set(client, target);
  return client;
}

/** True for a Cluster client (no SELECT, FLUSHALL per master, keys spread over slots). */
export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}

/**
 * The target string a client was opened with (for code that needs its own
 * connections, e.g. BullMQ); rebuilt from the options for clients made elsewhere.
 */
export function targetOf(redis: RedisClient): string {
  const known = targets.get(redis);
  if (known) return known;
  if (isCluster(redis)) throw new Error('targetOf: a Cluster client not opened with connectRedis');
  const o = redis.options;
  const auth = o.password ? `${encodeURIComponent(o.username ?? '')}:${encodeURIComponent(o.password)}@` : '';
  return `${o.tls ? 'rediss' : 'redis'}://${auth}${o.host ?? '127.0.0.1'}:${o.port ?? 6379}/${o.db ?? 0}`;
}

/** Resolves once the connection (every slot of a cluster) is ready, or rejects after `timeoutMs`. */
export async function waitReady(redis: RedisClient, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  // Both clients emit 'ready' once usable (a Cluster after its slot map is loaded).
  const emitter = redis as unknown as NodeJS.EventEmitter;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => { cleanup(); reject(new Error('Redis not ready')); }, timeoutMs);
    const onReady = () => { cleanup(); resolve(); };
    const cleanup = () => { clearTimeout(t); emitter.off('ready', onReady); };
    emitter.on('ready', onReady);
    if (redis.status === 'wait') redis.connect().catch(() => undefined);
    if (redis.status === 'ready') onReady();
  });
}

/** True for errors that mean Redis itself is unreachable or failing (not a domain problem). */
export function isRedisError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const name = e.name ?? '';
  const msg = e.message ?? '';
  return (
    name === 'MaxRetriesPerRequestError' || name === 'ClusterAllFailedError' ||
    name === 'ReplyError' && /LOADING|MISCONF|READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN/.test(msg) ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|connect ETIMEDOUT|Redis not ready|enableOfflineQueue|Command timed out|Cluster isn't ready|Failed to refresh slots cache|None of startup nodes is available|Too many Cluster redirections/.test(msg)
  );
}
