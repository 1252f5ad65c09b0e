/**
 * Key layout. Every key of one ledger carries the hash tag {ledgerId}, so a
 * ledger lives in one Redis Cluster slot and multi-key updates stay atomic.
 * The directory (users, names, bindings, problems, the ledger list) shares
 * the tag {dir}, so a MULTI over users or bindings is one slot too. A step
 * that touches both (a binding and a ledger's `chats` set) is two steps,
 * with the binding as the truth (see Directory.bind).
 */
const DIR = 'rb:{dir}';

export const k = {
  ledgers: () => `${DIR}:ledgers`,
  meta: (L: string) => `rb:{${L}}:meta`,
  item: (L: string, id: string) => `rb:{${L}}:i:${id}`,
  order: (L: string) => `rb:{${L}}:order`,
  codes: (L: string) => `rb:{${L}}:codes`,
  counters: (L: string) => `rb:{${L}}:cnt`,
  due: (L: string) => `rb:{${L}}:due`,
  byStatus: (L: string, status: string) => `rb:{${L}}:st:${status}`,
  dept: (L: string, name: string) => `rb:{${L}}:dept:${name}`,
  depts: (L: string) => `rb:{${L}}:depts`,
  leader: (L: string, name: string) => `rb:{${L}}:leader:${name}`,
  owner: (L: string, name: string) => `rb:{${L}}:owner:${name}`,
  people: (L: string) => `rb:{${L}}:people`,
  gram: (L: string, g: string) => `rb:{${L}}:g:${g}`,
  audit: (L: string) => `rb:{${L}}:audit`,
  hist: (L: string, id: string) => `rb:{${L}}:h:${id}`,
  undo: (L: string, platform: string, userId: string) => `rb:{${L}}:undo:${platform}:${userId}`,
  chats: (L: string) => `rb:{${L}}:chats`,
  /** Every key the last import wrote (so a re-import replaces them without a scan). */
  registry: (L: string) => `rb:{${L}}:keys`,
  user: (platform: string, userId: string) => `${DIR}:user:${platform}:${userId}`,
  /** k.user(p, u) is this prefix + `p:u` (a member of k.users()). */
  userPrefix: () => `${DIR}:user:`,
  users: () => `${DIR}:users`,
  /** Users who are the office of some ledger (`platform:userId`), and the marker that the index was built. */
  offices: () => `${DIR}:offices`,
  officesBuilt: () => `${DIR}:offices:built`,
  /** Platform accounts of a person's name (for @-mentions). */
  name: (name: string) => `${DIR}:name:${name}`,
  /** The ledger a person's 1:1 chat with the robot works on (their last choice, 切换). */
  privateLedger: (platform: string, userId: string) => `${DIR}:dm:${platform}:${userId}`,
  binding: (platform: string, chatId: string) => `${DIR}:bind:${platform}:${chatId}`,
  bindings: () => `${DIR}:bindings`,
  problems: () => `${DIR}:problems`,
};

/** Pattern matching every key of a ledger (for re-import). */
export const ledgerPattern = (L: string) => `rb:{${L}}:*`;
