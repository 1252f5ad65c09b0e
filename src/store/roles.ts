import type { Role, User } from './directory.js';

/**
 * A user's role on one ledger: admin → office everywhere; a per-ledger role
 * wins over the all-ledgers role. With no ledger (a chat not bound yet, where
 * only 绑定 runs) an office of any ledger counts as office, and 绑定 itself
 * then checks the ledger named (see mayBind).
 */
export function roleFor(user: User, ledgerId: string | null): Role {
  if (user.admin) return 'office';
  if (ledgerId !== null) return user.ledgers?.[ledgerId] ?? user.role;
  if (user.role === 'office' || Object.values(user.ledgers ?? {}).includes('office')) return 'office';
  return user.role;
}

/** Whether `user` may bind a chat to `ledgerId`: an admin, or the office of that ledger. */
export function mayBind(user: User | null, ledgerId: string): boolean {
  return !!user && (user.admin === true || roleFor(user, ledgerId) === 'office');
}

/** Ledgers (of `known`) the user may bind to: every one for an admin or an all-ledgers office. */
export function bindableLedgers(user: User | null, known: string[]): string[] {
  return user ? known.filter((L) => mayBind(user, L)) : [];
}

/** Whether `user` is registered as the office of `ledgerId` (for @-ing the office in reminders; an admin is not, by itself). */
export function isOfficeOf(user: User, ledgerId: string): boolean {
  return (user.ledgers?.[ledgerId] ?? user.role) === 'office' && !(user.admin && !user.ledgers?.[ledgerId]);
}
