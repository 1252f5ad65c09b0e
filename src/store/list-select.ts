/**
 * Bounded list reads: the first `limit` measures of a set of ids by deadline,
 * with exact counts, without decoding every measure.
 *
 * A list command shows 20 lines and a count. Reading whole item hashes for a
 * department of 12,500 measures (or an owner's 17,500) costs seconds and tens
 * of MB of heap that V8 keeps; here only the three small fields that decide
 * order and counting (`level`, `deadline`, `status`) are read, in pipelines of
 * SELECT_CHUNK, keeping the best `limit` ids; then those few hashes are read
 * whole, in one pipeline that also reads the generation pointer, so a reply
 * never mixes generations (a moved one throws GenerationMoved).
 */
import type { Deadline, Measure, Status } from '../ledger/types.js';
import { isClosed, isDone } from '../ledger/status.js';
import { script } from './scripts.js';
import type { RedisClient } from './redis.js';
import { lk, parseGen, type GenKeys } from './ledger-keys.js';
import { hashToItem } from './serialize.js';
import { GenerationMoved } from './read-scripts.js';

/** The statuses isDone counts as done, and isClosed as closed, for the ranking script (kept in step by a test). */
export const DONE_STATUSES = (['已完成', '已完成并长期坚持', '已销号'] satisfies Status[]).join(',');
export const CLOSED_STATUSES = `${DONE_STATUSES},${'待销号' satisfies Status}`;

/** Ids ranked per script call (one call holds Redis for well under a millisecond). */
export const SELECT_CHUNK = 500;

// The same comparisons as commands/format.ts byDeadline (String#localeCompare, numeric ids).
const dates = new Intl.Collator();
const ids = new Intl.Collator(undefined, { numeric: true });

/** The deadline's sort key as byDeadline has it: the date, '9998' undated, '9999' long-term. */
export const deadlineKey = (d: Deadline): string => (d.type === 'longterm' ? '9999' : (d.date ?? '9998'));

/** A stored deadline (JSON) as hashToItem reads it (absent: long-term). */
function parseDeadline(json: string | null | undefined): Deadline {
  try {
    return JSON.parse(json ?? '{"type":"longterm"}') as Deadline;
  } catch {
    return { type: 'longterm' };
  }
}

/** Which measures a list keeps, from the two fields that decide it. */
export type Keep = (m: Pick<Measure, 'status' | 'deadline'>) => boolean;
/** Lists of what is still to do. */
export const openOnes: Keep = (m) => !isDone(m.status);
/** Lists by deadline: what is neither done nor awaiting review. */
export const unclosedOnes: Keep = (m) => !isClosed(m.status);
/** Lists of every measure. */
export const every: Keep = () => true;

export interface Ranked { key: string; id: string }
const cmp = (a: Ranked, b: Ranked) => dates.compare(a.key, b.key) || ids.compare(a.id, b.id);

/** Keeps the best `limit` in order (a short sorted array: limit is a reply's 20 lines). */
export class Best {
  readonly rows: Ranked[] = [];
  constructor(private readonly limit: number) {}
  offer(r: Ranked): void {
    const rows = this.rows;
    if (this.limit <= 0) return;
    if (rows.length >= this.limit && cmp(r, rows[rows.length - 1]!) >= 0) return;
    let i = rows.length;
    while (i > 0 && cmp(r, rows[i - 1]!) < 0) i--;
    rows.splice(i, 0, r);
    if (rows.length > this.limit) rows.pop();
  }
  /** The key of the limit-th best once there are `limit` ('' before): a later key cannot get in. */
  worst(): string {
    return this.limit > 0 && this.rows.length >= this.limit ? this.rows[this.limit - 1]!.key : '';
  }
}

export interface Selected {
  /** Measures among the ids (other levels and missing items are not counted). */
  total: number;
  /** Of them, not done (isDone false). */
  open: number;
  /** Of them, the ones `keep` keeps. */
  kept: number;
  /** The first `limit` by deadline of the kept ones. */
  measures: Measure[];
}

/** Counts and the first `limit` by deadline of already decoded items (a small set read whole). */
export function selectDecoded(items: Measure[], limit: number, keep: Keep = every): Selected {
  const best = new Best(limit);
  const byId = new Map<string, Measure>();
  let open = 0;
  for (const m of items) {
    if (!isDone(m.status)) open++;
    if (!keep(m)) continue;
    byId.set(m.id, m);
    best.offer({ key: deadlineKey(m.deadline), id: m.id });
  }
  return { total: items.length, open, kept: byId.size, measures: best.rows.map((r) => byId.get(r.id)!) };
}

// Shared Lua (RANK_CHUNK here, RANK_SCAN in list-scan.ts): the fence, `rank(id)` adding one id to the
// call's counts and rows, and `contenders(out)`. ARGV[1..6]: gen, prefix, limit, the statuses not
// kept (comma-joined, '' keeps every one), the done statuses (for the open count), and the deadline
// key the caller's limit-th best has ('' while it has fewer): a row after it cannot get in, so it is
// counted and not kept as a row.
export const RANK_LUA_HEAD = `
local cur = redis.call('GET', KEYS[1]) or '0'
if cur ~= ARGV[1] then return {'MOVED', cur} end
local prefix, limit, worst = ARGV[2], tonumber(ARGV[3]), ARGV[6]
local drop, done = {}, {}
for st in string.gmatch(ARGV[4], '[^,]+') do drop[st] = true end
for st in string.gmatch(ARGV[5], '[^,]+') do done[st] = true end
local total, open, kept, rows, per = 0, 0, 0, {}, {}
local function rank(id)
  local f = redis.call('HMGET', prefix .. 'i:' .. id, 'level', 'deadline', 'status')
  if f[1] == 'measure' then
    total = total + 1
    if not (f[3] and done[f[3]]) then open = open + 1 end
    if not (f[3] and drop[f[3]]) then
      kept = kept + 1
      if limit <= 0 then return end
      local d, key = f[2], '9999'
      if d and not string.find(d, '"type":"longterm"', 1, true) then
        key = string.match(d, '"date":"([^"]*)"') or '9998'
        if not string.find(d, '^%s*{') then key = '9999' end
      end
      if worst == '' or key <= worst then
        rows[#rows + 1] = {key, id}
        per[key] = (per[key] or 0) + 1
      end
    end
  end
end
-- Appends the rows whose key is at most the call's limit-th smallest (ties included) to out: the
-- distinct keys (days) are sorted, not the rows.
local function contenders(out)
  if limit <= 0 then return out end
  local bound
  if #rows > limit then
    local keys = {}
    for key in pairs(per) do keys[#keys + 1] = key end
    table.sort(keys)
    local n = 0
    for _, key in ipairs(keys) do
      n = n + per[key]
      if n >= limit then bound = key; break end
    end
  end
  for _, r in ipairs(rows) do
    if not bound or r[1] <= bound then out[#out + 1] = r[1]; out[#out + 1] = r[2] end
  end
  return out
end
`;

// Ranks one chunk of ids inside Redis, so the service never decodes thousands of measures (for a
// 17,500-measure list that was ~90 ms and tens of MB of garbage per call). KEYS: the generation
// pointer. ARGV: the six of RANK_LUA_HEAD, then the ids.
// Returns {'OK', total, open, kept, key, id, key, id, ...}: the kept ids whose deadline key is at most
// the chunk's limit-th smallest, ties included, so the exact order (numeric ids) is decided in JS.
// Keys are what deadlineKey gives: YYYY-MM-DD, '9998' (undated), '9999' (long-term), for which byte
// order is the collator's order.
const RANK_CHUNK = script<unknown[]>('rbRankChunk', `${RANK_LUA_HEAD}
for i = 7, #ARGV do rank(ARGV[i]) end
return contenders({'OK', total, open, kept})
`, 1);

/**
 * Counts and the first `limit` by deadline of the measures among `candidates`
 * (ids of generation `g`): for the usual lists (every measure, the open ones,
 * the unclosed ones) each chunk is ranked in Redis (RANK_CHUNK) and only its
 * contenders come back; any other `keep` is decided here from the order
 * fields. Only the winners are read whole.
 */
export async function selectMeasures(redis: RedisClient, g: GenKeys, candidates: string[], limit: number, keep: Keep = every): Promise<Selected> {
  const best = new Best(limit);
  let total = 0;
  let open = 0;
  let kept = 0;
  // The statuses a list of the usual kinds drops, ranked in Redis; null: another `keep`, decided here.
  const drop = dropped(keep);
  for (let i = 0; i < candidates.length; i += SELECT_CHUNK) {
    const slice = candidates.slice(i, i + SELECT_CHUNK);
    if (drop !== null) {
      const res = await RANK_CHUNK.run(redis, [lk.gen(g.L)], [g.gen, g.prefix, limit, drop, DONE_STATUSES, best.worst(), ...slice]);
      if (res[0] === 'MOVED') throw new GenerationMoved(g.L, parseGen(res[1] as string | null));
      total += Number(res[1]);
      open += Number(res[2]);
      kept += Number(res[3]);
      for (let j = 4; j + 1 < res.length; j += 2) best.offer({ key: String(res[j]), id: String(res[j + 1]) });
      continue;
    }
    const p = redis.pipeline();
    for (const id of slice) p.hmget(g.item(id), 'level', 'deadline', 'status');
    const res = (await p.exec()) ?? [];
    res.forEach(([err, v], j) => {
      if (err) throw err;
      const [level, deadline, status] = v as Array<string | null>;
      if (level !== 'measure') return;
      total++;
      const m = { status: status as Status, deadline: parseDeadline(deadline) };
      if (!isDone(m.status)) open++;
      if (!keep(m)) return;
      kept++;
      best.offer({ key: deadlineKey(m.deadline), id: slice[j]! });
    });
  }
  return { total, open, kept, measures: await readWinners(redis, g, best.rows) };
}

/** The statuses a list of the usual kinds drops (ranked in Redis); null: another `keep`. */
export function dropped(keep: Keep): string | null {
  return keep === every ? '' : keep === openOnes ? DONE_STATUSES : keep === unclosedOnes ? CLOSED_STATUSES : null;
}

/**
 * The winners read whole, in one pipeline that also reads the generation
 * pointer (a moved one throws GenerationMoved); `extra` adds commands after
 * them (list-scan.ts deletes its temporary key there).
 */
export async function readWinners(redis: RedisClient, g: GenKeys, rows: Ranked[], extra?: (p: ReturnType<RedisClient['pipeline']>) => void): Promise<Measure[]> {
  const p = redis.pipeline().get(lk.gen(g.L));
  for (const r of rows) p.hgetall(g.item(r.id));
  extra?.(p);
  const res = (await p.exec()) ?? [];
  for (const [err] of res) if (err) throw err;
  const now = parseGen(res[0]?.[1] as string | null);
  if (now !== g.gen) throw new GenerationMoved(g.L, now);
  const measures: Measure[] = [];
  for (const [, h] of res.slice(1, 1 + rows.length)) {
    const it = hashToItem(h as Record<string, string>);
    if (it?.level === 'measure') measures.push(it);
  }
  return measures;
}
