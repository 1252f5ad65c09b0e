import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed dashboard links: a link opens one ledger's dashboard, with one role's
 * view, until it expires, without a login. sig = base64url(HMAC-SHA256(secret,
 * "v2\n<ledgerId>\n<role>\n<expiresAtEpochSeconds>")); the newline cannot
 * occur in a query value we accept, so no two (ledger, role, exp) share a
 * message. Links made before roles ("<ledgerId>.<exp>", no role parameter)
 * still open, as viewer. Pure; the clock is passed in.
 */
export const LINK_ROLES = ['viewer', 'supervisor', 'office'] as const;
export type LinkRole = (typeof LINK_ROLES)[number];

export function isLinkRole(x: unknown): x is LinkRole {
  return typeof x === 'string' && (LINK_ROLES as readonly string[]).includes(x);
}

/** Signature of a link to `ledgerId` for `role` until `expiresAt` (epoch seconds). */
export function signLink(secret: string, ledgerId: string, expiresAt: number, role?: LinkRole): string {
  const msg = role ? `v2\n${ledgerId}\n${role}\n${expiresAt}` : `${ledgerId}.${expiresAt}`;
  return createHmac('sha256', secret).update(msg).digest('base64url');
}

export type LinkCheck = 'ok' | 'bad_signature' | 'expired' | 'malformed';

/** What a link's query carries. */
export interface LinkQuery { ledger?: string; role?: string; exp?: string; sig?: string }

/** A verified link: the ledger and role it opens. */
export interface LinkScope { ledger: string; role: LinkRole; exp: number; sig: string }

/**
 * Checks a link's query: well-formed, signature (constant time) and expiry,
 * in that order. On 'ok' the scope is the ledger and role that were signed.
 */
export function checkLink(secret: string, q: LinkQuery, nowSeconds: number): { check: 'ok'; scope: LinkScope } | { check: Exclude<LinkCheck, 'ok'> } {
  if (!q.ledger || !q.exp || !q.sig || !/^\d{1,12}$/.test(q.exp) || !/^[\w-]{43}$/.test(q.sig)) return { check: 'malformed' };
  if (/[\n\r]/.test(q.ledger) || q.ledger.length > 200) return { check: 'malformed' };
  if (q.role !== undefined && !isLinkRole(q.role)) return { check: 'malformed' };
  const role = q.role as LinkRole | undefined;
  const want = Buffer.from(signLink(secret, q.ledger, Number(q.exp), role));
  const got = Buffer.from(q.sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { check: 'bad_signature' };
  if (Number(q.exp) < nowSeconds) return { check: 'expired' };
  return { check: 'ok', scope: { ledger: q.ledger, role: role ?? 'viewer', exp: Number(q.exp), sig: q.sig } };
}

/** {@link checkLink} without the scope. */
export function verifyLink(secret: string, q: LinkQuery, nowSeconds: number): LinkCheck {
  return checkLink(secret, q, nowSeconds).check;
}

/** The query parameters of a signed link, in the order the link prints them. */
export function linkParams(secret: string, ledgerId: string, expiresAt: number, role: LinkRole = 'viewer'): URLSearchParams {
  return new URLSearchParams({ ledger: ledgerId, role, exp: String(expiresAt), sig: signLink(secret, ledgerId, expiresAt, role) });
}

/** `${publicUrl}/dashboard?ledger=…&role=…&exp=…&sig=…` */
export function dashboardLink(publicUrl: string, secret: string, ledgerId: string, expiresAt: number, role: LinkRole = 'viewer'): string {
  return `${publicUrl.replace(/\/+$/, '')}/dashboard?${linkParams(secret, ledgerId, expiresAt, role)}`;
}
