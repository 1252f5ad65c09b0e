import { createHash } from 'node:crypto';
import type { RateLimiter } from '../../core/ports.js';
import { SendError } from '../../core/sender.js';

/**
 * Our side of WeCom's send limits, counted in the shared Redis limiter so that
 * every instance together stays under them:
 * - group robot: 20 messages a minute per robot
 *   (https://developer.work.weixin.qq.com/document/path/91770);
 * - app message/send: 30 a minute per member per app
 *   (https://developer.work.weixin.qq.com/document/path/90236).
 */
export const ROBOT_PER_MINUTE = 20;
export const APP_PER_MEMBER_PER_MINUTE = 30;
const WINDOW_MS = 60_000;

/** A short, stable, non-reversible name for a credential used as a limiter key. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/**
 * Takes `count` send slots on `key`, waiting up to `maxWaitMs` in total; past
 * that, throws SendError('rate_limited') with the time still to wait, so the
 * delivery queue backs off instead of this process sleeping for a minute.
 * Slots for a multi-part message are all taken before the first part goes out,
 * so a digest is not cut in half by our own limiter.
 */
export async function takeSlots(
  limiter: RateLimiter, key: string, limit: number, count: number, maxWaitMs: number,
  sleep: (ms: number) => Promise<void>, windowMs = WINDOW_MS,
): Promise<void> {
  if (count > limit) {
    throw new SendError('fatal', 'too_many_parts', `message needs ${count} parts, over the ${limit}/min limit`);
  }
  let waited = 0;
  for (let taken = 0; taken < count;) {
    const wait = await limiter.take(key, limit, windowMs);
    if (wait === 0) {
      taken++;
      continue;
    }
    if (waited + wait > maxWaitMs) {
      throw new SendError('rate_limited', 'local_limit', `send limit of ${limit}/min reached`, wait);
    }
    await sleep(wait);
    waited += wait;
  }
}

/** Default sleeper. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
