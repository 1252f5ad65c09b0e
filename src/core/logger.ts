import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Keys whose values are secrets or carry credentials (webhook tokens, AES
 * keys, one-shot reply URLs), at the top level and up to two levels down
 * (a binding's `channel`, a config object, an env snapshot).
 */
const SECRET_KEYS = [
  'secret', 'appSecret', 'clientSecret', 'aesKey', 'encodingAesKey', 'token', 'accessToken', 'access_token',
  'webhookKey', 'webhookToken', 'webhookSecret', 'sessionWebhook', 'responseUrl', 'response_url', 'webhook', 'authorization',
  'DINGTALK_CLIENT_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY', 'WECOM_SECRET', 'DASHBOARD_SECRET', 'METRICS_TOKEN',
];
/** Ledger content: only at debug level, and even then redacted from structured fields. */
const CONTENT_KEYS = ['text'];

/** Reply URLs also sit three levels down in queued reply routes (`{ job: { route: { data: { sessionWebhook } } } }`). */
const DEEP_KEYS = ['sessionWebhook', 'responseUrl', 'response_url', 'webhookKey', 'webhookToken', 'webhookSecret'];

const REDACT_PATHS = [
  ...[...SECRET_KEYS, ...CONTENT_KEYS].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  ...DEEP_KEYS.map((key) => `*.*.*.${key}`),
];

/** Redis echoes command arguments in some error texts ("… with args beginning with: 'x'"); cut them off. */
function scrubText(s: string): string {
  return s.replace(/(with args beginning with:).*$/gm, '$1 [redacted]');
}

/** Own fields of an error worth keeping: codes and kinds, never payloads. */
const KEEP = ['code', 'kind', 'status', 'statusCode', 'errno', 'syscall', 'retryAfterMs', 'reason'] as const;

/**
 * The `err` serializer. Unlike pino's standard one it copies no arbitrary
 * fields: an ioredis ReplyError carries `command: { name, args }` (keys and
 * values, i.e. ledger content or secrets), and pipeline errors carry
 * `previousErrors`. Only the command name survives.
 */
export function serializeError(e: unknown, depth = 0): unknown {
  if (typeof e === 'string') return scrubText(e);
  if (!(e instanceof Error)) return e;
  const out: Record<string, unknown> = { type: e.constructor?.name || e.name, message: scrubText(e.message) };
  if (e.stack) out.stack = scrubText(e.stack);
  const any = e as unknown as Record<string, unknown>;
  for (const key of KEEP) {
    const v = any[key];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
  }
  const command = any.command as { name?: unknown } | undefined;
  if (command && typeof command.name === 'string') out.command = command.name;
  if (depth < 3 && e.cause !== undefined) out.cause = serializeError(e.cause, depth + 1);
  if (depth < 3 && e instanceof AggregateError) out.errors = e.errors.slice(0, 5).map((x) => serializeError(x, depth + 1));
  return out;
}

/**
 * The service logger. Secrets and ledger content are logged only at debug
 * level; redaction of secret-bearing keys and the `err` serializer are a
 * second guard.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  const opts = {
    level,
    base: { service: 'rectify-bot' },
    serializers: { err: (e: unknown) => serializeError(e), error: (e: unknown) => serializeError(e) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(opts, destination as never) : pino(opts);
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

/**
 * `logger.child(bindings())`, made only when something is logged at an enabled level
 * (a child logger per message shows in profiles, and most messages log nothing).
 */
export function lazyChild(logger: Logger, bindings: () => Record<string, unknown>): Logger {
  let child: Logger | null = null;
  const get = () => (child ??= logger.child(bindings()));
  const noop = () => undefined;
  return new Proxy(logger, {
    get(_t, prop) {
      if (typeof prop === 'string' && LEVELS.has(prop) && !logger.isLevelEnabled(prop)) return noop;
      const c = get();
      const v = Reflect.get(c, prop, c) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(c) : v;
    },
  });
}

/** A logger that discards everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
