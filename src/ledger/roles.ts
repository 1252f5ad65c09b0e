import type { Platform } from '../core/message.js';

export const ROLES = ['office', 'leader', 'owner', 'supervisor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A directory entry. Roles are per ledger: `ledgers` maps a ledger id to the
 * user's role there; `role` applies to every other ledger (directory rows
 * with an empty ledger column, as before per-ledger roles). `admin` is the
 * global administrator: office on every ledger, may bind a chat to any.
 */
export interface User {
  platform: Platform;
  userId: string;
  name: string;
  department: string;
  role: Role;
  ledgers?: Record<string, Role>;
  admin?: boolean;
}


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
