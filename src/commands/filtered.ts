import type { Measure } from '../ledger/types.js';
import { addDays, dayNumber } from '../ledger/dates.js';
import { personKey } from '../ledger/people.js';
import { canonicalDept } from '../ledger/departments.js';
import { DomainError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';
import type { CommandContext } from './types.js';
import { ReplyBuilder } from './reply.js';
import { listMeasures } from './format.js';
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

/**
 * Measures matching every filter: how many, and the first `max` by deadline.
 * Candidates come from the narrowest indexes. Without a deadline filter they
 * are ranked by their status and deadline fields alone and only the first
 * `max` read whole (LedgerStore.rankMeasures), so a 100k-measure ledger's
 * department of 12,500 measures is never held at once. A deadline filter takes its
 * candidates from the deadline index (by day), where only the closed ones (待销号,
 * done) still have to drop out: ranked and counted the same way, exactly.
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
  let byDay = false;
  if (!ids || f.overdue || f.dueDays !== undefined) {
    // The deadline index holds the open measures with a date, in deadline order: every overdue or due-soon one is in it.
    const to = f.overdue ? today - 1 : dayNumber(addDays(ctx.today, f.dueDays ?? 0));
    const due = await store.dueIds(L, f.overdue ? '-inf' : today, to, ids ? 1_000_000 : 10_000);
    ids = ids ? intersect(due, ids) : due;
    byDay = true;
  }
  // Ranked in Redis by their order fields, only the first `max` read whole. From the deadline index
  // every id is in the asked range already, so only those awaiting review or done drop out; without
  // a deadline filter 我的 without a status drops the done ones.
  const only = byDay ? 'unclosed' : f.mine && !f.statuses.length ? 'open' : undefined;
  const r = await store.rankMeasures(L, ids, max, { only });
  return { total: r.kept, ms: r.measures };
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
