/**
 * Key layout. Every key of one ledger carries the hash tag {ledgerId}, so a
 * ledger lives in one Redis Cluster slot and multi-key updates stay atomic.
 */
export const k = {
  ledgers: () => 'rb:ledgers',
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
  user: (platform: string, userId: string) => `rb:user:${platform}:${userId}`,
  users: () => 'rb:users',
  binding: (platform: string, chatId: string) => `rb:bind:${platform}:${chatId}`,
  bindings: () => 'rb:bindings',
  problems: () => 'rb:problems',
};

/** Pattern matching every key of a ledger (for re-import). */
export const ledgerPattern = (L: string) => `rb:{${L}}:*`;
