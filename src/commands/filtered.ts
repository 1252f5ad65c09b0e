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
import type { ListCondition, ListIndex } from '../store/ledger-store.js';

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
      if (!r.leader && (await store.indexSize(L, { leader: f.word }))) { r.leader = f.word; continue; }
      if (!r.person && (await store.indexSize(L, { person: f.word }))) { r.person = f.word; continue; }
      throw new DomainError('unknown_filter', `没有看懂筛选条件“${safeText(f.word)}”：它不是本台账的部门、领导或责任人。`, FILTER_HELP);
    }
  }
  if (r.overdue && r.dueDays !== undefined) throw new DomainError('bad_filter', '“逾期”和“临期”不能同时使用，请只选一个。');
  return r;
}

/**
 * Measures matching every filter: how many, and the first `max` by deadline.
 * Each filter is a condition on the ledger's indexes (我的: owner, leader or
 * the owner's department; statuses: any of them; 逾期/临期: a range of the
 * deadline index), and the measures meeting all of them are counted and
 * ranked inside Redis, the narrowest condition read a page at a time
 * (LedgerStore.rankWhere), so a 100k-measure ledger's department of 12,500
 * measures or its 50,000 overdue ones never come into the service. From the
 * deadline index only the closed ones (待销号, done) still have to drop out.
 */
export async function filteredMeasures(ctx: CommandContext, f: ResolvedFilters, max = 20): Promise<{ total: number; ms: Measure[] }> {
  const L = ctx.ledger.id;
  const store = ctx.services.ledgers;
  const today = dayNumber(ctx.today);
  const conds: ListCondition[] = [];
  const person = (name: string): ListIndex[] => [{ owner: name }, { leader: name }];
  if (f.mine) {
    const me = personKey(ctx.speaker.name);
    const dept = ctx.speaker.role === 'owner' && ctx.speaker.department ? canonicalDept(ctx.speaker.department, await store.departmentAliases(L)) : undefined;
    conds.push({ anyOf: [...person(me), ...(dept ? [{ dept }] : [])] });
  }
  if (f.person) conds.push({ anyOf: person(f.person) });
  if (f.dept) conds.push({ anyOf: [{ dept: f.dept }] });
  if (f.leader) conds.push({ anyOf: [{ leader: f.leader }] });
  if (f.statuses.length) conds.push({ anyOf: f.statuses.map((status) => ({ status })) });
  const byDay = !conds.length || f.overdue || f.dueDays !== undefined;
  if (byDay) {
    // The deadline index holds the open measures with a date, in deadline order: every overdue or due-soon one is in it.
    const to = f.overdue ? today - 1 : dayNumber(addDays(ctx.today, f.dueDays ?? 0));
    conds.push({ due: { from: f.overdue ? '-inf' : today, to } });
  }
  // From the deadline index every id is in the asked range already, so only those awaiting review or
  // done drop out; without a deadline filter 我的 without a status drops the done ones.
  const only = byDay ? 'unclosed' : f.mine && !f.statuses.length ? 'open' : undefined;
  const r = await store.rankWhere(L, conds, max, { only });
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
