import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The service logger. Secrets and ledger content are logged only at debug
 * level; redaction covers the usual secret-bearing keys as a second guard.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  const opts = {
    level,
    base: { service: 'rectify-bot' },
    redact: {
      paths: [
        'secret', '*.secret', 'appSecret', '*.appSecret', 'clientSecret', '*.clientSecret',
        'aesKey', '*.aesKey', 'encodingAesKey', '*.encodingAesKey', 'token', '*.token',
        'accessToken', '*.accessToken', 'webhookKey', '*.webhookKey', 'text', '*.text',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(opts, destination as never) : pino(opts);
}

/** A logger that discards everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
