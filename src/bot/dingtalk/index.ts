import type { DWClientDownStream } from 'dingtalk-stream';
import type { AdapterHandle } from '../../core/ports.js';
import type { AdapterContext } from '../context.js';
import { parseDingtalkConfig, type DingtalkConfig } from './config.js';
import { mountHttpCallback } from './http-callback.js';
import { RobotApi } from './openapi.js';
import { parseRobotMessage } from './payload.js';
import { DingtalkIntake } from './processor.js';
import { Replier } from './replier.js';
import { DingtalkSender } from './sender.js';
import { StreamSupervisor, type SupervisorOptions } from './stream-supervisor.js';
import { AccessTokenSource } from './token.js';
import { CardApi } from './card-api.js';
import { DingtalkCards } from './cards.js';
import { DEFAULT_DINGTALK_DOWNLOAD_HOSTS, dingtalkFileFetcher } from './media.js';

export { parseDingtalkConfig, DingtalkConfigError } from './config.js';

/** Tuning knobs for tests and benchmarks; production uses the defaults. */
export interface DingtalkTuning {
  timeoutMs?: number;
  maxWaitMs?: number;
  /** Per HTTP call of a file download (default 10 s). */
  downloadTimeoutMs?: number;
  /** First retry delay of a failed download (default 200 ms). */
  retryDelayMs?: number;
  stream?: Pick<SupervisorOptions, 'baseDelayMs' | 'maxDelayMs' | 'idleMs' | 'stableMs' | 'random'>;
}

/** The running adapter; `idle()` and `supervisor` exist for tests and health checks. */
export interface DingtalkHandle extends AdapterHandle {
  config: DingtalkConfig;
  sender: DingtalkSender;
  supervisor: StreamSupervisor | null;
  /** Resolves when every direct notice (busy / unavailable) has gone out. */
  idle(): Promise<void>;
}

/**
 * Starts the DingTalk adapter according to DINGTALK_* config (stream | http | off).
 * Registers a ChatSender on ctx.senders whenever the config parses (custom-robot
 * webhooks work without app credentials), `POST /dingtalk/callback` on
 * ctx.router in http mode, and the Stream connection in stream mode. Returns
 * null when the mode is off. Throws DingtalkConfigError on bad settings.
 */
export async function startDingtalk(ctx: AdapterContext, tuning: DingtalkTuning = {}): Promise<DingtalkHandle | null> {
  const cfg = parseDingtalkConfig(ctx.env);
  const log = ctx.logger.child({ adapter: 'dingtalk' });
  const timeoutMs = tuning.timeoutMs ?? 10_000;
  const tokens =
    cfg.clientId && cfg.clientSecret
      ? new AccessTokenSource({ fetch: ctx.fetch, clock: ctx.clock, apiBase: cfg.apiBase, appKey: cfg.clientId, appSecret: cfg.clientSecret, timeoutMs })
      : null;
  const api = tokens && cfg.robotCode ? new RobotApi({ fetch: ctx.fetch, apiBase: cfg.apiBase, robotCode: cfg.robotCode, tokens, timeoutMs }) : null;
  const sender = new DingtalkSender({
    fetch: ctx.fetch,
    clock: ctx.clock,
    logger: log,
    rateLimiter: ctx.rateLimiter,
    reportProblem: (p) => ctx.reportProblem(p),
    api,
    robotCode: cfg.robotCode,
    oapiBase: cfg.oapiBase,
    lightStyle: cfg.lightStyle,
    timeoutMs,
    maxWaitMs: tuning.maxWaitMs ?? 5_000,
  });
  ctx.senders.register(sender);
  if (cfg.mode === 'off') {
    log.info('dingtalk: inbound off (DINGTALK_MODE=off or no credentials)');
    return null;
  }

  const replier = new Replier({ fetch: ctx.fetch, clock: ctx.clock, logger: log, api, sender, oapiBase: cfg.oapiBase, lightStyle: cfg.lightStyle, timeoutMs });
  // Approval cards need the card template, app credentials and the card state store; otherwise the text flow stays.
  const cards = cfg.cardTemplateId && tokens && cfg.robotCode && ctx.cards
    ? new DingtalkCards({ ctx, replier, logger: log, api: new CardApi({ fetch: ctx.fetch, apiBase: cfg.apiBase, robotCode: cfg.robotCode, templateId: cfg.cardTemplateId, tokens, timeoutMs }) })
    : null;
  // Pictures and files of messages are downloaded when applied (worker side), through the app's OpenAPI.
  if (ctx.files && tokens && cfg.robotCode) {
    ctx.files.register('dingtalk', dingtalkFileFetcher({
      fetch: ctx.fetch, apiBase: cfg.apiBase, tokens, robotCode: cfg.robotCode, allowHosts: cfg.downloadHosts ?? DEFAULT_DINGTALK_DOWNLOAD_HOSTS, timeoutMs: tuning.downloadTimeoutMs ?? 10_000,
      ...(tuning.retryDelayMs !== undefined ? { retryDelayMs: tuning.retryDelayMs } : {}),
    }));
  }
  // The office's 1:1 approval copies (outbox → sendDirect) become cards too.
  if (cards) sender.useDirectCards((to, reply) => cards.createDirect(to, reply));
  const intake = new DingtalkIntake({ inbound: ctx.inbound, replier, logger: log, ...(cards ? { deliver: cards.deliverer() } : {}) });
  let supervisor: StreamSupervisor | null = null;
  let stopped = false;

  if (cfg.mode === 'http') {
    if (!ctx.remember) throw new Error('DINGTALK_MODE=http needs AdapterContext.remember (the sign replay guard)');
    mountHttpCallback(ctx.router, { appSecret: cfg.clientSecret!, clock: ctx.clock, logger: log, intake, remember: ctx.remember, isStopped: () => stopped });
    log.info('dingtalk: http mode, callback at POST /dingtalk/callback');
  } else {
    const onRobotFrame = async (frame: DWClientDownStream): Promise<void> => {
      // Duplicates (redelivery, or one message on two connections) are caught by the inbound queue on msgId.
      const m = typeof frame.data === 'string' ? parseRobotMessage(frame.data) : null;
      if (!m) {
        log.warn({ frameId: frame.headers.messageId }, 'dingtalk: frame data is not a robot message');
        return;
      }
      await intake.accept(m, 'stream');
    };
    supervisor = new StreamSupervisor({
      clientId: cfg.clientId!,
      clientSecret: cfg.clientSecret!,
      gatewayUrl: cfg.gatewayUrl,
      fetch: ctx.fetch,
      logger: log,
      onRobotFrame,
      ...(cards ? { onCardFrame: (frame: DWClientDownStream) => cards.onFrame(frame) } : {}),
      onCredentialsRejected: (status) => {
        const message = `DingTalk refused DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET for Stream mode (HTTP ${status}): check the app's credentials and that Stream mode is enabled for its robot`;
        log.error({ status }, message);
        ctx.reportProblem({ platform: 'dingtalk', code: 'stream_credentials', message }).catch(() => {});
      },
      timeoutMs,
      ...tuning.stream,
    });
    supervisor.start();
  }

  return {
    config: cfg,
    sender,
    supervisor,
    idle: () => intake.idle(),
    async stop() {
      stopped = true;
      supervisor?.stop();
      await intake.idle();
    },
  };
}
