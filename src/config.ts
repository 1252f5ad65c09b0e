import { z } from 'zod';

/** Core service configuration; platform adapters validate their own keys. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  PUBLIC_URL: z.string().url().optional(),
  DASHBOARD_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  DASHBOARD_LINK_DAYS: z.coerce.number().int().min(1).max(366).default(30),
  LOAD_DEMO: z.enum(['auto', 'never']).default('auto'),
  /** Honour X-Forwarded-For/-Proto/-Host: set to 1 only behind a reverse proxy you run. */
  TRUST_PROXY: z.enum(['0', '1'], { error: 'must be 0 or 1' }).default('0'),
  /** /metrics answers loopback only unless METRICS_PUBLIC=1 or METRICS_TOKEN (a bearer token) is set. */
  METRICS_PUBLIC: z.enum(['0', '1'], { error: 'must be 0 or 1' }).default('0'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CONSOLE_WEB: z.enum(['local', 'off'], { error: 'must be local or off (the console page answers this machine only; reach it remotely through an SSH tunnel)' }).default('local'),
});

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
