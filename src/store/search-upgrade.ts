/**
 * Automatic upgrade of a generation imported with the bigram search index
 * (a sorted set per title bigram plus an id → text hash, ~2 KB a measure) to
 * title blocks (ledger-search.ts, ~70 bytes a measure), in place and in
 * small steps: the blocks are built from the text hash in document order,
 * the `sx` key is written last (from then on searches read the blocks), and
 * only then are the bigram sets and the text hash unlinked in chunks.
 *
 * It holds the ledger's import lock throughout, so no import can switch or
 * delete the generation meanwhile (an import waiting for it is refused as
 * busy, as with any import running). Titles never change outside imports, so
 * the blocks equal what an import would write.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis.js';
import { lk, parseGen, type GenKeys } from './ledger-keys.js';
import { SearchRows } from './ledger-search.js';
import { script } from './scripts.js';

const LOCK_TTL_S = 900;
const UNLOCK = script<number>('rbSearchUpgradeUnlock', `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1);

/** Rewrites generation `g`'s search index as title blocks; false when there was nothing to do or it could not run now. */
export async function upgradeSearchIndex(redis: RedisClient, g: GenKeys): Promise<boolean> {
  if (g.gen === 0) return false; // the pre-generation layout keeps its own search; a re-import moves it over
  const token = randomUUID();
  if ((await redis.set(lk.lock(g.L), token, 'EX', LOCK_TTL_S, 'NX')) !== 'OK') return false;
  try {
    if (parseGen(await redis.get(lk.gen(g.L))) !== g.gen || (await redis.exists(g.searchMeta)) || !(await redis.exists(g.text))) return false;
    const rows = new SearchRows({
      set: async (key, value) => { await redis.set(key, value); },
      hset: async (key, fields) => { await redis.hset(key, fields); },
    }, g);
    const len = await redis.llen(g.order);
    for (let i = 0; i < len; i += 1000) {
      const ids = await redis.lrange(g.order, i, i + 999);
      const texts = ids.length ? await redis.hmget(g.text, ...ids) : [];
      for (let j = 0; j < ids.length; j++) if (texts[j] !== null) await rows.add(ids[j], texts[j]!);
    }
    const written = await rows.finish();
    await redis.sadd(g.registry, ...written);
    // The blocks are in use from here: the bigram sets and the text hash go, 200 keys a step.
    let cursor = '0';
    const grams = `${g.prefix}g:`;
    do {
      const [next, keys] = await redis.sscan(g.registry, cursor, 'MATCH', `${grams}*`, 'COUNT', 200);
      cursor = next;
      if (keys.length) await redis.multi().unlink(...keys).srem(g.registry, ...keys).exec();
    } while (cursor !== '0');
    await redis.multi().unlink(g.text).srem(g.registry, g.text).exec();
    return true;
  } finally {
    await UNLOCK.run(redis, [lk.lock(g.L)], [token]).catch(() => undefined);
  }
}
