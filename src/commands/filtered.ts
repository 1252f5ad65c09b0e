import type { Measure } from '../ledger/types.js';
import { addDays, deadlineDate, dayNumber } from '../ledger/dates.js';
import { isClosed, isDone } from '../ledger/status.js';
import { personKey } from '../ledger/people.js';
import { canonicalDept } from '../ledger/departments.js';
import { DomainError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';
import type { CommandContext } from './types.js';
import { ReplyBuilder } from './reply.js';
import { byDeadline, listMeasures } from './format.js';
import { describeFilters, type Filter, type ResolvedFilters } from './filters.js';

const FILTER_HELP = '可组合的条件：逾期、临期 [天数]、我的、部门 名称、领导 姓名、待销号或其他状态，也可直接写部门名称或领导姓名，顺序不限。';

/** Bare words become a department, a leader or a person of this ledger; anything else is named back. */
export async function resolveFilters(ctx: CommandContext, filters: Filter[]): Promise<ResolvedFilters> {
  const L = ctx.ledger.id;
  const store = ctx.services.ledgers;
  const r: ResolvedFilters = { overdue: false, mine: false, statuses: [] };
  let all: string[] | undefined;
  let aliases: Record<string, string> | undefined;
  const findDept = async (written: string): Promise<string | undefined> => {
    all ??= await store.departments(L);
    aliases ??= await store.departmentAliases(L);
    const name = canonicalDept(written, aliases);
    if (all.includes(name)) return name;
    const hit = all.filter((d) => d.includes(name) || name.includes(d));
    return hit.length === 1 ? hit[0] : undefined;
  };
  for (const f of filters) {
    if (f.kind === 'overdue') r.overdue = true;
    else if (f.kind === 'due') r.dueDays = f.days ?? ctx.ledger.yellowDays;
    else if (f.kind === 'mine') r.mine = true;
    else if (f.kind === 'status') { if (!r.statuses.includes(f.status)) r.statuses.push(f.status); }
    else if (f.kind === 'leader') r.leader = f.name;
    else if (f.kind === 'dept') {
      const d = await findDept(f.name);
      if (!d) {
        throw new DomainError('unknown_department', `没有找到部门“${safeText(f.name)}”。${all!.length ? `台账中的部门有：${all!.map(safeText).join('、')}。` : ''}`);
      }
      r.dept = d;
    } else {
      const d = await findDept(f.word);
      if (d && !r.dept) { r.dept = d; continue; }
      if (!r.leader && (await store.idsByLeader(L, f.word)).length) { r.leader = f.word; continue; }
      if (!r.person && (await store.idsForPerson(L, f.word)).length) { r.person = f.word; continue; }
      throw new DomainError('unknown_filter', `没有看懂筛选条件“${safeText(f.word)}”：它不是本台账的部门、领导或责任人。`, FILTER_HELP);
    }
  }
  if (r.overdue && r.dueDays !== undefined) throw new DomainError('bad_filter', '“逾期”和“临期”不能同时使用，请只选一个。');
  return r;
}

function intersect(a: string[] | undefined, b: string[]): string[] {
  if (!a) return b;
  const s = new Set(b);
  return a.filter((x) => s.has(x));
}

/** Items read per round trip while a filtered list is checked (bounds what is held at once). */
const CHUNK = 200;

/**
 * Measures matching every filter: how many, and the first `max` by deadline.
 * Candidates come from the narrowest indexes. Without a deadline filter they
 * are ranked by their status and deadline fields alone and only the first
 * `max` read whole (LedgerStore.rankMeasures), so a 100k-measure ledger's
 * department of 12,500 measures is never held at once. A deadline filter takes the
 * deadline index's order (by day) and stops reading once later days cannot
 * enter the first `max`: `部门 政治部 逾期` reads a few hundred measures and
 * counts the rest from the index, as `逾期` alone does.
 */
export async function filteredMeasures(ctx: CommandContext, f: ResolvedFilters, max = 20): Promise<{ total: number; ms: Measure[] }> {
  const L = ctx.ledger.id;
  const store = ctx.services.ledgers;
  const today = dayNumber(ctx.today);
  let ids: string[] | undefined;
  if (f.mine) {
    const dept = ctx.speaker.role === 'owner' && ctx.speaker.department ? canonicalDept(ctx.speaker.department, await store.departmentAliases(L)) : undefined;
    ids = await store.idsForPerson(L, personKey(ctx.speaker.name), dept);
  }
  if (f.person) ids = intersect(ids, await store.idsForPerson(L, f.person));
  if (f.dept) ids = intersect(ids, await store.idsByDepartment(L, f.dept));
  if (f.leader) ids = intersect(ids, await store.idsByLeader(L, f.leader));
  if (f.statuses.length) ids = intersect(ids, (await Promise.all(f.statuses.map((s) => store.idsByStatus(L, s)))).flat());
  const keep = (m: Pick<Measure, 'status' | 'deadline'>) => {
    const due = deadlineDate(m.deadline);
    const left = due ? dayNumber(due) - today : undefined;
    if (f.overdue && (isClosed(m.status) || left === undefined || left >= 0)) return false;
    if (f.dueDays !== undefined && (isClosed(m.status) || left === undefined || left < 0 || left > f.dueDays)) return false;
    // 我的 without a status lists what is still to do.
    if (f.mine && !f.statuses.length && isDone(m.status)) return false;
    return true;
  };
  let byDay = false;
  if (!ids || f.overdue || f.dueDays !== undefined) {
    // The deadline index holds the open measures with a date, in deadline order: every overdue or due-soon one is in it.
    const to = f.overdue ? today - 1 : dayNumber(addDays(ctx.today, f.dueDays ?? 0));
    const due = await store.dueIds(L, f.overdue ? '-inf' : today, to, ids ? 1_000_000 : 10_000);
    ids = ids ? intersect(due, ids) : due;
    byDay = true;
  }
  // Not in deadline order (a status, department, leader or person alone): ranked by the order fields, only the first `max` read whole.
  if (!byDay) {
    const r = await store.rankMeasures(L, ids, max, keep);
    return { total: r.kept, ms: r.measures };
  }
  let rejected = 0;
  let best: Measure[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const slice = ids.slice(i, i + CHUNK);
    const read = await store.getMeasures(L, slice);
    const ok = read.filter(keep);
    rejected += slice.length - ok.length;
    best = [...best, ...ok].sort(byDeadline).slice(0, max);
    // In deadline order, nothing after a later day than the last of the best can enter them: the rest count unread.
    const last = read.length ? deadlineDate(read[read.length - 1].deadline) : undefined;
    if (byDay && best.length >= max && last && deadlineDate(best[max - 1].deadline)! < last) break;
  }
  return { total: ids.length - rejected, ms: best };
}

/** The reply for a list command given more than its own condition. */
export async function filteredReply(ctx: CommandContext, filters: Filter[]) {
  const f = await resolveFilters(ctx, filters);
  const { total, ms } = await filteredMeasures(ctx, f, 20);
  const { title, empty } = describeFilters(f, ctx.speaker.name, ctx.ledger.yellowDays);
  const b = new ReplyBuilder(title.replace(/^(?:🔴|🟡|📅) /u, ''));
  b.heading(`${safeText(title)}（${total}项）`);
  if (!total) b.line(safeText(empty));
  listMeasures(b, ctx, ms, 20, total);
  if (f.mine) b.forSender();
  return b.build();
}
