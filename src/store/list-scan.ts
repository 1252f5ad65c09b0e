/**
 * Big lists ranked where their ids are: the candidates of a list are never
 * brought into the service.
 *
 * A list's candidates are the intersection of conditions, each either the
 * union of some index sets (我的: owner ∪ leader ∪ department; several
 * statuses) or a range of the deadline index (逾期, 临期). The smallest
 * condition (by SCARD, or ZCOUNT of the range) drives: it is read page by page
 * inside one script per SCAN_CHUNK ids (SSCAN of each of its sets in turn, or
 * the deadline index by rank from where the last page ended); the page is
 * checked against the other conditions there (SMISMEMBER, ZMSCORE in range) and
 * ranked as RANK_CHUNK ranks (list-select.ts): counts and only the call's
 * contenders come back. So the service holds a page's 20-odd contenders, not
 * 17,500 ids, and each call holds Redis for a few hundred ids.
 *
 * Exact counts: SSCAN may return an id twice (a set rehashing between calls)
 * and a union names an id once per set, so every id that passes is added to a
 * short-lived set `<prefix>tmp:<random>` (the ledger's hash tag, so the same
 * Redis Cluster slot; EXPIRE 60 s; deleted when the list is done or fails) and
 * counted only when it was new. Ids present for the whole read are counted
 * once; one added or removed meanwhile may or may not be, as with any read
 * that is not one snapshot.
 *
 * Every call checks the generation pointer, and the winners are read whole
 * with it (readWinners), so a re-import during the paging throws
 * GenerationMoved as the other fenced reads do.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis.js';
import { lk, parseGen, type GenKeys } from './ledger-keys.js';
import { script } from './scripts.js';
import { GenerationMoved } from './read-scripts.js';
import { Best, DONE_STATUSES, dropped, RANK_LUA_HEAD, readWinners, SELECT_CHUNK, type Keep, type Selected } from './list-select.js';

/** Ids read per script call. */
export const SCAN_CHUNK = SELECT_CHUNK;

/** One condition of a list: in any of these sets (keys of the generation), or due in [from, to] (day numbers). */
export type Condition = { sets: string[] } | { due: { from: number | '-inf'; to: number } };

/** One index set of a generation: a status, a leader, an owner, a department (as the ledger names it). */
export type ListIndex = { status: string } | { leader: string } | { owner: string } | { dept: string };
/** A condition of a filtered list: in any of these indexes, or due in [from, to] (day numbers). */
export type ListCondition = { anyOf: ListIndex[] } | { due: { from: number | '-inf'; to: number } };

export function indexKey(g: GenKeys, x: ListIndex): string {
  if ('status' in x) return g.byStatus(x.status);
  if ('leader' in x) return g.leader(x.leader);
  if ('owner' in x) return g.owner(x.owner);
  return g.dept(x.dept);
}

// KEYS: gen, the temporary set of counted ids, the deadline index, then the sets the conditions name.
// ARGV: the six of RANK_LUA_HEAD; ids per call; the conditions ('d' the deadline range, or the
// KEYS indices of a union, comma-joined; ';' between conditions); the range's from ('-inf' or a day)
// and to; then the page state: driver (0: none chosen yet), position (the driver's set being
// scanned), cursor (SSCAN's; for the deadline index the score of the last id read), last id read.
// Returns {'OK', total, open, kept, driver, position, cursor, last, finished (0/1), key, id, ...}.
const RANK_SCAN = script<unknown[]>('rbRankScan', `${RANK_LUA_HEAD}
local seen, due, chunk = KEYS[2], KEYS[3], tonumber(ARGV[7])
local conds = {}
for spec in string.gmatch(ARGV[8], '[^;]+') do
  if spec == 'd' then conds[#conds + 1] = false
  else
    local c = {}
    for i in string.gmatch(spec, '%d+') do c[#c + 1] = KEYS[tonumber(i)] end
    conds[#conds + 1] = c
  end
end
local from, to = ARGV[9], ARGV[10]
local lo, hi = -math.huge, tonumber(to)
if from ~= '-inf' then lo = tonumber(from) end
local driver, pos, cursor, last = tonumber(ARGV[11]), tonumber(ARGV[12]), ARGV[13], ARGV[14]
if driver == 0 then
  local best
  for i, c in ipairs(conds) do
    local n = 0
    if c == false then n = redis.call('ZCOUNT', due, from, to)
    else for _, k in ipairs(c) do n = n + redis.call('SCARD', k) end end
    if not best or n < best then best, driver = n, i end
  end
  pos, cursor, last = 1, '0', ''
end
local page, finished = {}, false
if conds[driver] == false then
  -- By rank, from just after the last id read; if that one left the index, from the start of its day
  -- (ids read again are not counted again).
  local r = 0
  if last == '' then
    if from ~= '-inf' then r = redis.call('ZCOUNT', due, '-inf', '(' .. from) end
  else
    local rk, sc = redis.call('ZRANK', due, last), redis.call('ZSCORE', due, last)
    if rk and sc and tonumber(sc) == tonumber(cursor) then r = rk + 1
    else r = redis.call('ZCOUNT', due, '-inf', '(' .. cursor) end
  end
  local got = redis.call('ZRANGE', due, r, r + chunk - 1, 'WITHSCORES')
  for i = 1, #got, 2 do
    if tonumber(got[i + 1]) > hi then finished = true; break end
    page[#page + 1] = got[i]; last = got[i]; cursor = got[i + 1]
  end
  if #got < 2 * chunk then finished = true end
else
  local keys = conds[driver]
  local res = redis.call('SSCAN', keys[pos], cursor, 'COUNT', chunk)
  cursor, page = res[1], res[2]
  if cursor == '0' then
    pos = pos + 1
    if pos > #keys then finished = true end
  end
end
-- The page's ids that meet the other conditions: one SMISMEMBER per set, one ZMSCORE for the range.
local function meeting(c, ids)
  local out = {}
  if c == false then
    local sc = redis.call('ZMSCORE', due, unpack(ids))
    for i, id in ipairs(ids) do
      local s = sc[i] and tonumber(sc[i])
      if s and s >= lo and s <= hi then out[#out + 1] = id end
    end
    return out
  end
  local hit = {}
  for _, k in ipairs(c) do
    local m = redis.call('SMISMEMBER', k, unpack(ids))
    for i = 1, #ids do if m[i] == 1 then hit[i] = true end end
  end
  for i, id in ipairs(ids) do if hit[i] then out[#out + 1] = id end end
  return out
end
for i, c in ipairs(conds) do
  if #page == 0 then break end
  if i ~= driver then page = meeting(c, page) end
end
-- Counted once: only the ids not yet in the temporary set.
local added = false
if #page > 0 then
  local m = redis.call('SMISMEMBER', seen, unpack(page))
  local fresh = {}
  for i, id in ipairs(page) do if m[i] == 0 then fresh[#fresh + 1] = id end end
  if #fresh > 0 then
    redis.call('SADD', seen, unpack(fresh))
    added = true
    for _, id in ipairs(fresh) do rank(id) end
  end
end
if added then redis.call('EXPIRE', seen, 60) end
return contenders({'OK', total, open, kept, driver, pos, cursor, last, finished and 1 or 0})
`);

export interface ScanOptions {
  /** Ids per call (tests read a few at a time). */
  chunk?: number;
  /** Called after each page (tests change the ledger between pages). */
  onPage?: (page: number) => Promise<void> | void;
}

/**
 * Counts and the first `limit` by deadline of the measures meeting every
 * condition (keys of generation `g`), of which only the ones `keep` keeps
 * (every measure, the open ones or the unclosed ones) are ranked and listed.
 */
export async function scanMeasures(redis: RedisClient, g: GenKeys, conds: Condition[], limit: number, keep: Keep, o: ScanOptions = {}): Promise<Selected> {
  const drop = dropped(keep);
  if (drop === null) throw new Error('scanMeasures ranks every measure, the open ones or the unclosed ones');
  if (!conds.length) throw new Error('scanMeasures needs at least one condition');
  const keys = [lk.gen(g.L), `${g.prefix}tmp:${randomUUID()}`, g.due];
  let range: { from: number | '-inf'; to: number } | undefined;
  const spec = conds.map((c) => {
    if ('due' in c) {
      if (range) throw new Error('scanMeasures takes one deadline range');
      range = c.due;
      return 'd';
    }
    return c.sets.map((k) => keys.push(k)).join(',');
  }).join(';');
  const best = new Best(limit);
  let total = 0;
  let open = 0;
  let kept = 0;
  let state: Array<string | number> = [0, 0, '0', ''];
  let deleted = false;
  try {
    for (let page = 1; ; page++) {
      const res = await RANK_SCAN.run(redis, keys, [
        g.gen, g.prefix, limit, drop, DONE_STATUSES, best.worst(), o.chunk ?? SCAN_CHUNK, spec, range?.from ?? '-inf', range?.to ?? 0, ...state,
      ]);
      if (res[0] === 'MOVED') throw new GenerationMoved(g.L, parseGen(res[1] as string | null));
      total += Number(res[1]);
      open += Number(res[2]);
      kept += Number(res[3]);
      state = [Number(res[4]), Number(res[5]), String(res[6]), String(res[7] ?? '')];
      for (let j = 9; j + 1 < res.length; j += 2) best.offer({ key: String(res[j]), id: String(res[j + 1]) });
      if (Number(res[8]) === 1) break;
      await o.onPage?.(page);
    }
    const measures = await readWinners(redis, g, best.rows, (p) => { p.unlink(keys[1]!); deleted = true; });
    return { total, open, kept, measures };
  } finally {
    if (!deleted) await redis.unlink(keys[1]!).catch(() => undefined);
  }
}
