import { k, ledgerPattern } from './keys.js';
import { isCluster, type RedisClient } from './redis.js';

/**
 * Deletes every key of ledger `L` and takes it off the ledger list. The keys
 * share the hash tag {L}, so on a cluster they sit on one master; each master
 * is scanned (an operator command, never on a request path) and the keys are
 * unlinked in small batches so Redis is never blocked for long.
 * Returns how many keys were removed.
 */
export async function removeLedgerKeys(redis: RedisClient, L: string): Promise<number> {
  // Off the list first: from here no reader treats the ledger as present.
  await redis.srem(k.ledgers(), L);
  let removed = 0;
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', ledgerPattern(L), 'COUNT', 500);
      cursor = next;
      if (keys.length) removed += await node.unlink(...keys);
    } while (cursor !== '0');
  }
  return removed;
}
