import { z } from 'zod';
import { clusterTarget } from './store/redis.js';

/** Core service configuration; platform adapters validate their own keys. */
const fields = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * The Redis target every part connects to. After parsing it is a
   * `redis-cluster://` URL when REDIS_CLUSTER_NODES is set (which wins).
   */
  REDIS_URL: z.string().regex(/^rediss?(-cluster)?:\/\//, 'must be a redis://, rediss:// or redis-cluster:// URL').optional(),
  /** Seed nodes of a Redis Cluster: host:port,host:port,… (or a redis-cluster:// URL with credentials). */
  REDIS_CLUSTER_NODES: z.string().refine((v) => { try { return !!clusterTarget(v); } catch { return false; } },
    'must be host:port,host:port,… (or redis-cluster://[user:pass@]host:port,…)').optional(),
  PUBLIC_URL: z.string().url().optional(),
  DASHBOARD_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  DASHBOARD_LINK_DAYS: z.coerce.number().int().min(1).max(366).default(30),
  LOAD_DEMO: z.enum(['auto', 'never']).default('auto'),
  /** Honour X-Forwarded-For/-Proto/-Host: set to 1 only behind a reverse proxy you run. */
  TRUST_PROXY: z.enum(['0', '1'], { error: 'must be 0 or 1' }).default('0'),
  /** /metrics answers loopback only unless METRICS_PUBLIC=1 or METRICS_TOKEN (a bearer token) is set. */
  METRICS_PUBLIC: z.enum(['0', '1'], { error: 'must be 0 or 1' }).default('0'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Messages waiting in an inbound partition above which an HTTP callback's 200 is held (backpressure). */
  INBOUND_ADMIT_BACKLOG: z.coerce.number().int().min(1).max(5_000).default(4),
  /** Longest hold of one callback's 200 (ms); 0 never holds. */
  INBOUND_ADMIT_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(2_000),
  CONSOLE_WEB: z.enum(['local', 'off'], { error: 'must be local or off (the console page answers this machine only; reach it remotely through an SSH tunnel)' }).default('local'),
});

const schema = fields
  .refine((c) => c.REDIS_URL || c.REDIS_CLUSTER_NODES, { message: 'set REDIS_URL (one server) or REDIS_CLUSTER_NODES (a cluster)', path: ['REDIS_URL'] })
  .transform((c) => ({ ...c, REDIS_URL: clusterTarget(c.REDIS_CLUSTER_NODES) ?? c.REDIS_URL! }));

export type Config = z.infer<typeof schema>;

/** Parses the environment once; throws one error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const r = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return r.data;
}
