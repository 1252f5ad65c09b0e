import type { RedisClient } from './redis.js';
import { script } from './scripts.js';

/**
 * One guarded, atomic write: version guards are checked, then every write is
 * applied in a single Lua script, so a reader never sees half an update and a
 * concurrent writer that read stale data gets CONFLICT and retries.
 * The literal "$EID" in any value is replaced with the new audit event id.
 * Long values (a measure's notes, an undo record) travel as ARGV entries of
 * their own, referenced from the JSON description, so they are neither
 * escaped into it nor decoded from it by the script.
 */
export interface AtomicWrite {
  guards: Array<[key: string, version: number]>;
  hset: Array<[key: string, fields: Record<string, string>]>;
  /**
   * Fields rebuilt from their stored value (a note put in front of the stored notes): `prefix`,
   * then bytes from..to of the current value (Lua string.sub), then `suffix`; applied before
   * `hset`. The key must be guarded (`guards`): the splice is only right on the text it was computed from.
   */
  hsplice?: Array<[key: string, field: string, prefix: string, from: number, to: number, suffix: string]>;
  /**
   * A JSON array field (a measure's notes) given `item` in front, its elements past `max` dropped,
   * the new text computed by the script from the stored one (which is never read by the caller):
   * elements are counted at the `},{"` between them, so the field must hold an array of flat
   * objects in JSON.stringify's form (anything else refuses the write with NOTES, nothing done).
   * `undo`: the index of a `setex` entry whose value the array of the dropped elements, then
   * `tail`, completes. The key must be guarded, as for `hsplice`.
   */
  prepend?: [key: string, field: string, item: string, max: number, undo?: [setexIndex: number, tail: string]];
  hincr: Array<[key: string, field: string, delta: number]>;
  sadd: Array<[key: string, member: string]>;
  srem: Array<[key: string, member: string]>;
  zadd: Array<[key: string, score: number, member: string]>;
  zrem: Array<[key: string, member: string]>;
  /** Stream key and fields of the audit event (optional). */
  xadd?: [key: string, fields: Record<string, string>];
  /** Lists that receive the new event id. */
  rpushEid: string[];
  setex: Array<[key: string, value: string, ttlSeconds: number]>;
  /** Keys set with a TTL in milliseconds (optional). */
  setpx?: Array<[key: string, value: string, ttlMs: number]>;
  del: string[];
  /** A key that must not exist yet (idempotency of the source message); set with TTL. */
  once?: [key: string, ttlSeconds: number];
  /** The ledger's generation pointer and the value read with the item ('' = absent): a re-import since refuses with STALE. */
  gen?: [key: string, value: string];
}

export function emptyWrite(): AtomicWrite {
  return { guards: [], hset: [], hincr: [], sadd: [], srem: [], zadd: [], zrem: [], rpushEid: [], setex: [], del: [] };
}

// Keys travel as their 1-based index in KEYS (K), not spelled out again in the description.
// A spliced field is written by the HSET of its key's `hset` entry when there is one (first, so a
// field of the entry itself still wins, as when the splice was applied before the HSET).
const SCRIPT = script<[string, string]>('rbAtomicWrite', `
local w = cjson.decode(ARGV[1])
local function K(k) return KEYS[k] end
local function val(v) if type(v) == 'table' then return ARGV[v[1]] end return v end
if w.gen and (redis.call('GET', K(w.gen[1])) or '') ~= w.gen[2] then return {'STALE', K(w.gen[1])} end
for _, g in ipairs(w.guards) do
  local v = redis.call('HGET', K(g[1]), 'version')
  if tostring(v) ~= tostring(g[2]) then return {'CONFLICT', K(g[1])} end
end
if w.once then
  if redis.call('EXISTS', K(w.once[1])) == 1 then return {'DUPLICATE', ''} end
end
local spliced = {}
local np = w.prepend
if np then
  local cur = redis.call('HGET', K(np[1]), np[2]) or ''
  local n = #cur
  if n < 2 or np[4] < 2 or string.sub(cur, 1, 1) ~= '[' or string.sub(cur, n) ~= ']' or (n > 2 and string.sub(cur, 2, 2) ~= '{') then return {'NOTES', ''} end
  local item, value, dropped = val(np[3]), nil, '[]'
  if n == 2 then value = '[' .. item .. ']'
  else
    local pos, cut = 1, nil
    for i = 1, np[4] - 1 do
      local at = string.find(cur, '},{"', pos, true)
      if not at then break end
      if i == np[4] - 1 then cut = at + 1 end
      pos = at + 1
    end
    if cut then
      value = '[' .. item .. ',' .. string.sub(cur, 2, cut - 1) .. ']'
      dropped = '[' .. string.sub(cur, cut + 1)
    else value = '[' .. item .. ',' .. string.sub(cur, 2) end
  end
  spliced[np[1]] = {np[2], value}
  if np[5] then
    local x = w.setex[np[5][1]]
    x[2] = val(x[2]) .. dropped .. np[5][2]
  end
end
local eid = ''
if w.xadd then
  local args = {}
  for f, v in pairs(w.xadd[2]) do table.insert(args, f); table.insert(args, val(v)) end
  eid = redis.call('XADD', K(w.xadd[1]), '*', unpack(args))
end
local function sub(v) v = val(v) if v == '$EID' then return eid end return v end
for _, x in ipairs(w.hsplice or {}) do
  local key = K(x[1])
  local cur = redis.call('HGET', key, x[2]) or ''
  local args = spliced[x[1]] or {}
  table.insert(args, x[2]); table.insert(args, val(x[3]) .. string.sub(cur, x[4], x[5]) .. x[6])
  spliced[x[1]] = args
end
for _, h in ipairs(w.hset) do
  local args = spliced[h[1]] or {}
  spliced[h[1]] = nil
  for f, v in pairs(h[2]) do table.insert(args, f); table.insert(args, sub(v)) end
  if #args > 0 then redis.call('HSET', K(h[1]), unpack(args)) end
end
for k, args in pairs(spliced) do redis.call('HSET', K(k), unpack(args)) end
for _, x in ipairs(w.hincr) do redis.call('HINCRBY', K(x[1]), x[2], x[3]) end
for _, x in ipairs(w.srem) do redis.call('SREM', K(x[1]), x[2]) end
for _, x in ipairs(w.sadd) do redis.call('SADD', K(x[1]), x[2]) end
for _, x in ipairs(w.zrem) do redis.call('ZREM', K(x[1]), x[2]) end
for _, x in ipairs(w.zadd) do redis.call('ZADD', K(x[1]), x[2], x[3]) end
for _, k in ipairs(w.rpushEid) do if eid ~= '' then redis.call('RPUSH', K(k), eid) end end
for _, x in ipairs(w.setex) do redis.call('SET', K(x[1]), sub(x[2]), 'EX', x[3]) end
for _, x in ipairs(w.setpx or {}) do redis.call('SET', K(x[1]), sub(x[2]), 'PX', x[3]) end
for _, k in ipairs(w.del) do redis.call('DEL', K(k)) end
if w.once then redis.call('SET', K(w.once[1]), eid, 'EX', w.once[2]) end
return {'OK', eid}
`);

export type AtomicResult = { ok: true; eventId: string } | { ok: false; reason: 'conflict' | 'duplicate' | 'stale' | 'notes' };

/** Every key `w` touches, each once, in KEYS order; and the 1-based index of each in that list. */
function keysOf(w: AtomicWrite): { keys: string[]; index: Map<string, number> } {
  const index = new Map<string, number>();
  const keys: string[] = [];
  const add = (key: string) => { if (!index.has(key)) index.set(key, keys.push(key)); };
  for (const [key] of w.guards) add(key);
  for (const [key] of w.hset) add(key);
  if (w.hsplice) for (const [key] of w.hsplice) add(key);
  if (w.prepend) add(w.prepend[0]);
  for (const [key] of w.hincr) add(key);
  for (const [key] of w.sadd) add(key);
  for (const [key] of w.srem) add(key);
  for (const [key] of w.zrem) add(key);
  for (const [key] of w.zadd) add(key);
  for (const [key] of w.setex) add(key);
  if (w.setpx) for (const [key] of w.setpx) add(key);
  for (const key of w.rpushEid) add(key);
  for (const key of w.del) add(key);
  if (w.xadd) add(w.xadd[0]);
  if (w.once) add(w.once[0]);
  if (w.gen) add(w.gen[0]);
  return { keys, index };
}

/** Values longer than this go as ARGV entries of their own (see AtomicWrite). */
const LONG_VALUE = 256;

type Wire = string | [argvIndex: number];

/**
 * `w` as the script reads it: every key replaced by its index in KEYS (`index`), long values by
 * `[i]`, the 1-based index of their ARGV entry.
 */
function toWire(w: AtomicWrite, index: Map<string, number>, argv: string[]): unknown {
  const K = (key: string): number => index.get(key)!;
  const ref = (v: string): Wire => (v.length > LONG_VALUE ? [argv.push(v)] : v);
  const fields = (f: Record<string, string>): Record<string, Wire> => {
    let out: Record<string, Wire> | undefined;
    for (const name in f) {
      const v = f[name]!;
      if (v.length > LONG_VALUE) (out ??= { ...f })[name] = ref(v);
    }
    return out ?? f;
  };
  const wire: Record<string, unknown> = {
    guards: w.guards.map(([key, v]) => [K(key), v]),
    hset: w.hset.map(([key, f]) => [K(key), fields(f)]),
    hincr: w.hincr.map(([key, f, d]) => [K(key), f, d]),
    sadd: w.sadd.map(([key, m]) => [K(key), m]),
    srem: w.srem.map(([key, m]) => [K(key), m]),
    zadd: w.zadd.map(([key, score, m]) => [K(key), score, m]),
    zrem: w.zrem.map(([key, m]) => [K(key), m]),
    rpushEid: w.rpushEid.map(K),
    setex: w.setex.map(([key, v, ttl]) => [K(key), ref(v), ttl]),
    del: w.del.map(K),
  };
  if (w.xadd) wire.xadd = [K(w.xadd[0]), fields(w.xadd[1])];
  if (w.setpx?.length) wire.setpx = w.setpx.map(([key, v, ttl]) => [K(key), ref(v), ttl]);
  if (w.once) wire.once = [K(w.once[0]), w.once[1]];
  if (w.gen) wire.gen = [K(w.gen[0]), w.gen[1]];
  if (w.prepend) {
    const [key, field, item, max, undo] = w.prepend;
    if (!w.guards.some(([g]) => g === key)) throw new Error(`runAtomic: a prepend to ${key} needs a version guard on it`);
    wire.prepend = [K(key), field, ref(item), max, ...(undo ? [[undo[0] + 1, undo[1]]] : [])];
  }
  if (w.hsplice?.length) {
    for (const [key] of w.hsplice) {
      if (!w.guards.some(([g]) => g === key)) throw new Error(`runAtomic: a splice of ${key} needs a version guard on it`);
    }
    wire.hsplice = w.hsplice.map(([key, field, prefix, from, to, suffix]) => [K(key), field, ref(prefix), from, to, suffix]);
  }
  return wire;
}

export async function runAtomic(redis: RedisClient, w: AtomicWrite): Promise<AtomicResult> {
  const { keys, index } = keysOf(w);
  const argv = [''];
  argv[0] = JSON.stringify(toWire(w, index, argv));
  // Declaring every key keeps the script valid on Redis Cluster (all share one hash tag).
  const r = await SCRIPT.run(redis, keys, argv);
  if (r[0] === 'OK') return { ok: true, eventId: r[1] };
  return { ok: false, reason: r[0] === 'DUPLICATE' ? 'duplicate' : r[0] === 'STALE' ? 'stale' : r[0] === 'NOTES' ? 'notes' : 'conflict' };
}
