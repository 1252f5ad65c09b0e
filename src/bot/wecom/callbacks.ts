import { lazyChild } from '../../core/logger.js';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { answerMessage, type AnswerDeps } from './answer.js';
import { answerCardEvent } from './cards.js';
import { Rejection, readRawBody } from './body.js';
import { WecomCryptoError, decrypt, verifySignature } from './crypto.js';
import { envelopeCiphertext, parseDecrypted } from './inbound.js';

/**
 * WeCom callback routes. URL verification:
 * https://developer.work.weixin.qq.com/document/path/90930 (apps),
 * https://developer.work.weixin.qq.com/document/path/101033 (AI bot).
 *
 * `/wecom/callback` serves the AI bot and, told apart by the decrypted body,
 * a self-built app; `/wecom/app/callback` serves the app alone. Every request is
 * verified before anything is parsed past the outer envelope; a refused one
 * gets a 4xx, reaches nothing, and is logged by reason code only.
 */
export function registerCallbackRoutes(router: Router, d: AnswerDeps): void {
  const aibotIds = ['', ...(d.config.botId ? [d.config.botId] : [])];
  const appIds = d.config.corpId ? [d.config.corpId] : [];
  const all = { aibot: aibotIds, app: appIds };
  const appOnly = { aibot: [], app: appIds };

  router.get('/wecom/callback', (c) => guard(d, c, () => verifyUrl(d, c, [...aibotIds, ...appIds])));
  router.post('/wecom/callback', (c) => guard(d, c, () => receive(d, c, all)));
  if (appIds.length) {
    router.get('/wecom/app/callback', (c) => guard(d, c, () => verifyUrl(d, c, appIds)));
    router.post('/wecom/app/callback', (c) => guard(d, c, () => receive(d, c, appOnly)));
  }
}

interface SignedQuery {
  signature: string;
  timestamp: string;
  nonce: string;
}

async function guard(d: AnswerDeps, c: Context, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    const r = e instanceof Rejection ? e
      : e instanceof WecomCryptoError ? new Rejection(e.status, `crypto_${e.reason}`)
        : null;
    if (!r) {
      // Redis or the core failed: 503 so WeCom retries; the dedupe makes the retry safe.
      d.ctx.logger.error({ platform: 'wecom', path: c.path, err: (e as Error).message }, 'wecom callback failed');
      c.status = 503;
      c.body = '';
      return;
    }
    d.ctx.logger.warn({ platform: 'wecom', path: c.path, method: c.method, status: r.status, reason: r.reason }, 'wecom callback rejected');
    c.status = r.status;
    c.body = '';
  }
}

function one(c: Context, name: string): string {
  const v = c.query[name];
  if (typeof v !== 'string' || !v) throw new Rejection(name === 'msg_signature' ? 401 : 400, `missing_${name}`);
  return v;
}

/** Reads and checks the signed query (not yet the signature itself). */
function signedQuery(d: AnswerDeps, c: Context): SignedQuery {
  const q = { signature: one(c, 'msg_signature'), timestamp: one(c, 'timestamp'), nonce: one(c, 'nonce') };
  if (!/^[0-9a-fA-F]{40}$/.test(q.signature)) throw new Rejection(401, 'bad_signature_format');
  if (!/^\d{1,12}$/.test(q.timestamp) || q.nonce.length > 64) throw new Rejection(400, 'bad_query');
  return q;
}

/** Base64 has no spaces: a raw `+` that a query parser turned into one is put back. */
const unspace = (s: string) => s.replace(/ /g, '+');

/** Verifies, then rejects stale timestamps (replays of old, validly signed requests). */
function open(d: AnswerDeps, q: SignedQuery, encrypted: string): { message: string; receiveId: string } {
  if (!verifySignature(d.keys.token, q.timestamp, q.nonce, encrypted, q.signature)) throw new Rejection(401, 'signature');
  const skew = Math.abs(d.ctx.clock.now().getTime() / 1000 - Number(q.timestamp));
  if (skew > d.config.maxSkewSeconds) throw new Rejection(401, 'stale_timestamp');
  return decrypt(d.keys.aesKey, encrypted);
}

async function verifyUrl(d: AnswerDeps, c: Context, accepted: string[]): Promise<void> {
  const q = signedQuery(d, c);
  const echostr = unspace(one(c, 'echostr'));
  const { message, receiveId } = open(d, q, echostr);
  if (!accepted.includes(receiveId)) throw new Rejection(401, 'receiveid');
  d.ctx.logger.info({ platform: 'wecom', path: c.path }, 'wecom URL verified');
  // The bare plaintext: no quotes, no BOM, no newline (D/101033).
  c.status = 200;
  c.type = 'text/plain';
  c.body = message;
}

async function receive(d: AnswerDeps, c: Context, accepted: { aibot: string[]; app: string[] }): Promise<void> {
  const q = signedQuery(d, c);
  const raw = await readRawBody(c.req, d.config.maxBodyBytes);
  const { encrypt } = envelopeCiphertext(raw);
  const { message, receiveId } = open(d, q, encrypt);
  if (!accepted.aibot.includes(receiveId) && !accepted.app.includes(receiveId)) throw new Rejection(401, 'receiveid');
  const inbound = parseDecrypted(message);
  // The receiveid must match the kind of sender: "" (or the bot id) for the AI bot, the corp id for the app.
  if (!accepted[inbound.source].includes(receiveId)) throw new Rejection(401, 'receiveid_for_source');
  const log = lazyChild(d.ctx.logger, () => (inbound.kind === 'app-card' ? { platform: 'wecom', source: inbound.source, taskId: inbound.taskId }
    : inbound.kind !== 'other' ? { platform: 'wecom', source: inbound.source, msgId: inbound.msgId, chatId: inbound.chatId }
      : { platform: 'wecom', source: inbound.source }));
  if (inbound.kind === 'app-card') {
    // Kept in the inbound queue (or answered at once) before WeCom hears the empty 200; the card is updated by API.
    if (d.appCards) await d.appCards.onClick(inbound, log);
    else log.info('app card click without app cards configured: acknowledged');
    c.status = 200;
    c.body = '';
    return;
  }
  if (inbound.kind === 'other') {
    log.info({ what: inbound.what }, 'wecom callback acknowledged without processing');
    c.status = 200;
    c.body = '';
    return;
  }
  const started = Date.now();
  const a = inbound.kind === 'card' ? await answerCardEvent(d, inbound, q.nonce, log) : await answerMessage(d, inbound, q.nonce, log);
  log.info({ ms: Date.now() - started, passive: a.body !== '' }, 'wecom callback answered');
  c.status = 200;
  if (a.type) c.type = a.type;
  c.body = a.body;
}
