import type { Directory } from '../store/directory.js';
import type { ItemChanges } from '../store/item-changes.js';
import type { LedgerStore } from '../store/ledger-store.js';

/**
 * Storage as commands, reports, the schedule and the CLI reach it through
 * `Services`: named methods only, never a Redis client (the stores keep theirs
 * private). grammY-style: a handler is given what it may do, not the
 * connection it is done with, so a test or another store can stand in.
 */

/** Reading a ledger: items, codes, indexes, counters, the audit trail. */
export type LedgerReads = Pick<LedgerStore,
  | 'listLedgers' | 'getLedger' | 'getItem' | 'getItems' | 'getMeasures' | 'resolveAlias' | 'resolveAliases'
  | 'childIds' | 'counters' | 'countDue' | 'dueIds' | 'idsByStatus' | 'idsByDepartment' | 'departments'
  | 'idsByLeader' | 'search' | 'orderedIds' | 'loadDoc' | 'events' | 'recentEvents' | 'history'
  | 'departmentAliases' | 'current' | 'currentLedger' | 'progressFigures' | 'lookup' | 'dueMeasures' | 'listRead' | 'rankWhere' | 'indexSize' | 'chatSearch'>;

/** Whole-ledger writes (imports) and the current generation of a ledger. */
export type LedgerWrites = Pick<LedgerStore, 'saveDoc' | 'generation' | 'setDepartmentAliases'>;

export type LedgerPort = LedgerReads & LedgerWrites;

/** Changing one measure (guarded, idempotent by message id) and undoing one's own last change. */
export type ChangesPort = Pick<ItemChanges, 'apply' | 'applyByAlias' | 'undo'>;

/** Users and their roles, chat bindings, shared secrets and the office's problem log. */
export type DirectoryPort = Pick<Directory,
  | 'putUsers' | 'getUser' | 'removeUsers' | 'accountsByName' | 'listUsers' | 'bind' | 'unbind' | 'getBinding'
  | 'setSchedule' | 'listBindings' | 'sharedSecret' | 'reportProblem' | 'listProblems' | 'bindingAndUser'
  | 'privateLedger' | 'setPrivateLedger' | 'officeMembers'>;
