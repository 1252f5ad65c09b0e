import type { AuditEvent, LedgerDoc, Light, Measure, Status } from '../ledger/types.js';
import { tally } from '../ledger/counters.js';
import { dayNumber, deadlineDate, shanghaiDate } from '../ledger/dates.js';
import { lightOf } from '../ledger/light.js';
import { isClosed, isDone, STATUS_RANK } from '../ledger/status.js';
import type { StatusReport } from '../commands/status-report.js';

/** The figures `rectify status --json` reports; the digest carries the same ones. */
export type DigestCounts = Omit<StatusReport, 'ledger' | 'asOf'>;

export interface Backward {
  measure: Measure;
  from: Status;
  to: Status;
}

/** Backward: reopened after being closed, or a lower open status than before. */
function wentBack(from: Status, to: Status): boolean {
  if (isClosed(from)) return !isClosed(to);
  return !isClosed(to) && STATUS_RANK[to] < STATUS_RANK[from];
}

export interface DeptLine {
  name: string;
  done: number;
  total: number;
  overdue: number;
}

/** Everything the digest shows, computed from (ledger, events since the last digest, now). */
export interface DigestModel {
  ledgerId: string;
  asOf: string;
  since: string;
  counts: DigestCounts;
  newlyDone: Measure[];
  struckOff: Measure[];
  notes: { count: number; items: Measure[] };
  backwards: Backward[];
  stale: Measure[];
  /** 已完成并长期坚持 measures with nothing reported for LOOKBACK_DAYS: due for 回头看. */
  lookback: Measure[];
  red: Measure[];
  yellow: Measure[];
  departments: DeptLine[];
  /** Measures with an open 申请延期, oldest request first. */
  extensions: Measure[];
}

/** Days without an update after which an open measure is called out. */
export const STALE_DAYS = 14;

/** The 回头看 cycle of 已完成并长期坚持 measures: a quarter without a report. */
export const LOOKBACK_DAYS = 90;

/**
 * Builds the digest model. Pure: `events` may contain more than the window
 * (they are filtered by their `at` time to (since, now]), so callers can pass
 * the ledger's recent tail without trimming it.
 */
export function buildDigestModel(doc: LedgerDoc, events: AuditEvent[], since: Date, now: Date, staleDays = STALE_DAYS): DigestModel {
  const today = shanghaiDate(now);
  const yellowDays = doc.ledger.yellowDays;
  const light = new Map<string, Light>(doc.measures.map((m) => [m.id, lightOf(m, today, yellowDays)]));
  const byId = new Map(doc.measures.map((m) => [m.id, m]));
  // One position map for every sort below (built per comparison it made a 10,000-measure digest take seconds).
  const order = docOrder(doc);
  const inWindow = events.filter((e) => {
    const t = Date.parse(e.at);
    return t > since.getTime() && t <= now.getTime() && byId.has(e.itemId);
  });

  // Net change over the window: an item sent back and completed again in the
  // same week is neither new nor backward; its status before the window is
  // the `from` of its first event inside it.
  const start = new Map<string, Status>();
  for (const e of inWindow) if (!start.has(e.itemId) && e.from) start.set(e.itemId, e.from);
  const changed = [...start.keys()].map((id) => byId.get(id)!).sort(order);
  const newlyDone = changed.filter((m) => !isClosed(start.get(m.id)!) && isClosed(m.status));
  const struckOff = changed.filter((m) => start.get(m.id) !== '已销号' && m.status === '已销号');
  // An undone change is as if it never happened: 撤销 cancels the latest earlier event on its item.
  const kept = withoutUndone(inWindow);
  const backwards: Backward[] = changed
    .filter((m) => wentBack(start.get(m.id)!, m.status))
    .map((m) => ({ measure: m, from: start.get(m.id)!, to: m.status }));
  // 退回 is a step back even when the item was reported again later in the week.
  for (const e of kept) {
    if (e.action !== '退回' || backwards.some((b) => b.measure.id === e.itemId)) continue;
    backwards.push({ measure: byId.get(e.itemId)!, from: e.from as Status, to: e.to as Status });
  }
  backwards.sort((a, b) => order(a.measure, b.measure));
  const noteEvents = kept.filter((e) => e.action === '进展');
  const noted = [...new Set(noteEvents.map((e) => e.itemId))].map((id) => byId.get(id)!).sort(order);
  const staleBefore = now.getTime() - staleDays * 86_400_000;
  const stale = doc.measures.filter((m) => !isClosed(m.status) && Date.parse(m.updatedAt) < staleBefore);
  // Long-term measures are kept up, not closed: one with no note for a quarter is due for 回头看.
  const lookbackBefore = now.getTime() - LOOKBACK_DAYS * 86_400_000;
  const lookback = doc.measures.filter((m) => m.status === '已完成并长期坚持'
    && Date.parse(m.notes[0]?.at ?? m.updatedAt) < lookbackBefore);

  const byDue = (a: Measure, b: Measure) =>
    (deadlineDate(a.deadline) ?? '').localeCompare(deadlineDate(b.deadline) ?? '') || order(a, b);
  const red = doc.measures.filter((m) => light.get(m.id) === 'red').sort(byDue);
  const yellow = doc.measures.filter((m) => light.get(m.id) === 'yellow').sort(byDue);

  return {
    ledgerId: doc.ledger.id,
    asOf: today,
    since: since.toISOString(),
    counts: countsOf(doc, red.length, yellow.length),
    newlyDone, struckOff,
    notes: { count: noteEvents.length, items: noted },
    backwards,
    stale, lookback, red, yellow,
    departments: departmentLines(doc.measures, light),
    extensions: doc.measures.filter((m) => m.extension).sort((a, b) => a.extension!.at.localeCompare(b.extension!.at)),
  };
}

function countsOf(doc: LedgerDoc, red: number, yellow: number): DigestCounts {
  const { byStatus, byKind } = tally(doc.problems, doc.measures);
  const done = doc.measures.filter((m) => isDone(m.status)).length;
  const measures = doc.measures.length;
  return {
    measures, problems: doc.problems.length, byStatus, byKind, red, yellow,
    completionRate: measures ? Math.round((done / measures) * 10000) / 10000 : 0,
    extensionsPending: doc.measures.filter((m) => m.extension).length,
    extended: doc.measures.filter((m) => m.extended).length,
  };
}

/** Per department: done / total / overdue, worst first (most overdue, then lowest share done). */
export function departmentLines(measures: Measure[], light: Map<string, Light>): DeptLine[] {
  const lines = new Map<string, DeptLine>();
  for (const m of measures) {
    for (const name of m.departments.length ? m.departments : ['未明确责任部门']) {
      const l = lines.get(name) ?? { name, done: 0, total: 0, overdue: 0 };
      l.total++;
      if (isDone(m.status)) l.done++;
      if (light.get(m.id) === 'red') l.overdue++;
      lines.set(name, l);
    }
  }
  return [...lines.values()].sort((a, b) =>
    b.overdue - a.overdue || a.done / a.total - b.done / b.total || b.total - a.total || a.name.localeCompare(b.name, 'zh'));
}

/** Audit actions of evidence files (src/store/evidence-store.ts): never what a 撤销 takes back. */
const EVIDENCE_ACTIONS = new Set(['佐证', '删除佐证', '恢复佐证']);

/** Events minus those undone (each 撤销 removes the latest earlier event on the same item) and the 撤销 events. */
export function withoutUndone(events: AuditEvent[]): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const e of events) {
    if (e.action !== '撤销') { out.push(e); continue; }
    // Evidence events (a file the report brought) sit between a report and its 撤销: the 撤销 takes back the report.
    for (let i = out.length - 1; i >= 0; i--) {
      if (out[i].itemId === e.itemId && !EVIDENCE_ACTIONS.has(out[i].action)) { out.splice(i, 1); break; }
    }
  }
  return out;
}

function docOrder(doc: LedgerDoc): (a: Measure, b: Measure) => number {
  const pos = new Map(doc.measures.map((m, i) => [m.id, i]));
  return (a, b) => (pos.get(a.id) ?? 0) - (pos.get(b.id) ?? 0);
}

/** Whole days from `today` to a measure's deadline (negative = overdue). */
export function daysLeft(m: Measure, today: string): number | null {
  const due = deadlineDate(m.deadline);
  return due ? dayNumber(due) - dayNumber(today) : null;
}

