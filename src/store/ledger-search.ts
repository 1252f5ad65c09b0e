/**
 * Bounded keyword search over one generation of a ledger.
 *
 * The index is the searchable text itself: every problem and measure title,
 * normalized (searchText), is one row `text\tid\n` of a string key, 500 rows
 * to a block, blocks in document order. A search scans blocks in order with
 * Lua's plain `string.find` (memchr/memcmp), so the first hits it meets are
 * the first in document order, and counts every match exactly until
 * {@link SEARCH_SCAN_CAP} matches; past that it stops at the end of the block
 * and estimates the total from the share of rows scanned (the reply says
 * “约”). Blocks are scanned {@link BLOCKS_PER_CALL} to a script call, so no
 * call holds Redis for more than a few milliseconds even when nothing
 * matches and all 100k rows are read.
 *
 * About 70 bytes a title instead of ~2 KB for a sorted set per bigram (every
 * title in ~15 of them) plus a text hash; generations written with the bigram
 * index (no `sx` key) are still searched the old way, and the first such
 * search starts their upgrade in place (search-upgrade.ts).
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

/** Matches counted exactly before the total is estimated (older generations: candidates checked). */
export const SEARCH_SCAN_CAP = 4000;
/** Rows (titles) per search block. */
export const SEARCH_BLOCK_ROWS = 500;
/** Blocks one script call scans at most (20,000 titles, a few ms). */
export const BLOCKS_PER_CALL = 40;

/** Where SearchRows writes: plain string keys and one hash of bitmaps. */
export interface SearchWriter {
  set(key: string, value: string): Promise<void>;
  hset(key: string, fields: Record<string, Buffer>): Promise<void>;
}

/** The distinct bigrams of already normalized text. */
function gramsOf(t: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return out;
}

/**
 * Collects search rows while an import writes items in document order, and
 * writes them block by block; at the end, for every bigram, a bitmap of the
 * blocks holding it (`sg`), so a search reads only the blocks that can match.
 */
export class SearchRows {
  private rows: string[] = [];
  private n = 0;
  private blocks = 0;
  private idsAscii = true;
  /** Bigram → blocks holding it, ascending. */
  private readonly grams = new Map<string, number[]>();
  constructor(private readonly w: SearchWriter, private readonly g: GenKeys, private readonly size = SEARCH_BLOCK_ROWS) {}

  async add(id: string, title: string): Promise<void> {
    const text = searchText(title);
    this.rows.push(`${text}\t${id}\n`);
    if (this.idsAscii && !/^[\x00-\x7f]*$/.test(id)) this.idsAscii = false;
    for (const gram of gramsOf(text)) {
      const l = this.grams.get(gram);
      if (!l) this.grams.set(gram, [this.blocks]);
      else if (l[l.length - 1] !== this.blocks) l.push(this.blocks);
    }
    this.n++;
    if (this.rows.length >= this.size) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.rows.length) return;
    const value = this.rows.join('');
    this.rows = [];
    await this.w.set(this.g.searchBlock(this.blocks++), value);
  }

  /** Writes the last block, the bitmaps and the meta key (last); returns every key written (for the registry). */
  async finish(): Promise<string[]> {
    await this.flush();
    const bytes = Math.ceil(this.blocks / 8);
    let fields: Record<string, Buffer> = {};
    let n = 0;
    for (const [gram, blocks] of this.grams) {
      const bm = Buffer.alloc(bytes);
      for (const b of blocks) bm[b >> 3] |= 0x80 >> (b & 7);
      fields[gram] = bm;
      if (++n % 200 === 0) { await this.w.hset(this.g.searchGrams, fields); fields = {}; }
    }
    if (Object.keys(fields).length) await this.w.hset(this.g.searchGrams, fields);
    this.grams.clear();
    await this.w.set(this.g.searchMeta, `${this.n}:${this.size}:g${this.idsAscii ? 'a' : ''}`);
    return [this.g.searchMeta, this.g.searchGrams, ...Array.from({ length: this.blocks }, (_, i) => this.g.searchBlock(i))];
  }
}

// KEYS: search blocks in document order. ARGV: needle, ids still wanted, matches still counted exactly before
// stopping, '1' when the needle is ASCII. Returns {matches, blocks scanned, ids}. A match counts only inside a row's text (before its tab):
// the needle has no tabs or newlines (searchText drops them), so it never spans two fields.
const SCAN = script<[number, number, string[]]>('rbSearchScan', `
local needle, want, cap, ascii = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local ids, count = {}, 0
for b = 1, #KEYS do
  local s = redis.call('GET', KEYS[b])
  if s then
    local i = 1
    while true do
      local p = string.find(s, needle, i, true)
      if not p then break end
      local nl = string.find(s, '\\n', p, true) or (#s + 1)
      if #ids < want or ascii then
        local tab = string.find(s, '\\t', p, true)
        if tab and tab < nl then
          count = count + 1
          if #ids < want then ids[#ids + 1] = string.sub(s, tab + 1, nl - 1) end
        end
      else
        -- Ids are ASCII: a needle with any other character can only have matched inside a title.
        count = count + 1
      end
      i = nl + 1
    end
  end
  if count >= cap and #ids >= want then return {count, b, ids} end
end
return {count, #KEYS, ids}
`);

/** Generations whose upgrade this process started lately (ledger:gen → when it may be tried again). */
const upgrading = new Map<string, number>();

/** Starts the in-place upgrade of an older generation's index (search-upgrade.ts) in the background, once a minute at most. */
function upgradeLater(redis: RedisClient, g: GenKeys): void {
  const key = `${g.L}:${g.gen}`;
  const now = Date.now();
  if ((upgrading.get(key) ?? 0) > now) return;
  if (upgrading.size > 1000) upgrading.clear();
  upgrading.set(key, now + 60_000);
  void import('./search-upgrade.js').then((m) => m.upgradeSearchIndex(redis, g)).catch(() => undefined);
}

/**
 * Searches item titles of generation `g` for `query`; at most `limit` ids
 * come back. A generation still on the bigram index is searched that way and
 * upgraded to title blocks in the background (unless `upgrade` is false).
 */
export async function searchGeneration(redis: RedisClient, g: GenKeys, query: string, limit = 20, opts: { upgrade?: boolean } = {}): Promise<SearchHits> {
  const needle = searchText(query);
  if (needle.length < 2) return { total: 0, exact: true, ids: [] };
  const meta = await redis.get(g.searchMeta);
  if (meta === null) {
    if (opts.upgrade !== false && g.gen > 0) upgradeLater(redis, g);
    return searchBigrams(redis, g, query, limit);
  }
  const [rowsText, sizeText, flags] = meta.split(':');
  const rows = Number(rowsText);
  const size = Number(sizeText);
  const all = Math.ceil(rows / size);
  let blocks = Array.from({ length: all }, (_, i) => i);
  if (flags?.includes('g')) {
    // Only blocks holding every bigram of the needle can hold the needle.
    const grams = [...gramsOf(needle)];
    const maps = await redis.hmgetBuffer(g.searchGrams, ...grams);
    if (maps.some((m) => !m)) return { total: 0, exact: true, ids: [] };
    blocks = blocks.filter((b) => maps.every((m) => (m![b >> 3] & (0x80 >> (b & 7))) !== 0));
  }
  // When every id is ASCII (`a`), only an ASCII needle can match inside one: others skip that check once the ids are in.
  const ascii = !flags?.includes('a') || /^[\x00-\x7f]+$/.test(needle) ? '1' : '0';
  const candidateRows = blocks.reduce((a, b) => a + Math.min(size, rows - b * size), 0);
  const ids: string[] = [];
  let count = 0;
  let scannedRows = 0;
  for (let i = 0; i < blocks.length; i += BLOCKS_PER_CALL) {
    const part = blocks.slice(i, i + BLOCKS_PER_CALL);
    const [c, scanned, found] = await SCAN.run(redis, part.map((b) => g.searchBlock(b)), [needle, limit - ids.length, SEARCH_SCAN_CAP - count, ascii]);
    count += Number(c);
    ids.push(...found);
    scannedRows += part.slice(0, Number(scanned)).reduce((a, b) => a + Math.min(size, rows - b * size), 0);
    if (count >= SEARCH_SCAN_CAP && ids.length >= limit && scannedRows < candidateRows) {
      return { total: Math.round((count * candidateRows) / scannedRows), exact: false, ids };
    }
  }
  return { total: count, exact: true, ids };
}

// Generations written before the block index. KEYS: text hash, bigram sets. ARGV: needle, limit, cap, '1' when
// the needle is exactly the one bigram.
const BIGRAM_SEARCH = script<[number, number, string[]]>('rbSearch', `
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

/** The bigram-sorted-set search of generations imported before the block index (a re-import moves them over). */
async function searchBigrams(redis: RedisClient, g: GenKeys, query: string, limit: number): Promise<SearchHits> {
  const grams = bigrams(query);
  const needle = searchText(query);
  if (!grams.length) return { total: 0, exact: true, ids: [] };
  const keys = [g.text, ...grams.map((x) => g.gram(x))];
  const [total, exact, ids] = await BIGRAM_SEARCH.run(redis, keys, [needle, limit, SEARCH_SCAN_CAP, needle.length === 2 ? '1' : '0']);
  return { total: Number(total), exact: Number(exact) === 1, ids };
}
