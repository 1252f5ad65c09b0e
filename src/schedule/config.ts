import { z } from 'zod';
import { compileCron } from './cron.js';

const int = (min: number, max: number, dflt: number) => z.coerce.number().int().min(min).max(max).default(dflt);

/** Scheduler configuration (RECTIFY_* variables), parsed once at start. */
const schema = z.object({
  /** `off` starts no scheduler and no delivery worker in this process. */
  RECTIFY_SCHEDULER: z.enum(['on', 'off']).default('on'),
  /** `off` runs the scheduler without a delivery worker (another process sends). */
  RECTIFY_DELIVERY: z.enum(['on', 'off']).default('on'),
  /** A slot missed while every instance was down is still sent within this many hours. */
  RECTIFY_GRACE_HOURS: z.coerce.number().min(0).max(168).default(6),
  /** When reminder runs happen (Asia/Shanghai): weekdays 09:30 by default. */
  RECTIFY_REMINDER_CRON: z.string().default('0 30 9 * * 1-5')
    .refine((v) => !('error' in compileCron(v)), 'must be a cron expression (5 or 6 fields)'),
  /** DingTalk and WeCom robots accept 20 messages a minute. */
  RECTIFY_ROBOT_PER_MINUTE: int(1, 600, 20),
  RECTIFY_ROBOT_WINDOW_MS: int(100, 3_600_000, 60_000),
  RECTIFY_SEND_TIMEOUT_MS: int(100, 600_000, 60_000),
  RECTIFY_SEND_ATTEMPTS: int(1, 50, 6),
  RECTIFY_RETRY_BASE_MS: int(10, 3_600_000, 5_000),
  /** BullMQ job lock: a job whose process died is handed to another worker after this. */
  RECTIFY_LOCK_MS: int(500, 600_000, 30_000),
  RECTIFY_WORKER_CONCURRENCY: int(1, 200, 8),
  /** How often each instance re-reads the subscribed chats from Redis. */
  RECTIFY_REFRESH_MS: int(100, 600_000, 15_000),
});

export interface ScheduleConfig {
  enabled: boolean;
  delivery: boolean;
  graceMs: number;
  reminderCron: string;
  robotLimit: number;
  robotWindowMs: number;
  sendTimeoutMs: number;
  attempts: number;
  retryBaseMs: number;
  lockMs: number;
  concurrency: number;
  refreshMs: number;
}

/** Parses RECTIFY_* from `env`; throws one error naming every bad variable. */
export function loadScheduleConfig(env: NodeJS.ProcessEnv): ScheduleConfig {
  const r = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([key, v]) => key.startsWith('RECTIFY_') && v !== '')));
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid scheduler configuration:\n${lines.join('\n')}`);
  }
  const v = r.data;
  return {
    enabled: v.RECTIFY_SCHEDULER === 'on',
    delivery: v.RECTIFY_DELIVERY === 'on',
    graceMs: v.RECTIFY_GRACE_HOURS * 3600_000,
    reminderCron: v.RECTIFY_REMINDER_CRON,
    robotLimit: v.RECTIFY_ROBOT_PER_MINUTE,
    robotWindowMs: v.RECTIFY_ROBOT_WINDOW_MS,
    sendTimeoutMs: v.RECTIFY_SEND_TIMEOUT_MS,
    attempts: v.RECTIFY_SEND_ATTEMPTS,
    retryBaseMs: v.RECTIFY_RETRY_BASE_MS,
    lockMs: v.RECTIFY_LOCK_MS,
    concurrency: v.RECTIFY_WORKER_CONCURRENCY,
    refreshMs: v.RECTIFY_REFRESH_MS,
  };
}

/** Defaults, for tests and the CLI. */
export function defaultScheduleConfig(over: Partial<ScheduleConfig> = {}): ScheduleConfig {
  return { ...loadScheduleConfig({}), ...over };
}
