import type { Measure } from '../ledger/types.js';
import { addDays, dayNumber } from '../ledger/dates.js';
import { normalizeInput } from '../ledger/normalize.js';
import { canonicalDept } from '../ledger/departments.js';
import { personKey } from '../ledger/people.js';
import { safeText } from '../core/safe-text.js';
import { defineCommand, type CommandContext, type ParseFailure } from './types.js';
import { ReplyBuilder } from './reply.js';
import { remembered } from './remembered.js';
import { byDeadline, listMeasures, measureLine } from './format.js';
import { parseFilters, type Filter } from './filters.js';
import { filteredReply } from './filtered.js';
import type { ListSpec } from '../store/ledger-store.js';

/** Arguments of a list command: its own condition alone (the plain list) or with other filters. */
type ListArgs<A> = { own: A } | { filters: Filter[] };

/** Reads "<keyword> <args>" as filters; `own` picks the plain form when nothing else was given. */
function listParse<A>(keyword: string, own: (fs: Filter[]) => A | undefined) {
  return (args: string): ListArgs<A> | ParseFailure => {
    const fs = parseFilters(`${keyword} ${args}`);
    if ('error' in fs) return fs;
    if (fs.length === 1) {
      const o = own(fs);
      if (o !== undefined) return { own: o as A };
    }
    return { filters: fs };
  };
}

/** `total` is the full count when only the first `ms` were fetched (deadline lists on big ledgers). */
function listReply(ctx: CommandContext, title: string, ms: Measure[], empty: string, total = ms.length) {
  const b = new ReplyBuilder(title);
  b.heading(`${title}（${total}项）`);
  if (!ms.length) b.line(empty);
  listMeasures(b, ctx, ms, 20, total);
  return b;
}

/**
 * A plain deadline list: open measures due in [from, to] (day numbers), the count and the earliest
 * 20 from the deadline index, answered again from memory while that read is unchanged (remembered.ts).
 */
function dueListReply(ctx: CommandContext, from: number | '-inf', to: number, title: string, empty: string) {
  return remembered(ctx, `${title}\u0000${from}\u0000${to}`,
    (known) => ctx.services.ledgers.dueMeasures(ctx.ledger.id, from, to, 20, known ?? ''),
    ({ total, measures }) => listReply(ctx, title, measures.sort(byDeadline), empty, total).build());
}

/** An index union's counts and its first 20 by deadline (of the open ones when `openOnly`; see LedgerStore.listRead). */
async function listed(ctx: CommandContext, spec: ListSpec, openOnly = false) {
  const r = await ctx.services.ledgers.listRead(ctx.ledger.id, spec, { limit: 20, openOnly });
  return { ...r, ms: r.measures.sort(byDeadline) };
}

export const overdue = defineCommand<ListArgs<null>>({
  name: '逾期',
  aliases: ['超期', '红灯', '逾期事项', '逾期清单'],
  summary: '已过整改时限仍未完成的措施',
  usage: '逾期 [部门/领导/我的…]，如：逾期、逾期 政治部、我的 逾期',
  parse: listParse<null>('逾期', () => null),
  async run(ctx, a) {
    if ('filters' in a) return filteredReply(ctx, a.filters);
    return dueListReply(ctx, '-inf', dayNumber(ctx.today) - 1, '🔴 逾期事项', '目前没有逾期事项。');
  },
});

export const dueSoon = defineCommand<ListArgs<number | null>>({
  name: '临期',
  aliases: ['即将到期', '黄灯', '快到期', '到期'],
  summary: '即将到期的措施（默认按台账的预警天数）',
  usage: '临期 [天数] [部门/领导/我的…]，如：临期、临期 30、临期 30 政治部',
  parse: listParse<number | null>('临期', (fs) => (fs[0].kind === 'due' ? fs[0].days ?? null : undefined)),
  async run(ctx, a) {
    if ('filters' in a) return filteredReply(ctx, a.filters);
    const days = a.own;
    const d = days ?? ctx.ledger.yellowDays;
    // 🟡 is the ledger's yellow window; a longer window is not all yellow, so it gets a calendar instead.
    const mark = d <= ctx.ledger.yellowDays ? '🟡' : '📅';
    return dueListReply(ctx, dayNumber(ctx.today), dayNumber(addDays(ctx.today, d)), `${mark} ${d}天内到期`, `${d}天内没有到期的未完成事项。`);
  },
});

export const mine = defineCommand<ListArgs<null>>({
  name: '我的',
  aliases: ['我的事项', '我的任务', '我负责的'],
  summary: '我负责的事项（整改办：待销号的事项）',
  usage: '我的 [逾期/临期/待销号…]，如：我的、我的 逾期',
  parse: listParse<null>('我的', () => null),
  async run(ctx, a) {
    const s = ctx.speaker;
    if ('filters' in a && s.known) return filteredReply(ctx, a.filters);
    const L = ctx.ledger.id;
    if (s.role === 'office') {
      const { ms, total } = await listed(ctx, { status: '待销号' });
      return listReply(ctx, '待销号事项', ms, '目前没有待审核销号的事项。', total).forSender().build();
    }
    if (!s.known) {
      const b = new ReplyBuilder('我的事项');
      b.line('您还不在本台账的人员名单中，暂时查不到您负责的事项。请联系整改办登记。');
      return b.forSender().build();
    }
    // An owner's department joins the list, named through the ledger's aliases (in the same script).
    const { ms, total, open } = await listed(ctx, { person: personKey(s.name), dept: s.role === 'owner' && s.department ? normalizeInput(s.department) : undefined }, true);
    const b = listReply(ctx, `${s.name}负责的未完成事项`, ms, total ? `您负责的${total}项措施均已完成。` : '本台账中没有由您负责的措施。', open);
    if (open) b.line('更新进展：进展 编号 说明；报完成：完成 编号 说明。');
    return b.forSender().build();
  },
});

export const dept = defineCommand<ListArgs<string>>({
  name: '部门',
  aliases: ['责任部门', '单位'],
  summary: '某个责任部门的全部措施',
  usage: '部门 <名称> [逾期/临期/待销号…]，如：部门 政治部、部门 政治部 逾期',
  parse: listParse<string>('部门', (fs) => (fs[0].kind === 'dept' ? fs[0].name : undefined)),
  async run(ctx, a) {
    if ('filters' in a) return filteredReply(ctx, a.filters);
    const name = a.own;
    const L = ctx.ledger.id;
    const found = await listed(ctx, { dept: normalizeInput(name) });
    if (found.deptCount > 0) return listReply(ctx, `${safeText(found.deptName)}的整改措施`, found.ms, '该部门没有整改措施。', found.total).build();
    // Not a department of the ledger as written: one that contains the name, or the list of them.
    const n = canonicalDept(name, await ctx.services.ledgers.departmentAliases(L));
    const all = await ctx.services.ledgers.departments(L);
    const hit = all.filter((d) => d.includes(n) || n.includes(d));
    if (hit.length !== 1) {
      const b = new ReplyBuilder('部门');
      b.line(`没有找到部门“${safeText(n)}”。${all.length ? `台账中的部门有：${all.map(safeText).join('、')}。` : ''}`);
      return b.build();
    }
    const { ms, total } = await listed(ctx, { dept: hit[0] });
    return listReply(ctx, `${safeText(hit[0])}的整改措施`, ms, '该部门没有整改措施。', total).build();
  },
});

export const leader = defineCommand<ListArgs<string>>({
  name: '领导',
  aliases: ['责任领导', '分管领导'],
  summary: '某位责任领导分管的措施',
  usage: '领导 <姓名> [逾期/临期/待销号…]，如：领导 罗拥军、领导 罗拥军 逾期',
  parse: listParse<string>('领导', (fs) => (fs[0].kind === 'leader' ? fs[0].name : undefined)),
  async run(ctx, a) {
    if ('filters' in a) return filteredReply(ctx, a.filters);
    const name = a.own;
    const n = personKey(name);
    const { ms, total } = await listed(ctx, { leader: n });
    return listReply(ctx, `${safeText(n)}分管的整改措施`, ms, `没有找到由“${safeText(n)}”担任责任领导的措施。`, total).build();
  },
});

/** How many hits a 搜索 reply lists; the total is always given. */
export const SEARCH_SHOWN = 20;

export const search = defineCommand<string>({
  name: '搜索',
  aliases: ['查找', '检索', '找'],
  summary: '按关键词搜索问题和措施',
  usage: '搜索 <关键词>，如：搜索 公车',
  parse: (args) => {
    const q = normalizeInput(args);
    const len = q.replace(/\s/g, '').length;
    if (len < 2) return { error: '关键词请至少写两个字。' };
    return len > 40 ? { error: '关键词太长了，请写不超过40个字。' } : q;
  },
  async run(ctx, q) {
    const { total, exact, items } = await ctx.services.ledgers.chatSearch(ctx.ledger.id, q, SEARCH_SHOWN);
    const b = new ReplyBuilder(`搜索：${q}`);
    const count = `${exact ? '' : '约'}${total.toLocaleString('en-US')}项`;
    b.heading(`搜索“${safeText(q)}”：共找到${count}`);
    if (total > items.length && items.length) b.line(`按台账顺序显示前${items.length}项，可换用更具体的关键词缩小范围。`);
    // Hits come in document order: a problem is followed by its matching measures.
    for (const i of items) {
      if (i.level === 'measure') b.item(measureLine(ctx, i));
      else b.item(`**${i.code}**（问题）${safeText(i.title)}`);
    }
    if (!items.length) b.line('没有找到相关事项，换个关键词试试。');
    return b.build();
  },
});

export const pending = defineCommand<ListArgs<null>>({
  name: '待销号',
  aliases: ['待审核', '待验收'],
  summary: '已申报完成、等待整改办审核销号的措施',
  usage: '待销号 [部门/领导…]，如：待销号、待销号 政治部',
  parse: listParse<null>('待销号', () => null),
  async run(ctx, a) {
    if ('filters' in a) return filteredReply(ctx, a.filters);
    const { ms, total } = await listed(ctx, { status: '待销号' });
    const b = listReply(ctx, '待销号事项', ms, '目前没有待审核销号的事项。', total);
    if (ms.length) b.line('整改办审核：销号 编号 [意见]；退回：退回 编号 原因。');
    return b.build();
  },
});
