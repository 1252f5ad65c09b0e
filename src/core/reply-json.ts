import type { Reply } from './message.js';

/**
 * The JSON of an answer as the inbound queue stores it (the idempotency record keeps the answer a
 * platform retry gets), without serialising a remembered answer again for every message: the
 * pipeline's `{ ...answer, outcome }` of a frozen (remembered) answer is that answer's JSON, kept
 * once, with the outcome put after it, which is what JSON.stringify gives for such a spread.
 */
const frozenJson = new WeakMap<Reply, string>();
/** The frozen answer a reply was spread from, with only `outcome` added (see annotate). */
const spreadFrom = new WeakMap<object, Reply>();

/** Tells replyJson that `out` is `{ ...base, outcome }` (only a frozen base is remembered). */
export function spreadWithOutcome(out: Reply, base: Reply): void {
  if (Object.isFrozen(base) && !('outcome' in base)) spreadFrom.set(out, base);
}

/** JSON.stringify(reply), the same text. */
export function replyJson(reply: unknown): string | undefined {
  const base = reply && typeof reply === 'object' ? spreadFrom.get(reply) : undefined;
  const outcome = (reply as Reply | undefined)?.outcome;
  // Only while it is still exactly the spread: the base's keys and outcome, nothing added since.
  if (!base || outcome === undefined || Object.keys(reply as object).length !== Object.keys(base).length + 1) return JSON.stringify(reply);
  let json = frozenJson.get(base);
  if (json === undefined) frozenJson.set(base, (json = JSON.stringify(base)));
  return `${json.slice(0, -1)},"outcome":${JSON.stringify(outcome)}}`;
}

/** JSON.stringify({ s: 'done', reply, at }), the same text (the reply through replyJson). */
export function doneRecordJson(reply: unknown, at: number): string {
  if (reply === undefined) return JSON.stringify({ s: 'done', reply, at });
  return `{"s":"done","reply":${replyJson(reply)},"at":${JSON.stringify(at)}}`;
}
