import type { Measure } from '../ledger/types.js';
import { dayNumber, formatDateCn, formatDeadline, parseDate, deadlineDate } from '../ledger/dates.js';
import { isClosed } from '../ledger/status.js';
import { roleFor } from '../ledger/roles.js';
import { DomainError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';
import type { Mention } from '../core/message.js';
import { defineCommand, type CommandContext } from './types.js';
import { ReplyBuilder } from './reply.js';
import { short } from './resolve.js';
import { applyToCode, codeAndText } from './write.js';

/** The office's platform accounts for this ledger, to @ on a new request. */
async function officeMentions(ctx: CommandContext): Promise<Mention[]> {
  const users = await ctx.services.directory.listUsers();
  return users
    .filter((u) => u.platform === ctx.msg.platform && roleFor(u, ctx.ledger.id) === 'office')
    .map((u) => ({ userId: u.userId, name: u.name }));
}

async function apply(ctx: CommandContext, code: string, decide: Parameters<typeof applyToCode>[2], check: boolean) {
  const { r } = await applyToCode(ctx, code, decide, check);
  if (r === 'duplicate') throw new DomainError('duplicate', '这条消息已经处理过了，无需重复发送。');
  return r;
}

export const requestExtension = defineCommand<{ code: string; date: string; reason: string }>({
  name: '申请延期', aliases: ['延期', '延期申请'], writes: true,
  summary: '申请延长整改时限并说明原因，由整改办审批（责任人、责任领导）',
  usage: '延期 <编号> <新的日期> <原因>，如：延期 3.2 2025年9月30日 需待上级批复',
  roles: ['office', 'leader', 'owner'],
  parse: (args) => {
    const [code, rest] = codeAndText(args);
    const [date, reason] = codeAndText(rest);
    if (!code || !date) return { error: '请写上编号和申请延至的日期。' };
    if (!reason) return { error: '请在日期后写上申请延期的原因。' };
    return { code, date, reason };
  },
  async run(ctx, { code, date, reason }) {
    const d = parseDate(date, ctx.today);
    if (!d) throw new DomainError('bad_date', `无法识别日期“${safeText(date)}”。请写成 2025年9月30日、9月30日 或 2025-09-30。`);
    if (dayNumber(d) <= dayNumber(ctx.today)) throw new DomainError('bad_date', `申请延至的日期应晚于今天（${formatDateCn(ctx.today)}）。`);
    const r = await apply(ctx, code, (m) => {
      if (isClosed(m.status)) throw new DomainError('already_done', `${m.code} 当前为“${m.status}”，无需申请延期。`);
      const due = deadlineDate(m.deadline);
      if (!due) throw new DomainError('no_deadline', `${m.code} 的整改时限为“${formatDeadline(m.deadline)}”，没有可延的截止日期。`);
      if (dayNumber(d) <= dayNumber(due)) throw new DomainError('bad_date', `申请延至的日期应晚于现有时限（${formatDateCn(due)}）。`);
      if (m.extension) throw new DomainError('already_requested', `${m.code} 已有一项延期申请（延至${formatDateCn(m.extension.date)}）正在等待整改办审批。`);
      return {
        action: '申请延期', status: m.status, note: `申请延期至${formatDateCn(d)}：${reason}`,
        extension: { date: d, reason, by: ctx.speaker.name, at: ctx.now.toISOString() },
      };
    }, true);
    const b = new ReplyBuilder('已提交延期申请');
    b.line(`📝 已提交延期申请：**${r.after.code}** 现有时限 ${formatDeadline(r.after.deadline)}，申请延至 **${formatDateCn(d)}**。`);
    b.line(`原因：${safeText(reason)}`);
    const office = await officeMentions(ctx);
    b.line(`请整改办审批：同意延期 ${r.after.code}，或 不同意延期 ${r.after.code} 原因。`);
    b.mention(...office);
    return b.build();
  },
});

export const approveExtension = defineCommand<{ code: string; text: string }>({
  name: '同意延期', aliases: ['批准延期'], writes: true,
  summary: '同意延期申请，整改时限改为申请的日期（整改办）',
  usage: '同意延期 <编号> [意见]，如：同意延期 3.2',
  roles: ['office'],
  parse: (args) => {
    const [code, text] = codeAndText(args);
    return code ? { code, text } : { error: '请写上要审批的编号。' };
  },
  async run(ctx, { code, text }) {
    let old = '';
    const r = await apply(ctx, code, (m) => {
      if (!m.extension) throw new DomainError('no_request', `${m.code} 没有待审批的延期申请。`);
      old = formatDeadline(m.deadline);
      const to = { type: 'date' as const, date: m.extension.date };
      return {
        action: '同意延期', status: m.status, deadline: to, extension: null, extended: (m.extended ?? 0) + 1,
        note: `同意延期：${old} → ${formatDeadline(to)}${text ? `；${text}` : ''}`,
      };
    }, false);
    const b = new ReplyBuilder('已同意延期');
    b.line(`✅ 已同意延期：**${r.after.code}** 整改时限 ${old} → **${formatDeadline(r.after.deadline)}**。原时限已记入变更记录。`);
    return b.build();
  },
});

export const rejectExtension = defineCommand<{ code: string; text: string }>({
  name: '不同意延期', aliases: ['驳回延期', '不批准延期'], writes: true,
  summary: '不同意延期申请并说明原因，时限不变（整改办）',
  usage: '不同意延期 <编号> <原因>，如：不同意延期 3.2 应按原时限完成',
  roles: ['office'],
  parse: (args) => {
    const [code, text] = codeAndText(args);
    if (!code) return { error: '请写上要审批的编号。' };
    return text ? { code, text } : { error: '请在编号后写上不同意的原因。' };
  },
  async run(ctx, { code, text }) {
    const r = await apply(ctx, code, (m) => {
      if (!m.extension) throw new DomainError('no_request', `${m.code} 没有待审批的延期申请。`);
      return { action: '不同意延期', status: m.status, extension: null, note: `不同意延期至${formatDateCn(m.extension.date)}：${text}` };
    }, false);
    const b = new ReplyBuilder('未同意延期');
    b.line(`❎ 未同意延期：**${r.after.code}** 整改时限仍为 ${formatDeadline(r.after.deadline)}。原因：${safeText(text)}`);
    return b.build();
  },
});

/** Open extension requests: candidates from the recent audit tail, confirmed on the items; the count from the counters. */
export async function pendingExtensions(ctx: Pick<CommandContext, 'services' | 'ledger'>): Promise<{ total: number; items: Measure[] }> {
  const L = ctx.ledger.id;
  const [c, events] = await Promise.all([ctx.services.ledgers.counters(L), ctx.services.ledgers.recentEvents(L, 5000)]);
  const ids = [...new Set(events.filter((e) => e.action === '申请延期').map((e) => e.itemId))];
  const ms = (await ctx.services.ledgers.getMeasures(L, ids)).filter((m) => m.extension);
  ms.sort((a, b) => a.extension!.at.localeCompare(b.extension!.at));
  return { total: c['x:pending'] ?? ms.length, items: ms };
}

export const pendingApprovals = defineCommand<null>({
  name: '待审批', aliases: ['延期申请列表', '待审批延期'],
  summary: '等待整改办审批的延期申请',
  usage: '待审批',
  parse: () => null,
  async run(ctx) {
    const { total, items } = await pendingExtensions(ctx);
    const b = new ReplyBuilder('待审批延期申请');
    b.heading(`待审批的延期申请（${total}项）`);
    if (!total) b.line('目前没有待审批的延期申请。');
    for (const m of items.slice(0, 20)) {
      const x = m.extension!;
      b.item(`**${m.code}** ${short(m.title, 20)}｜${formatDeadline(m.deadline)} → ${formatDateCn(x.date)}｜${safeText(x.by)}：${safeText(x.reason)}`);
    }
    if (total > Math.min(items.length, 20)) b.line(`……另有${total - Math.min(items.length, 20)}项未列出`);
    if (total) b.line('审批：同意延期 编号；不同意延期 编号 原因。');
    return b.build();
  },
});
