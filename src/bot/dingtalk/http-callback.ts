import type { IncomingMessage as NodeRequest } from 'node:http';
import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { parseRobotMessage } from './payload.js';
import type { DingtalkIntake } from './processor.js';
import { verifyCallbackSignature } from './signature.js';
import { checkSignReplay, signGuard, type RememberOnce } from './replay.js';
import { exactRoute } from '../../http/exact-routes.js';

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
    req.once('end', () => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
    req.once('error', reject);
  });
}

/** Koa's own type for a JSON body, set up front so the body can be given as its text (no type lookup, no stringify). */
const JSON_TYPE = 'application/json; charset=utf-8';
const ANSWERS = {
  ok: '{}',
  stopping: JSON.stringify({ error: 'stopping' }),
  invalid: JSON.stringify({ error: 'invalid signature' }),
  tooLarge: JSON.stringify({ error: 'body too large' }),
  unreadable: JSON.stringify({ error: 'unreadable body' }),
  notRobot: JSON.stringify({ error: 'not a robot message' }),
  unavailable: JSON.stringify({ error: 'temporarily unavailable' }),
};

/** The same answer as `ctx.body = JSON.parse(json)`, without Koa working it out per request. */
function answer(ctx: ParameterizedContext, status: number, json: string): void {
  ctx.status = status;
  ctx.set('Content-Type', JSON_TYPE);
  ctx.body = json;
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
  exactRoute(router, 'POST', CALLBACK_PATH, async (ctx) => {
    if (o.isStopped?.()) {
      answer(ctx, 503, ANSWERS.stopping);
      return;
    }
    const timestamp = ctx.get('timestamp') || undefined;
    const sign = ctx.get('sign') || undefined;
    const verdict = verifyCallbackSignature(timestamp, sign, o.appSecret, o.clock.now().getTime());
    if (!verdict.ok) {
      o.logger.warn({ reason: verdict.reason, ip: ctx.ip }, 'dingtalk: callback rejected');
      answer(ctx, 401, ANSWERS.invalid);
      return;
    }
    let raw: string;
    try {
      raw = await readRawBody(ctx.req, max);
    } catch (err) {
      if (err instanceof BodyTooLarge) answer(ctx, 413, ANSWERS.tooLarge);
      else answer(ctx, 400, ANSWERS.unreadable);
      return;
    }
    const m = parseRobotMessage(raw);
    if (!m) {
      o.logger.warn({ bytes: raw.length }, 'dingtalk: callback body is not a robot message');
      answer(ctx, 400, ANSWERS.notRobot);
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
        answer(ctx, 503, ANSWERS.unavailable);
        return;
      }
      outcome = replay === 'replay' ? 'replay' : await o.intake.accept(m, 'http');
    }
    if (outcome === 'replay') {
      o.logger.warn({ reason: 'replayed_sign', ip: ctx.ip }, 'dingtalk: callback rejected');
      answer(ctx, 401, ANSWERS.invalid);
      return;
    }
    // Kept in Redis before DingTalk hears "200"; when it cannot be kept the sender is told
    // directly and DingTalk gets a 503 (it may retry; a kept copy is never applied twice).
    if (outcome === 'unavailable') {
      answer(ctx, 503, ANSWERS.unavailable);
      return;
    }
    // An empty JSON answer: the reply goes through the sessionWebhook, never in this response.
    answer(ctx, 200, ANSWERS.ok);
  });
}
