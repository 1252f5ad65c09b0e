import { script } from './scripts.js';

/** The inbound queue's Lua scripts (the layout they work on: src/store/inbound-store.ts). */

// KEYS: record, stream, finished counter, lease[, a one-use guard]. ARGV: entry, backlog bound,
// record TTL, hold threshold, claiming owner ('' none), claim count[, the guard's value, its TTL in
// ms]. The guard (a single Redis only: its key is in another slot) is remembered first, as
// rememberOnce does; held with another value it refuses: 'replay'.
//
// A caller that holds the partition's lease (ARGV[5]) takes what is new in the stream itself, its
// own entry included, in the same step (XREADGROUP into the one consumer's pending list, as its
// reader would): the entries are in hand without a read back. It also gets the group's
// last-delivered id before this take, so it can place them after what its reader was handed.
// Its own entry comes back without its text (the caller has it).
const SUBMIT = `
if KEYS[5] then
  local prev = redis.call('GET', KEYS[5])
  if prev and prev ~= ARGV[7] then return {'replay', prev} end
  if not prev then redis.call('SET', KEYS[5], ARGV[7], 'PX', ARGV[8]) end
end
local v = redis.call('GET', KEYS[1])
if v then return {'dup', v} end
local len = redis.call('XLEN', KEYS[2])
if len >= tonumber(ARGV[2]) then return {'full', ''} end
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[1])
-- A stream that had to be created here (lost in a restart without AOF, a flush, a failover) gets
-- its consumer group from the start, or its readers would fail with NOGROUP and never see it.
if len == 0 then redis.pcall('XGROUP', 'CREATE', KEYS[2], 'g', '0') end
redis.call('SET', KEYS[1], '{"s":"queued"}', 'EX', ARGV[3])
-- Over the caller's threshold its acknowledgement may be held: say how far the queue had got.
local done = ''
if len > tonumber(ARGV[4]) then done = redis.call('GET', KEYS[3]) or '0' end
if ARGV[5] == '' or redis.call('GET', KEYS[4]) ~= ARGV[5] then return {'ok', done, len} end
local last
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[2])) do
  local name, at
  for i = 1, #g, 2 do
    if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then at = g[i + 1] end
  end
  if name == 'g' then last = at end
end
if not last then return {'ok', done, len} end
local r = redis.pcall('XREADGROUP', 'GROUP', 'g', 'w', 'COUNT', ARGV[6], 'STREAMS', KEYS[2], '>')
if type(r) ~= 'table' or r.err or not r[1] then return {'ok', done, len} end
local out = {'ok', done, len, id, last}
for _, e in ipairs(r[1][2]) do
  out[#out + 1] = e[1]
  if e[1] == id then out[#out + 1] = '' else out[#out + 1] = e[2][2] end
end
return out`;

/** Fenced: only the lease holder may finish (a holder that lost its lease leaves the entry to the new one). */
const FINISH = `
if redis.call('GET', KEYS[3]) ~= ARGV[5] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
return redis.call('INCR', KEYS[4])`;

/**
 * FINISH for several entries of one partition at once (the worker gathers the
 * finishes of one event-loop turn): the lease is checked once, then each
 * outcome stored, and all acknowledged and removed. KEYS: lease, stream, the
 * finished counter, the records. ARGV: owner, group, record TTL, then each entry's stream id and
 * record. Returns the finished counter (0: the lease is not the owner's, nothing done).
 */
const FINISH_MANY = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local ids = {}
for i = 4, #KEYS do
  local j = 4 + (i - 4) * 2
  redis.call('SET', KEYS[i], ARGV[j + 1], 'EX', ARGV[3])
  ids[#ids + 1] = ARGV[j]
end
if #ids > 0 then
  redis.call('XACK', KEYS[2], ARGV[2], unpack(ids))
  redis.call('XDEL', KEYS[2], unpack(ids))
end
return redis.call('INCRBY', KEYS[3], #ids)`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Claims the answer of a message for one side; the other side then stays silent. */
const CLAIM_DELIVERY = `
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`;

export const SUBMIT_S = script<Array<string | number>>('rbInSubmit', SUBMIT);
export const FINISH_S = script<number>('rbInFinish', FINISH, 4);
export const FINISH_MANY_S = script<number>('rbInFinishMany', FINISH_MANY);
export const RENEW_S = script<number>('rbInRenew', RENEW, 1);
export const RELEASE_S = script<number>('rbInRelease', RELEASE, 1);
export const CLAIM_S = script<number>('rbInClaimDelivery', CLAIM_DELIVERY, 1);
