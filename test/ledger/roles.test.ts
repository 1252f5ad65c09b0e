import { describe, expect, it } from 'vitest';
import type { User } from '../../src/ledger/roles.js';
import { bindableLedgers, isOfficeOf, mayBind, roleFor } from '../../src/ledger/roles.js';

const u = (over: Partial<User>): User => ({ platform: 'console', userId: 'x', name: '某人', department: '', role: 'viewer', ...over });
const clerkA = u({ ledgers: { A: 'office', B: 'owner' } });
const globalOffice = u({ role: 'office', ledgers: { C: 'viewer' } });
const admin = u({ role: 'office', admin: true });
const leader = u({ role: 'leader' });

describe('per-ledger roles (pure)', () => {
  it.each<[string, User, string | null, string]>([
    ['clerk on A', clerkA, 'A', 'office'],
    ['clerk on B', clerkA, 'B', 'owner'],
    ['clerk on another ledger', clerkA, 'Z', 'viewer'],
    ['clerk in an unbound chat (only 绑定 runs there)', clerkA, null, 'office'],
    ['global office on A', globalOffice, 'A', 'office'],
    ['global office overridden on C', globalOffice, 'C', 'viewer'],
    ['admin anywhere', admin, 'Z', 'office'],
    ['all-ledgers leader', leader, 'A', 'leader'],
    ['all-ledgers leader, unbound', leader, null, 'leader'],
  ])('%s → %s', (_w, user, L, role) => expect(roleFor(user, L)).toBe(role));

  it('binding: the office of that ledger or an admin; never a stranger', () => {
    expect([mayBind(clerkA, 'A'), mayBind(clerkA, 'B'), mayBind(clerkA, 'Z')]).toEqual([true, false, false]);
    expect([mayBind(globalOffice, 'A'), mayBind(globalOffice, 'C')]).toEqual([true, false]);
    expect([mayBind(admin, 'Z'), mayBind(null, 'A'), mayBind(leader, 'A')]).toEqual([true, false, false]);
    expect(bindableLedgers(clerkA, ['A', 'B', 'C'])).toEqual(['A']);
    expect(bindableLedgers(null, ['A'])).toEqual([]);
  });

  it('the office @-ed in reminders is the office of that ledger; an admin only with an explicit role there', () => {
    expect([isOfficeOf(clerkA, 'A'), isOfficeOf(clerkA, 'B')]).toEqual([true, false]);
    expect([isOfficeOf(globalOffice, 'A'), isOfficeOf(globalOffice, 'C')]).toEqual([true, false]);
    expect([isOfficeOf(admin, 'A'), isOfficeOf(u({ role: 'office', admin: true, ledgers: { A: 'office' } }), 'A')]).toEqual([false, true]);
  });
});
