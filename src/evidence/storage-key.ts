/**
 * Storage keys: `<ledger>/<item>/<token>.<ext>`, each segment from a small
 * safe alphabet (other characters are percent-encoded), so a key can never
 * climb out of the evidence directory or bucket prefix.
 */
import { randomBytes } from 'node:crypto';

const SAFE_SEGMENT = /^[A-Za-z0-9%_-][A-Za-z0-9%._-]{0,199}$/;

/** One path segment from any string: safe characters kept, the rest percent-encoded ("." alone never). */
export function keySegment(s: string): string {
  const enc = [...s].map((c) => (/[A-Za-z0-9._-]/.test(c) ? c : encodeURIComponent(c).replace(/[!'()*~]/g, (x) => `%${x.charCodeAt(0).toString(16).toUpperCase()}`))).join('');
  return enc.replace(/^\./, '%2E');
}

/** A fresh key for a file of `ledgerId`'s item `itemId`. */
export function newEvidenceKey(ledgerId: string, itemId: string, ext: string): string {
  return `${keySegment(ledgerId)}/${keySegment(itemId)}/${randomBytes(12).toString('hex')}.${ext.replace(/[^a-z0-9]/g, '')}`;
}

/** True when every segment is safe (no "..", no absolute path, no backslash). */
export function isSafeKey(key: string): boolean {
  const parts = key.split('/');
  return parts.length >= 1 && parts.length <= 8 && parts.every((p) => SAFE_SEGMENT.test(p) && p !== '.' && p !== '..');
}

/** Throws on an unsafe key (a bug or a tampered record: never touch the file system with it). */
export function assertSafeKey(key: string): void {
  if (!isSafeKey(key)) throw new Error('unsafe evidence storage key');
}
