import { MAX_SKEW_MS } from './signature.js';

/** Keeps a value under (scope, id) for ttlMs unless one is kept; returns the earlier value or null (AdapterContext.remember). */
export type RememberOnce = (scope: string, id: string, value: string, ttlMs: number) => Promise<string | null>;

/**
 * - `fresh`: first use of this sign;
 * - `retry`: the same sign with the same msgId (DingTalk resending one callback; dedupe handles it);
 * - `replay`: the same sign with another msgId: a captured header pair on a new body.
 */
export type ReplayVerdict = 'fresh' | 'retry' | 'replay';

/** Extra life for a remembered sign, covering clock differences between our instances. */
const MARGIN_MS = 5 * 60_000;

/**
 * DingTalk's HTTP-mode sign covers only the timestamp, so a captured
 * (timestamp, sign) pair verifies for up to an hour with any body. Each
 * accepted sign is therefore remembered, with the msgId it came with, until
 * its timestamp leaves the validity window. Call only after the signature
 * verified (the timestamp is then numeric and within MAX_SKEW_MS).
 */
export async function checkSignReplay(
  remember: RememberOnce, timestamp: string, sign: string, msgId: string, nowMs: number,
): Promise<ReplayVerdict> {
  const g = signGuard(timestamp, sign, msgId, nowMs);
  const prev = await remember(g.scope, g.id, g.value, g.ttlMs);
  if (prev === null) return 'fresh';
  return prev === msgId ? 'retry' : 'replay';
}

/** The same remembering as a message's guard (ReplyRoute.guard), checked and kept with its submit. */
export function signGuard(timestamp: string, sign: string, msgId: string, nowMs: number) {
  return { scope: 'dingtalk', id: sign, value: msgId, ttlMs: Number(timestamp) + MAX_SKEW_MS - nowMs + MARGIN_MS };
}
