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
  del: string[];
  /** A key that must not exist yet (idempotency of the source message); set with TTL. */
  once?: [key: string, ttlSeconds: number];
  /** The ledger's generation pointer and the value read with the item ('' = absent): a re-import since refuses with STALE. */
  gen?: [key: string, value: string];
}

export function emptyWrite(): AtomicWrite {
  return { guards: [], hset: [], hincr: [], sadd: [], srem: [], zadd: [], zrem: [], rpushEid: [], setex: [], del: [] };
}

const SCRIPT = script<[string, string]>('rbAtomicWrite', `
local w = cjson.decode(ARGV[1])
local function val(v) if type(v) == 'table' then return ARGV[v[1]] end return v end
if w.gen and (redis.call('GET', w.gen[1]) or '') ~= w.gen[2] then return {'STALE', w.gen[1]} end
for _, g in ipairs(w.guards) do
  local v = redis.call('HGET', g[1], 'version')
  if tostring(v) ~= tostring(g[2]) then return {'CONFLICT', g[1]} end
end
if w.once then
  if redis.call('EXISTS', w.once[1]) == 1 then return {'DUPLICATE', ''} end
end
local eid = ''
if w.xadd then
  local args = {}
  for f, v in pairs(w.xadd[2]) do table.insert(args, f); table.insert(args, val(v)) end
  eid = redis.call('XADD', w.xadd[1], '*', unpack(args))
end
local function sub(v) v = val(v) if v == '$EID' then return eid end return v end
for _, x in ipairs(w.hsplice or {}) do
  local cur = redis.call('HGET', x[1], x[2]) or ''
  redis.call('HSET', x[1], x[2], val(x[3]) .. string.sub(cur, x[4], x[5]) .. x[6])
end
for _, h in ipairs(w.hset) do
  local args = {}
  for f, v in pairs(h[2]) do table.insert(args, f); table.insert(args, sub(v)) end
  if #args > 0 then redis.call('HSET', h[1], unpack(args)) end
end
for _, x in ipairs(w.hincr) do redis.call('HINCRBY', x[1], x[2], x[3]) end
for _, x in ipairs(w.srem) do redis.call('SREM', x[1], x[2]) end
for _, x in ipairs(w.sadd) do redis.call('SADD', x[1], x[2]) end
for _, x in ipairs(w.zrem) do redis.call('ZREM', x[1], x[2]) end
for _, x in ipairs(w.zadd) do redis.call('ZADD', x[1], x[2], x[3]) end
for _, key in ipairs(w.rpushEid) do if eid ~= '' then redis.call('RPUSH', key, eid) end end
for _, x in ipairs(w.setex) do redis.call('SET', x[1], sub(x[2]), 'EX', x[3]) end
for _, key in ipairs(w.del) do redis.call('DEL', key) end
if w.once then redis.call('SET', w.once[1], eid, 'EX', w.once[2]) end
return {'OK', eid}
`);

export type AtomicResult = { ok: true; eventId: string } | { ok: false; reason: 'conflict' | 'duplicate' | 'stale' };

function keysOf(w: AtomicWrite): string[] {
  const ks = new Set<string>();
  for (const [key] of w.guards) ks.add(key);
  for (const [key] of w.hset) ks.add(key);
  if (w.hsplice) for (const [key] of w.hsplice) ks.add(key);
  for (const [key] of w.hincr) ks.add(key);
  for (const [key] of w.sadd) ks.add(key);
  for (const [key] of w.srem) ks.add(key);
  for (const [key] of w.zrem) ks.add(key);
  for (const [key] of w.zadd) ks.add(key);
  for (const [key] of w.setex) ks.add(key);
  for (const key of w.rpushEid) ks.add(key);
  for (const key of w.del) ks.add(key);
  if (w.xadd) ks.add(w.xadd[0]);
  if (w.once) ks.add(w.once[0]);
  if (w.gen) ks.add(w.gen[0]);
  return [...ks];
}

/** Values longer than this go as ARGV entries of their own (see AtomicWrite). */
const LONG_VALUE = 256;

type Wire = string | [argvIndex: number];

/** `w` as the script reads it: long values replaced by `[i]`, the 1-based index of their ARGV entry. */
function toWire(w: AtomicWrite, argv: string[]): unknown {
  const ref = (v: string): Wire => (v.length > LONG_VALUE ? [argv.push(v)] : v);
  const fields = (f: Record<string, string>): Record<string, Wire> => {
    let out: Record<string, Wire> | undefined;
    for (const name in f) {
      const v = f[name]!;
      if (v.length > LONG_VALUE) (out ??= { ...f })[name] = ref(v);
    }
    return out ?? f;
  };
  const wire: Record<string, unknown> = { ...w };
  wire.hset = w.hset.map(([key, f]) => [key, fields(f)]);
  wire.setex = w.setex.map(([key, v, ttl]) => [key, ref(v), ttl]);
  if (w.xadd) wire.xadd = [w.xadd[0], fields(w.xadd[1])];
  if (w.hsplice?.length) {
    for (const [key] of w.hsplice) {
      if (!w.guards.some(([g]) => g === key)) throw new Error(`runAtomic: a splice of ${key} needs a version guard on it`);
    }
    wire.hsplice = w.hsplice.map(([key, field, prefix, from, to, suffix]) => [key, field, ref(prefix), from, to, suffix]);
  }
  return wire;
}

export async function runAtomic(redis: RedisClient, w: AtomicWrite): Promise<AtomicResult> {
  const keys = keysOf(w);
  const argv = [''];
  argv[0] = JSON.stringify(toWire(w, argv));
  // Declaring every key keeps the script valid on Redis Cluster (all share one hash tag).
  const r = await SCRIPT.run(redis, keys, argv);
  if (r[0] === 'OK') return { ok: true, eventId: r[1] };
  return { ok: false, reason: r[0] === 'DUPLICATE' ? 'duplicate' : r[0] === 'STALE' ? 'stale' : 'conflict' };
}
