/**
 * What a chat read command needs, in one Lua script each (one round trip).
 *
 * Every script is fenced by generation: KEYS[1] is the ledger's generation
 * pointer and ARGV[1] the generation the caller's keys were built for (the
 * one cached with the ledger's meta, see ledger-meta.ts). When the pointer has
 * moved (a re-import switched) the script returns {'MOVED', gen} and reads
 * nothing; the caller drops its cache and runs the command again. So a reply
 * never mixes meta of one generation with items of another.
 *
 * Index keys are passed in KEYS[]. Item hashes (and a department set named
 * through the ledger's aliases) are only known inside the script; their keys
 * are built from ARGV's generation prefix `rb:{L}:g<N>:`, which carries the
 * ledger's hash tag, so every key a script touches is in the ledger's one
 * Redis Cluster slot, as the declared keys are.
 *
 * Item hashes come back whole (HGETALL, decoded by serialize.ts), so the
 * hash encoding stays serialize.ts's business; the scripts read by name only
 * the fields `kids` (child ids, a JSON array) and `level`.
 *
 * A read that would return more than `cap` items returns their ids only (or,
 * for unions of sets, nothing: they are ranked in Redis, see list-scan.ts), and
 * the caller fetches them in bounded pipelines: no script builds a huge reply.
 */
import type { Item } from '../ledger/types.js';
import type { Counters } from '../ledger/counters.js';
import type { RedisClient } from './redis.js';
import type { GenKeys } from './ledger-keys.js';
import { lk } from './ledger-keys.js';
import { hashToItem } from './serialize.js';
import { script } from './scripts.js';
import type { EvidenceRead } from './evidence-store.js';

/** Most item hashes one script returns. */
export const READ_CAP = 1000;

/** The ledger's generation moved under a cached one: drop the cache and run again. */
export class GenerationMoved extends Error {
  constructor(readonly ledgerId: string, readonly gen: number) {
    super(`ledger ${ledgerId} moved to generation ${gen}`);
    this.name = 'GenerationMoved';
  }
}

// Shared Lua: the fence, and item hashes by id (nil for a missing one).
const FENCE = `
local cur = redis.call('GET', KEYS[1]) or '0'
if cur ~= ARGV[1] then return {'MOVED', cur} end
local prefix = ARGV[2]
local function items(ids)
  local out = {}
  for i, id in ipairs(ids) do out[i] = redis.call('HGETALL', prefix .. 'i:' .. id) end
  return out
end
-- A reply with its digest, when one is wanted (want: '' none, '-' wanted with none known, else the
-- known one): {'SAME'} alone when the SHA-1 of the reply is the known one, else the reply with the
-- SHA-1 appended ('' when the reply is not whole: not all an answer needs, not to remember by).
local function digested(out, want, whole)
  if want == '' then return out end
  if not whole then out[#out + 1] = ''; return out end
  local d = redis.sha1hex(cjson.encode(out))
  if d == want then return {'SAME'} end
  out[#out + 1] = d
  return out
end
`;

// KEYS: gen, counters, due. ARGV: gen, prefix, overdue upper day, yellow from, yellow to, and the
// digest an answer remembered by the caller was built from (see digested).
// Counters, both deadline counts, and the aspects named by the counters (a:<n>:t) in number order,
// with their digest; {'SAME'} alone when the digest is the caller's: the
// figures are exactly those the remembered answer shows, so they are not sent again.
const PROGRESS = script<unknown[]>('rbReadProgress', `${FENCE}
local c = redis.call('HGETALL', KEYS[2])
local nums = {}
for i = 1, #c, 2 do
  local n = string.match(c[i], '^a:(%d+):t$')
  if n then nums[#nums + 1] = tonumber(n) end
end
table.sort(nums)
local ids = {}
for i, n in ipairs(nums) do ids[i] = tostring(n) end
local out = {'OK', c, redis.call('ZCOUNT', KEYS[3], '-inf', ARGV[3]), redis.call('ZCOUNT', KEYS[3], ARGV[4], ARGV[5]), items(ids)}
return digested(out, ARGV[6], true)
`, 3);

// KEYS: gen, codes. ARGV: gen, prefix, alias, most children returned, '0' to leave the notes out,
// the key prefixes of a measure's evidence hash and removed-evidence hash ('': not read), and a
// digest wanted ('': none; '-': wanted, none known; else the known one).
// The ids the alias names; when it names one item, that item and (a problem's or aspect's) children,
// or (a measure) its evidence records and the count of removed ones. With a digest wanted, the
// reply ends with the SHA-1 of everything before it ('' when the reply is not all the answer
// needs: ambiguous or unknown codes, children given as ids, removed evidence), or is {'SAME'}
// alone when that digest is the known one.
const LOOKUP = script<unknown[]>('rbReadLookup', `${FENCE}
local want = ARGV[8] or ''
local function done(out, whole) return digested(out, want, whole) end
local function strip(h)
  if ARGV[5] ~= '0' then return h end
  local t = {}
  for i = 1, #h, 2 do
    if h[i] ~= 'notes' then t[#t + 1] = h[i]; t[#t + 1] = h[i + 1] end
  end
  return t
end
local v = redis.call('HGET', KEYS[2], ARGV[3])
if not v then return done({'OK', ''}, false) end
if string.find(v, ',', 1, true) then return done({'OK', v}, false) end
local h = strip(redis.call('HGETALL', prefix .. 'i:' .. v))
local level = redis.call('HGET', prefix .. 'i:' .. v, 'level')
if level == 'measure' and (ARGV[6] or '') ~= '' then
  local gone = redis.call('HLEN', ARGV[7] .. v)
  return done({'OK', v, h, 2, redis.call('HGETALL', ARGV[6] .. v), gone}, gone == 0)
end
if level == 'measure' or #h == 0 then return done({'OK', v, h}, true) end
local kids = cjson.decode(redis.call('HGET', prefix .. 'i:' .. v, 'kids') or '[]')
if #kids > tonumber(ARGV[4]) then return done({'OK', v, h, 0, kids}, false) end
local got = items(kids)
for i, k in ipairs(got) do got[i] = strip(k) end
return done({'OK', v, h, 1, got}, true)
`, 2);

// KEYS: gen, due. ARGV: gen, prefix, from day, to day, how many, and a digest wanted ('': none;
// '-': wanted, none known; else the known one).
// Open measures due in [from, to]: the count and the earliest ones; with a digest wanted, then the
// SHA-1 of both, or {'SAME'} alone when it is the known one.
const DUE = script<unknown[]>('rbReadDue', `${FENCE}
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[3], ARGV[4], 'LIMIT', 0, tonumber(ARGV[5]))
return digested({'OK', redis.call('ZCOUNT', KEYS[2], ARGV[3], ARGV[4]), items(ids)}, ARGV[6] or '', true)
`, 2);

// KEYS: gen, department aliases, then sets whose union is wanted. ARGV: gen, prefix, cap, and a
// department as written (normalized) or '': its set, through the aliases, joins the union.
// Returns the department's own id count (-1: none asked) and the name it was found under, then the
// items; above cap (the sets' sizes summed), nothing more: the caller ranks the sets in Redis
// (list-scan.ts), so no script returns thousands of ids.
const SETS = script<unknown[]>('rbReadSets', `${FENCE}
local keys = {}
for i = 3, #KEYS do keys[#keys + 1] = KEYS[i] end
local deptCount, full = -1, ''
if ARGV[4] ~= '' then
  full = redis.call('HGET', KEYS[2], ARGV[4]) or ARGV[4]
  local dk = prefix .. 'dept:' .. full
  deptCount = redis.call('SCARD', dk)
  keys[#keys + 1] = dk
end
local n = 0
for _, k in ipairs(keys) do n = n + redis.call('SCARD', k) end
if n > tonumber(ARGV[3]) then return {'OK', deptCount, full, 0} end
local ids = {}
if #keys == 1 then ids = redis.call('SMEMBERS', keys[1])
elseif #keys > 1 then ids = redis.call('SUNION', unpack(keys)) end
return {'OK', deptCount, full, 1, items(ids)}
`);

type Flat = string[];

const toMap = (flat: Flat): Record<string, string> => {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  return h;
};
const toItems = (rows: Flat[]): Item[] => {
  const out: Item[] = [];
  for (const r of rows) {
    const it = hashToItem(toMap(r));
    if (it) out.push(it);
  }
  return out;
};

function fenced(L: string, res: unknown[]): unknown[] {
  if (res[0] === 'MOVED') throw new GenerationMoved(L, Number(res[1] ?? 0) || 0);
  return res;
}

export interface ProgressFigures {
  counters: Counters;
  red: number;
  yellow: number;
  /** The aspects with measures, in number order. */
  aspects: Item[];
  /** The digest of these figures as Redis holds them (what a remembered answer is checked by). */
  version: string;
}

/** What a read returns instead of its data when the caller's remembered version is still current. */
export interface Unchanged { unchanged: true; version: string }

/** The scripts' digest argument (see digested): undefined none wanted, '' wanted with none known. */
const wanted = (known: string | undefined) => (known === undefined ? '' : known || '-');

/**
 * 进度's figures: counters, overdue (≤ overdueTo) and due-soon ([yellowFrom, yellowTo]) counts,
 * aspects. With `known` (the version an answer was built from), `{ unchanged }` when the figures
 * are still exactly those, in the same round trip.
 */
export async function readProgress(
  redis: RedisClient, g: GenKeys, overdueTo: number, yellowFrom: number, yellowTo: number, known = '',
): Promise<ProgressFigures | Unchanged> {
  const r = fenced(g.L, await PROGRESS.run(redis, [lk.gen(g.L), g.counters, g.due], [String(g.gen), g.prefix, overdueTo, yellowFrom, yellowTo, wanted(known)]));
  if (r[0] === 'SAME') return { unchanged: true, version: known };
  const counters: Counters = {};
  const flat = r[1] as Flat;
  for (let i = 0; i + 1 < flat.length; i += 2) counters[flat[i]!] = Number(flat[i + 1]);
  return { counters, red: Number(r[2]), yellow: Number(r[3]), aspects: toItems(r[4] as Flat[]), version: String(r[5]) };
}

export interface Lookup {
  /** The ids the alias names (none, one, or several when ambiguous). */
  ids: string[];
  /** The item, when the alias names exactly one that exists. */
  item?: Item;
  /** A problem's measures or an aspect's problems, in order; ids only when there are many. */
  kids?: Item[];
  kidIds?: string[];
  /** A measure's evidence hash (record id → JSON) and how many records were removed, when asked for. */
  evidence?: EvidenceRead;
  /**
   * When a digest was asked for: the SHA-1 of what was read, or '' when the read is not all an
   * answer needs (several or no ids, children as ids, removed evidence): nothing to remember by.
   */
  version?: string;
}

/**
 * An alias ("A2.3", "3.2") resolved, with the item and its children, in one round trip.
 * `notes` false: the measures come without their notes (read as none), for a write, which
 * reads the measure again with them: a long notes list then crosses the wire once, not twice.
 * `known` (a digest of an earlier read, '' for none): the read carries its digest, or is
 * `{ unchanged }` when it is the known one.
 */
export async function readLookup(
  redis: RedisClient, g: GenKeys, alias: string, maxKids = 200, notes = true, evidence?: { item: string; gone: string }, known?: string,
): Promise<Lookup | Unchanged> {
  const r = fenced(g.L, await LOOKUP.run(redis, [lk.gen(g.L), g.codes],
    [String(g.gen), g.prefix, alias, maxKids, notes ? '1' : '0', evidence?.item ?? '', evidence?.gone ?? '', wanted(known)]));
  if (r[0] === 'SAME') return { unchanged: true, version: known! };
  const version = known === undefined ? undefined : String(r.pop());
  const v = version === undefined ? {} : { version };
  const ids = (r[1] as string) ? (r[1] as string).split(',') : [];
  if (r.length < 3) return { ids, ...v };
  // Most commands that look an item up never read its notes (a write re-reads the measure): decoded when read.
  const item = hashToItem(toMap(r[2] as Flat), true) ?? undefined;
  if (r.length < 5) return { ids, item, ...v };
  if (r[3] === 2) return { ids, item, evidence: { records: toMap(r[4] as Flat), gone: Number(r[5]) }, ...v };
  return r[3] === 1 ? { ids, item, kids: toItems(r[4] as Flat[]), ...v } : { ids, item, kidIds: r[4] as string[], ...v };
}

/**
 * Open measures due in [from, to]: the count and the first `limit` by deadline. `known` (a digest
 * of an earlier read, '' for none): the read carries its digest, or is `{ unchanged }`.
 */
export async function readDue(
  redis: RedisClient, g: GenKeys, from: number | '-inf', to: number, limit: number, known?: string,
): Promise<{ total: number; items: Item[]; version?: string } | Unchanged> {
  const r = fenced(g.L, await DUE.run(redis, [lk.gen(g.L), g.due],
    [String(g.gen), g.prefix, from, to, Math.min(limit, READ_CAP), wanted(known)]));
  if (r[0] === 'SAME') return { unchanged: true, version: known! };
  return { total: Number(r[1]), items: toItems(r[2] as Flat[]), ...(known === undefined ? {} : { version: String(r[3]) }) };
}

export interface SetsRead {
  /** Ids in the department's set (-1 when no department was asked). */
  deptCount: number;
  /** The department's name in the ledger (the alias's full name, or as written). */
  deptName: string;
  /** The union's items; absent above the cap (the sets' sizes summed). */
  items?: Item[];
}

/**
 * The items of a union of index sets (`sets`: keys of generation `g`), plus,
 * when `dept` is given (as written, normalized), that department's set,
 * named through the ledger's department aliases. Above `cap` ids (the sets'
 * sizes summed), no items: the department's name tells its set's key.
 */
export async function readSets(redis: RedisClient, g: GenKeys, aliasKey: string, sets: string[], dept = '', cap = READ_CAP): Promise<SetsRead> {
  const r = fenced(g.L, await SETS.run(redis, [lk.gen(g.L), aliasKey, ...sets], [String(g.gen), g.prefix, cap, dept]));
  const head = { deptCount: Number(r[1]), deptName: String(r[2] ?? '') };
  return r[3] === 1 ? { ...head, items: toItems(r[4] as Flat[]) } : head;
}
