import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed dashboard links: the digest carries a link that opens one ledger's
 * dashboard until it expires, without a login. sig = base64url(HMAC-SHA256(
 * secret, "<ledgerId>.<expiresAtEpochSeconds>")). Pure; the clock is passed in.
 */
export function signLink(secret: string, ledgerId: string, expiresAt: number): string {
  return createHmac('sha256', secret).update(`${ledgerId}.${expiresAt}`).digest('base64url');
}

export type LinkCheck = 'ok' | 'bad_signature' | 'expired' | 'malformed';

export function verifyLink(secret: string, q: { ledger?: string; exp?: string; sig?: string }, nowSeconds: number): LinkCheck {
  if (!q.ledger || !q.exp || !q.sig || !/^\d{1,12}$/.test(q.exp) || !/^[\w-]{43}$/.test(q.sig)) return 'malformed';
  const want = Buffer.from(signLink(secret, q.ledger, Number(q.exp)));
  const got = Buffer.from(q.sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'bad_signature';
  return Number(q.exp) < nowSeconds ? 'expired' : 'ok';
}

/** `${publicUrl}/dashboard?ledger=…&exp=…&sig=…` */
export function dashboardLink(publicUrl: string, secret: string, ledgerId: string, expiresAt: number): string {
  const q = new URLSearchParams({ ledger: ledgerId, exp: String(expiresAt), sig: signLink(secret, ledgerId, expiresAt) });
  return `${publicUrl.replace(/\/+$/, '')}/dashboard?${q}`;
}
