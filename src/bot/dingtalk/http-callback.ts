import type { IncomingMessage as NodeRequest } from 'node:http';
import type Router from '@koa/router';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { parseRobotMessage } from './payload.js';
import type { DingtalkIntake } from './processor.js';
import { verifyCallbackSignature } from './signature.js';
import { checkSignReplay, signGuard, type RememberOnce } from './replay.js';

/** Robot payloads are a few KB; richText with many parts stays far below this. */
export const MAX_BODY_BYTES = 256 * 1024;

export const CALLBACK_PATH = '/dingtalk/callback';

class BodyTooLarge extends Error {}

/** Reads the raw request body, refusing more than `max` bytes (there is no global body parser). */
export function readRawBody(req: NodeRequest, max: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.off('data', onData);
        req.resume(); // drain and drop the rest so the connection can answer 413
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

export interface HttpCallbackOptions {
  appSecret: string;
  clock: Clock;
  logger: Logger;
  intake: DingtalkIntake;
  /** Remembers accepted signs across instances (replay guard). */
  remember: RememberOnce;
  maxBodyBytes?: number;
  /** After stop() the route stays mounted; DingTalk gets a 503 and the message is not half-handled. */
  isStopped?: () => boolean;
}

/**
 * Mounts `POST /dingtalk/callback` for HTTP-mode robots
 * (https://open.dingtalk.com/document/orgapp/receive-message). The signature
 * headers are checked before the body is even read; a failure is a 401 that
 * changes nothing. A sign already accepted with another msgId is a replay:
 * 401, nothing kept. A good callback is persisted to the durable inbound queue
 * and then answered; the reply goes out later through the sessionWebhook.
 */
export function mountHttpCallback(router: Router, o: HttpCallbackOptions): void {
  const max = o.maxBodyBytes ?? MAX_BODY_BYTES;
  router.post(CALLBACK_PATH, async (ctx) => {
    if (o.isStopped?.()) {
      ctx.status = 503;
      ctx.body = { error: 'stopping' };
      return;
    }
    const timestamp = ctx.get('timestamp') || undefined;
    const sign = ctx.get('sign') || undefined;
    const verdict = verifyCallbackSignature(timestamp, sign, o.appSecret, o.clock.now().getTime());
    if (!verdict.ok) {
      o.logger.warn({ reason: verdict.reason, ip: ctx.ip }, 'dingtalk: callback rejected');
      ctx.status = 401;
      ctx.body = { error: 'invalid signature' };
      return;
    }
    let raw: string;
    try {
      raw = await readRawBody(ctx.req, max);
    } catch (err) {
      ctx.status = err instanceof BodyTooLarge ? 413 : 400;
      ctx.body = { error: err instanceof BodyTooLarge ? 'body too large' : 'unreadable body' };
      return;
    }
    const m = parseRobotMessage(raw);
    if (!m) {
      o.logger.warn({ bytes: raw.length }, 'dingtalk: callback body is not a robot message');
      ctx.status = 400;
      ctx.body = { error: 'not a robot message' };
      return;
    }
    // The sign covers only the timestamp: refuse a verified pair already used for another message.
    // A message that is kept has its sign checked and kept in the same step (ReplyRoute.guard);
    // one that is not (a type we only answer with a hint) has it checked first, on its own.
    const nowMs = o.clock.now().getTime();
    let outcome: Awaited<ReturnType<DingtalkIntake['accept']>>;
    if (o.intake.willKeep(m)) {
      outcome = await o.intake.accept(m, 'http', signGuard(timestamp!, sign!, m.msgId, nowMs));
    } else {
      const replay = await checkSignReplay(o.remember, timestamp!, sign!, m.msgId, nowMs).catch(() => null);
      if (replay === null) {
        o.logger.warn({ reason: 'replay_guard_unavailable' }, 'dingtalk: callback refused, its sign cannot be checked');
        ctx.status = 503;
        ctx.body = { error: 'temporarily unavailable' };
        return;
      }
      outcome = replay === 'replay' ? 'replay' : await o.intake.accept(m, 'http');
    }
    if (outcome === 'replay') {
      o.logger.warn({ reason: 'replayed_sign', ip: ctx.ip }, 'dingtalk: callback rejected');
      ctx.status = 401;
      ctx.body = { error: 'invalid signature' };
      return;
    }
    // Kept in Redis before DingTalk hears "200"; when it cannot be kept the sender is told
    // directly and DingTalk gets a 503 (it may retry; a kept copy is never applied twice).
    if (outcome === 'unavailable') {
      ctx.status = 503;
      ctx.body = { error: 'temporarily unavailable' };
      return;
    }
    // An empty JSON answer: the reply goes through the sessionWebhook, never in this response.
    ctx.status = 200;
    ctx.body = {};
  });
}
