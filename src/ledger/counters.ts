import type { Kind, Measure, Problem, Status } from './types.js';
import { KINDS, STATUSES } from './types.js';
import { isDone } from './status.js';

/**
 * Counter contributions. Every counter the store keeps is the sum of these
 * over the ledger's items, so an import sums them and a change applies the
 * difference between an item's contribution before and after.
 * Fields: m:total, m:s:<status>, a:<aspect>:t, a:<aspect>:d, x:pending, x:extended (measures),
 * p:total, p:s:<status>, k:<kind>, kd:<kind> (problems).
 */
export type Counters = Record<string, number>;

export function measureContribution(m: Pick<Measure, 'status' | 'aspect' | 'extension' | 'extended'>): Counters {
  const c: Counters = {};
  c['m:total'] = 1;
  c[`m:s:${m.status}`] = 1;
  c[`a:${m.aspect}:t`] = 1;
  c[`a:${m.aspect}:d`] = isDone(m.status) ? 1 : 0;
  // Extension figures (x:pending requests, x:extended measures) only where present, so old counters stay as they were.
  if (m.extension) c['x:pending'] = 1;
  if (m.extended) c['x:extended'] = 1;
  return c;
}

export function problemContribution(p: Pick<Problem, 'status' | 'kind'>): Counters {
  const c: Counters = {};
  c['p:total'] = 1;
  c[`p:s:${p.status}`] = 1;
  c[`k:${p.kind}`] = 1;
  c[`kd:${p.kind}`] = isDone(p.status) ? 1 : 0;
  return c;
}

export function addCounters(into: Counters, c: Counters, sign = 1): Counters {
  for (const f in c) into[f] = (into[f] ?? 0) + sign * c[f]!;
  return into;
}

/** after − before, zero entries dropped. */
export function counterDelta(before: Counters, after: Counters): Counters {
  const sum = addCounters(addCounters({}, after), before, -1);
  // The non-zero fields copied, not the zero ones deleted: deleting turns an object into a slow dictionary.
  const d: Counters = {};
  for (const f in sum) if (sum[f] !== 0) d[f] = sum[f]!;
  return d;
}

/** Recount from items (import, and the consistency checks in tests). */
export function countAll(problems: Array<Pick<Problem, 'status' | 'kind'>>, measures: Array<Pick<Measure, 'status' | 'aspect'>>): Counters {
  const c: Counters = {};
  for (const p of problems) addCounters(c, problemContribution(p));
  for (const m of measures) addCounters(c, measureContribution(m));
  return c;
}

/** Measures by canonical status from counters. */
export function statusCounts(c: Counters, prefix: 'm' | 'p' = 'm'): Record<Status, number> {
  const out = {} as Record<Status, number>;
  for (const [f, v] of Object.entries(c)) {
    if (f.startsWith(`${prefix}:s:`) && v > 0) out[f.slice(4) as Status] = v;
  }
  return out;
}

/** Measures by status and problems by kind, the non-zero ones only, counted from whole lists (digest, notice). */
export function tally(
  problems: Array<Pick<Problem, 'kind'>>, measures: Array<Pick<Measure, 'status'>>,
): { byStatus: Partial<Record<Status, number>>; byKind: Partial<Record<Kind, number>> } {
  const byStatus: Partial<Record<Status, number>> = {};
  for (const s of STATUSES) {
    const n = measures.filter((m) => m.status === s).length;
    if (n) byStatus[s] = n;
  }
  const byKind: Partial<Record<Kind, number>> = {};
  for (const kd of KINDS) {
    const n = problems.filter((p) => p.kind === kd).length;
    if (n) byKind[kd] = n;
  }
  return { byStatus, byKind };
}
