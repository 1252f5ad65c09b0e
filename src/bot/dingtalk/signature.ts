import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** DingTalk accepts a signed timestamp within one hour of its own clock (both directions). */
export const MAX_SKEW_MS = 3_600_000;

/** base64( HMAC-SHA256(key = secret, msg = timestamp + "\n" + secret) ) — the one formula both directions use. */
export function dingtalkSign(timestamp: string, secret: string): string {
  return createHmac('sha256', keyOf(secret)).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** The HMAC key of the last secret used (an app has one): prepared once instead of on every sign. */
let lastKey: { secret: string; key: KeyObject } | null = null;
function keyOf(secret: string): KeyObject {
  if (lastKey?.secret !== secret) lastKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return lastKey.key;
}

export type SignatureVerdict =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed_timestamp' | 'stale' | 'bad_sign' };

/**
 * Verifies an HTTP-mode robot callback's `timestamp` + `sign` headers
 * (https://open.dingtalk.com/document/orgapp/receive-message). Pure: the
 * clock is passed in. The header value is compared as sent (no URL decoding)
 * and in constant time. The sign covers only the timestamp, not the body.
 */
export function verifyCallbackSignature(
  timestamp: string | undefined,
  sign: string | undefined,
  appSecret: string,
  nowMs: number,
): SignatureVerdict {
  if (!timestamp || !sign) return { ok: false, reason: 'missing' };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'malformed_timestamp' };
  if (Math.abs(nowMs - Number(timestamp)) > MAX_SKEW_MS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(dingtalkSign(timestamp, appSecret), 'utf8');
  const given = Buffer.from(sign, 'utf8');
  // Length check first: timingSafeEqual throws on unequal lengths, and the length of a base64 HMAC is public anyway.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_sign' };
  return { ok: true };
}

/**
 * Builds the 加签 query for a custom group robot webhook
 * (https://open.dingtalk.com/document/robots/customize-robot-security-settings):
 * `timestamp=<ms>&sign=<urlencoded base64 HMAC>`. Rebuilt for every send.
 */
export function customRobotSignQuery(secret: string, nowMs: number): string {
  const ts = String(nowMs);
  return `timestamp=${ts}&sign=${encodeURIComponent(dingtalkSign(ts, secret))}`;
}
