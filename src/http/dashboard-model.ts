import type { Kind, Light, LedgerDoc, Measure, Status } from '../ledger/types.js';
import { KINDS, STATUSES } from '../ledger/types.js';
import { deadlineDate, dayNumber, shanghaiDate } from '../ledger/dates.js';
import { lightOf } from '../ledger/light.js';
import { isDone } from '../ledger/status.js';
import { aspectHeading } from '../ledger/codes.js';
import type { LinkRole } from '../core/signed-link.js';

/** What a link's role may see: downloads for supervisor and office; viewers of a sensitive ledger get no evidence notes and no histories. */
export function mayView(role: LinkRole, sensitive: boolean): { history: boolean; evidence: boolean; xlsx: boolean; notice: boolean } {
  const full = role !== 'viewer' || !sensitive;
  return { history: full, evidence: full, xlsx: role !== 'viewer', notice: role !== 'viewer' };
}

export { snapshotOf } from '../ledger/day-snapshot.js';

/** Table filters, as they travel in the query string. */
export interface TableQuery {
  aspect?: number;
  kind?: Kind;
  dept?: string;
  leader?: string;
  owner?: string;
  status?: Status;
  light?: Light;
  /** 逾期完成 (done after the deadline) or 延期 (deadline moved by 改期). */
  flag?: 'late' | 'extended';
  q?: string;
  sort: 'code' | 'deadline' | 'updated';
  page: number;
}

export const PAGE_SIZE = 50;
const one = (v: unknown): string | undefined => {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() && s.length <= 100 ? s.trim() : undefined;
};

/** Reads the filters from a query; unknown or bad values are ignored (a shared link never errors). */
export function parseTableQuery(q: Record<string, unknown>): TableQuery {
  const aspect = Number(one(q.aspect));
  const page = Number(one(q.page));
  const kind = one(q.kind), status = one(q.status), light = one(q.light), flag = one(q.flag), sort = one(q.sort);
  return {
    aspect: Number.isInteger(aspect) && aspect > 0 ? aspect : undefined,
    kind: (KINDS as readonly string[]).includes(kind ?? '') ? kind as Kind : undefined,
    dept: one(q.dept), leader: one(q.leader), owner: one(q.owner),
    status: (STATUSES as readonly string[]).includes(status ?? '') ? status as Status : undefined,
    light: light === 'red' || light === 'yellow' || light === 'green' ? light : undefined,
    flag: flag === 'late' || flag === 'extended' ? flag : undefined,
    q: one(q.q),
    sort: sort === 'deadline' || sort === 'updated' ? sort : 'code',
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** The query string of a table view (defaults left out, so links stay short). */
export function tableQueryString(t: Partial<TableQuery>): URLSearchParams {
  const p = new URLSearchParams();
  for (const key of ['aspect', 'kind', 'dept', 'leader', 'owner', 'status', 'light', 'flag', 'q'] as const) {
    const v = t[key];
    if (v !== undefined && v !== '') p.set(key, String(v));
  }
  if (t.sort && t.sort !== 'code') p.set('sort', t.sort);
  if (t.page && t.page > 1) p.set('page', String(t.page));
  return p;
}

/** A done measure finished after its deadline (finish date = its last update, the 完成/销号 change). */
export function finishedLate(m: Measure): boolean {
  const due = deadlineDate(m.deadline);
  return !!due && isDone(m.status) && shanghaiDate(new Date(m.updatedAt)) > due;
}

const squash = (s: string) => s.replace(/[\s\p{P}]/gu, '').toLowerCase();

/**
 * The measures a table view shows: filtered, sorted, one page. `extended` is
 * the set of measure ids with a 改期 event (only needed for flag=extended).
 */
export function tableRows(doc: LedgerDoc, t: TableQuery, today: string, extended: Set<string> = new Set()) {
  const yd = doc.ledger.yellowDays;
  const needle = t.q ? squash(t.q) : '';
  const rows = doc.measures.filter((m) =>
    (t.aspect === undefined || m.aspect === t.aspect)
    && (t.kind === undefined || m.kind === t.kind)
    && (t.dept === undefined || m.departments.includes(t.dept))
    && (t.leader === undefined || m.leaders.includes(t.leader))
    && (t.owner === undefined || m.owners.includes(t.owner))
    && (t.status === undefined || m.status === t.status)
    && (t.light === undefined || lightOf(m, today, yd) === t.light)
    && (t.flag !== 'late' || finishedLate(m))
    && (t.flag !== 'extended' || extended.has(m.id))
    && (!needle || squash(`${m.code}${m.title}${m.departments.join('')}${m.owners.join('')}${m.leaders.join('')}`).includes(needle)));
  if (t.sort === 'deadline') {
    const key = (m: Measure) => { const d = deadlineDate(m.deadline); return d ? dayNumber(d) : Number.MAX_SAFE_INTEGER; };
    rows.sort((a, b) => key(a) - key(b));
  } else if (t.sort === 'updated') {
    rows.sort((a, b) => (b.updatedAt < a.updatedAt ? -1 : b.updatedAt > a.updatedAt ? 1 : 0));
  }
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(t.page, pages);
  return { total: rows.length, page, pages, rows: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) };
}

/** Distinct values for the filter menus. */
export function filterOptions(doc: LedgerDoc) {
  const set = (f: (m: Measure) => string[]) => [...new Set(doc.measures.flatMap(f))].sort((a, b) => a.localeCompare(b, 'zh'));
  return {
    aspects: doc.aspects.map((a) => ({ value: a.aspect, label: aspectHeading(a) })),
    kinds: KINDS.filter((k) => doc.measures.some((m) => m.kind === k)),
    depts: set((m) => m.departments),
    leaders: set((m) => m.leaders),
    owners: set((m) => m.owners),
  };
}
