import type { AuditEvent, Kind, LedgerDoc } from '../ledger/types.js';
import { tally } from '../ledger/counters.js';
import { lightOf } from '../ledger/light.js';
import { isDone } from '../ledger/status.js';
import { shanghaiDate } from '../ledger/dates.js';
import type { StatusReport } from '../commands/status-report.js';

/**
 * The figures a notice states. `status` has exactly the shape and meaning of
 * `rectify status --json`; the CLI and the chat command pass the store's own
 * report in, and {@link figuresFromDoc} recomputes it from the items for pure use.
 */
export interface NoticeFigures {
  status: StatusReport;
  /** Problems by kind: how many, how many done (信访件 / 问题线索 "已办结N件"). */
  kinds: Partial<Record<Kind, { total: number; done: number }>>;
  /** Measures whose deadline was extended: the store's count, or 改期 events on or before the as-of date. */
  extended: number;
  /** 申请延期 requests awaiting the office. */
  pending: number;
  aspects: number;
}

/** The same figures `statusReport` reads from the counters and the deadline index, from a whole ledger. */
export function statusFromDoc(doc: LedgerDoc, asOf: string): StatusReport {
  const { byStatus, byKind } = tally(doc.problems, doc.measures);
  let red = 0;
  let yellow = 0;
  for (const m of doc.measures) {
    const l = lightOf(m, asOf, doc.ledger.yellowDays);
    if (l === 'red') red++;
    else if (l === 'yellow') yellow++;
  }
  const measures = doc.measures.length;
  const done = doc.measures.filter((m) => isDone(m.status)).length;
  // 申请延期 figures (the x:pending / x:extended counters): read loosely, the fields are optional on a measure.
  const ext = doc.measures as unknown as Array<{ extension?: unknown; extended?: number }>;
  const extension = {
    extensionsPending: ext.filter((m) => m.extension).length,
    extended: ext.filter((m) => m.extended).length,
  } as unknown as Partial<StatusReport>;
  return {
    ledger: doc.ledger.id, asOf, measures, problems: doc.problems.length, byStatus, byKind, red, yellow,
    completionRate: measures ? Math.round((done / measures) * 10000) / 10000 : 0,
    ...extension,
  };
}

/** Problem totals per kind, from the items. */
export function kindFigures(doc: LedgerDoc): NoticeFigures['kinds'] {
  const out: NoticeFigures['kinds'] = {};
  for (const p of doc.problems) {
    const k = (out[p.kind] ??= { total: 0, done: 0 });
    k.total++;
    if (isDone(p.status)) k.done++;
  }
  return out;
}

/** Distinct measures with a 改期 event on or before `asOf` (Shanghai date). */
export function extendedCount(events: AuditEvent[], asOf: string): number {
  const ids = new Set<string>();
  for (const e of events) if (e.action === '改期' && shanghaiDate(new Date(e.at)) <= asOf) ids.add(e.itemId);
  return ids.size;
}

/** All notice figures; `status` defaults to the recount from the items. */
export function noticeFigures(doc: LedgerDoc, asOf: string, o: { status?: StatusReport; events?: AuditEvent[] } = {}): NoticeFigures {
  const status = o.status ?? statusFromDoc(doc, asOf);
  return {
    status,
    kinds: kindFigures(doc),
    // The store's own count of extended measures when it keeps one (what `rectify status` prints), else the 改期 events.
    extended: (status as { extended?: number }).extended ?? extendedCount(o.events ?? [], asOf),
    pending: (status as { extensionsPending?: number }).extensionsPending ?? 0,
    aspects: doc.aspects.length,
  };
}
