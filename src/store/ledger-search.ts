/**
 * Bounded keyword search over one generation of a ledger. Each search bigram
 * is a sorted set of item ids scored by document position, so one script can
 * return the total and the first N hits in document order without loading
 * every hit: a two-character keyword is one ZCARD + ZRANGE; a longer one walks
 * the smallest bigram set in order, checks each candidate's text for the
 * whole keyword (a bigram match is only a candidate), and stops after a bounded number of
 * candidates, estimating the total from the share that matched.
 */
import type { RedisClient } from './redis.js';
import type { GenKeys } from './ledger-keys.js';
import { bigrams, searchText } from './indexes.js';
import { script } from './scripts.js';

/** What a search found: the total (estimated when `exact` is false) and the first ids in document order. */
export interface SearchHits {
  total: number;
  exact: boolean;
  ids: string[];
}

/** Candidates checked for the count before the total is estimated; bounds the script's run time. */
export const SEARCH_SCAN_CAP = 4000;

// KEYS: text hash, bigram sets. ARGV: needle, limit, cap, '1' when the needle is exactly the one bigram.
const SEARCH = script<[number, number, string[]]>('rbSearch', `
local limit, cap = tonumber(ARGV[2]), tonumber(ARGV[3])
if #KEYS == 2 and ARGV[4] == '1' then
  return {redis.call('ZCARD', KEYS[2]), 1, redis.call('ZRANGE', KEYS[2], 0, limit - 1)}
end
local s, sc = 2, redis.call('ZCARD', KEYS[2])
for i = 3, #KEYS do
  local c = redis.call('ZCARD', KEYS[i])
  if c < sc then s, sc = i, c end
end
local ids, count, scanned = {}, 0, 0
while scanned < sc and (scanned < cap or (#ids < limit and scanned < cap * 4)) do
  local chunk = redis.call('ZRANGE', KEYS[s], scanned, scanned + 249)
  if #chunk == 0 then break end
  for _, id in ipairs(chunk) do
    scanned = scanned + 1
    -- The text holds every bigram of the needle when it holds the needle: one HGET decides.
    local t = redis.call('HGET', KEYS[1], id)
    if t and string.find(t, ARGV[1], 1, true) then
      count = count + 1
      if #ids < limit then ids[#ids + 1] = id end
    end
  end
end
if scanned >= sc then return {count, 1, ids} end
return {math.floor(count * sc / scanned + 0.5), 0, ids}
`);

/** Searches item titles of generation `g` for `query`; at most `limit` ids come back. */
export async function searchGeneration(redis: RedisClient, g: GenKeys, query: string, limit = 20): Promise<SearchHits> {
  const grams = bigrams(query);
  const needle = searchText(query);
  if (!grams.length) return { total: 0, exact: true, ids: [] };
  const keys = [g.text, ...grams.map((x) => g.gram(x))];
  const [total, exact, ids] = await SEARCH.run(redis, keys, [needle, limit, SEARCH_SCAN_CAP, needle.length === 2 ? '1' : '0']);
  return { total: Number(total), exact: Number(exact) === 1, ids };
}
