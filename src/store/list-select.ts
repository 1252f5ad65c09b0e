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
import { isDone } from '../ledger/status.js';
import type { RedisClient } from './redis.js';
import { lk, parseGen, type GenKeys } from './ledger-keys.js';
import { hashToItem } from './serialize.js';
import { GenerationMoved } from './read-scripts.js';

/** Ids whose order fields are read per round trip. */
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
const every: Keep = () => true;

interface Ranked { key: string; id: string }
const cmp = (a: Ranked, b: Ranked) => dates.compare(a.key, b.key) || ids.compare(a.id, b.id);

/** Keeps the best `limit` in order (a short sorted array: limit is a reply's 20 lines). */
class Best {
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

/**
 * Counts and the first `limit` by deadline of the measures among `candidates`
 * (ids of generation `g`), reading order fields in chunks and only the winners whole.
 */
export async function selectMeasures(redis: RedisClient, g: GenKeys, candidates: string[], limit: number, keep: Keep = every): Promise<Selected> {
  const best = new Best(limit);
  let total = 0;
  let open = 0;
  let kept = 0;
  for (let i = 0; i < candidates.length; i += SELECT_CHUNK) {
    const slice = candidates.slice(i, i + SELECT_CHUNK);
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
  const p = redis.pipeline().get(lk.gen(g.L));
  for (const r of best.rows) p.hgetall(g.item(r.id));
  const res = (await p.exec()) ?? [];
  for (const [err] of res) if (err) throw err;
  const now = parseGen(res[0]?.[1] as string | null);
  if (now !== g.gen) throw new GenerationMoved(g.L, now);
  const measures: Measure[] = [];
  for (const [, h] of res.slice(1)) {
    const it = hashToItem(h as Record<string, string>);
    if (it?.level === 'measure') measures.push(it);
  }
  return { total, open, kept, measures };
}
