import type { Measure, Status } from '../ledger/types.js';
import { formatDateCn, formatDeadline, parseDate } from '../ledger/dates.js';
import { isClosed, isDone, STATUS_RANK } from '../ledger/status.js';
import { isQuestion, readStatus } from '../ledger/lexicon.js';

const PROGRESS_WORDS: Status[] = ['推进中', '阶段性完成', '基本完成'];
import { DomainError } from '../core/errors.js';
import { AlreadyReported } from './already-reported.js';
import { safeText } from '../core/safe-text.js';
import type { ChangeResult, MeasureUpdate } from '../store/item-changes.js';
import { defineCommand, type CommandContext, type ParseFailure } from './types.js';
import { ReplyBuilder } from './reply.js';
import { assertCanWriteIn, resolveMeasure } from './resolve.js';
import { aliasOf, parseCode } from '../ledger/codes.js';

/** "<编号> <说明>" → [code, rest]; the code is the first token. */
export function codeAndText(args: string): [string, string] {
  const m = args.match(/^(\S+?)(?:[\s,，:：]+(.*))?$/s);
  return m ? [m[1], (m[2] ?? '').trim()] : ['', ''];
}

/**
 * Applies `decide` to the measure `code` names, after checking (`check`) that the speaker may
 * write it. A code naming one measure is resolved in the change's own read (one round trip
 * fewer); anything else (a problem standing for its one measure, an unknown or ambiguous code)
 * the long way, with its errors and suggestions. `target`: the measure when the long way found it.
 */
export async function applyToCode(
  ctx: CommandContext, code: string, decide: (m: Measure) => MeasureUpdate, check: boolean,
): Promise<{ r: ChangeResult | 'duplicate'; target: Measure | null }> {
  const s = ctx.speaker;
  const actor = { platform: s.platform, userId: s.userId, name: s.name };
  const q = parseCode(code);
  // The commands' decisions and checks never read the notes: the measure is read without them (ApplyOptions.notes).
  const r = q ? await ctx.services.changes.applyByAlias(ctx.ledger.id, aliasOf(q), actor, ctx.msg.messageId, decide, check ? (m) => assertCanWriteIn(ctx, m) : undefined, { notes: false }) : 'unresolved';
  if (r !== 'unresolved') return { r, target: null };
  // Only the id and who may write it are needed here: the change reads the measure again, notes and all.
  const target = await resolveMeasure(ctx, code, { notes: false });
  if (check) await assertCanWriteIn(ctx, target);
  return { r: await ctx.services.changes.apply(ctx.ledger.id, target.id, actor, ctx.msg.messageId, decide, { notes: false }), target };
}

async function change(ctx: CommandContext, code: string, decide: (m: Measure) => MeasureUpdate, check = true): Promise<ChangeResult> {
  const { r, target } = await applyToCode(ctx, code, decide, check);
  if (r === 'duplicate') {
    // Applied before (a re-run after a crash, or a retry): confirm what stands now instead of refusing.
    const id = (target ?? await resolveMeasure(ctx, code, { notes: false })).id;
    const now = (await ctx.services.ledgers.getItem(ctx.ledger.id, id)) as Measure | null;
    if (!now) throw new DomainError('duplicate', '这条消息已经处理过了，无需重复发送。');
    return { eventId: '', before: now, after: now, problemBefore: now.status, problemAfter: now.status };
  }
  return r;
}

function done(title: string, r: ChangeResult, extra?: string) {
  const b = new ReplyBuilder(title);
  const arrow = r.before.status === r.after.status ? r.after.status : `${r.before.status} → **${r.after.status}**`;
  b.line(`✅ ${title}：**${r.after.code}** ${arrow}`);
  if (extra) b.line(extra);
  if (r.problemBefore !== r.problemAfter) b.line(`所属问题状态：${r.problemBefore} → ${r.problemAfter}`);
  b.line('如有误，10分钟内发送“撤销”可恢复。');
  return b.forSender().build();
}

const needText = (what: string) => (args: string): { code: string; text: string } | ParseFailure => {
  const [code, text] = codeAndText(args);
  if (!code) return { error: '请写上编号。' };
  if (!text) return { error: `请在编号后写上${what}。` };
  return { code, text };
};

export const progressNote = defineCommand<{ code: string; text: string }>({
  name: '进展', aliases: ['进度更新', '更新', '汇报', '报进展'], writes: true,
  summary: '报告进展（责任人、责任领导、整改办）',
  usage: '进展 <编号> <说明>，如：进展 3.2 已起草制度初稿',
  roles: ['office', 'leader', 'owner'],
  parse: (args) => {
    const p = needText('进展说明')(args);
    if ('error' in p) return p;
    if (isQuestion(p.text, true)) return { error: `这像是一个提问，未作记录。了解情况请发送：查看 ${p.code}` };
    return p;
  },
  async run(ctx, { code, text }) {
    // "进展 3.2 基本完成，…" also moves the status to what it says; "完成一半" stays 推进中 with its percentage in the note.
    const said = readStatus(text);
    const to = said.kind === 'status' && PROGRESS_WORDS.includes(said.status) ? said.status : undefined;
    const plainWord = said.kind === 'status' && said.percent === undefined && said.rest && to && to !== '推进中';
    const note = plainWord ? said.rest : text;
    const r = await change(ctx, code, (m) => {
      if (to && (m.status === '待销号' || isDone(m.status))) {
        throw new AlreadyReported('already_done', `${m.code} 当前为“${m.status}”，不能改回“${to}”。如需重新整改，请整改办“退回”。`, m);
      }
      // Progress words only move an item forward; going back is the office's 退回.
      const forward = to && STATUS_RANK[to] > STATUS_RANK[m.status] ? to : undefined;
      return { action: '进展', status: forward ?? (m.status === '未启动' ? '推进中' : m.status), note };
    });
    return done('已记录进展', r, `说明：${safeText(note)}`);
  },
});

export const complete = defineCommand<{ code: string; text: string; longterm: boolean; review: boolean }>({
  name: '完成', aliases: ['已完成', '报完成', '申请销号', '办结'], writes: true,
  summary: '报告完成并附佐证说明；需长期坚持的写“长期坚持”',
  usage: '完成 <编号> [长期坚持] <佐证说明>，如：完成 3.2 制度已印发',
  roles: ['office', 'leader', 'owner'],
  parse: (args) => {
    const p = needText('完成情况和佐证材料说明')(args);
    if ('error' in p) return p;
    const lt = p.text.match(/^(?:并)?长期坚持[\s,，:：。]*(.*)$/s);
    if (lt && !lt[1]) return { error: '请在“长期坚持”后写上完成情况和佐证材料说明。' };
    if (isQuestion(p.text, true)) return { error: `这像是一个提问，未作登记。了解情况请发送：查看 ${p.code}` };
    // "完成 5.2 一半" or "完成 5.2 尚未完成" does not report completion.
    const said = readStatus(p.text);
    if (said.kind === 'status' && !['已完成', '已完成并长期坚持', '待销号'].includes(said.status)) {
      const pct = said.percent !== undefined ? `（进度${said.percent}%）` : '';
      return { error: `“${p.text}”表明尚未全部完成${pct}，未作完成登记。如需记录进展，请发送：进展 ${p.code} ${p.text}` };
    }
    const review = said.kind === 'status' && said.review === true;
    return lt ? { code: p.code, text: lt[1], longterm: true, review } : { ...p, longterm: false, review };
  },
  async run(ctx, { code, text, longterm, review }) {
    // Asking for 验收/审核 sends the item to the office even on a ledger that needs no review.
    // Long-term completion goes through the office's review like any other when the ledger requires it.
    const reviewed = ctx.ledger.requireReview || review;
    const target: Status = reviewed ? '待销号' : longterm ? '已完成并长期坚持' : '已完成';
    const r = await change(ctx, code, (m) => {
      if (m.status === '待销号') throw new AlreadyReported('already_pending', `${m.code} 已申报完成，正在等待整改办审核销号。`, m);
      if (m.status === target || isDone(m.status)) throw new AlreadyReported('already_done', `${m.code} 已是“${m.status}”状态，无需重复申报。如需补充说明，请用“进展”。`, m);
      return { action: longterm ? '完成（长期坚持）' : '完成', status: target, note: text, evidence: true };
    });
    const extra = target !== '待销号' ? undefined
      : longterm ? '已提交整改办审核，审核通过后转入长期坚持。' : '已提交整改办审核，审核通过后销号。';
    return done('已申报完成', r, extra);
  },
});

export const strike = defineCommand<{ code: string; text: string }>({
  name: '销号', aliases: ['审核通过', '通过'], writes: true,
  summary: '审核通过并销号（整改办）',
  usage: '销号 <编号> [意见]，如：销号 3.2 材料齐全',
  roles: ['office'],
  parse: (args) => {
    const [code, text] = codeAndText(args);
    return code ? { code, text } : { error: '请写上要销号的编号。' };
  },
  async run(ctx, { code, text }) {
    // A measure reported as 长期坚持 passes review into 已完成并长期坚持 (it is kept up, not struck off).
    const target = await resolveMeasure(ctx, code);
    const last = (await ctx.services.ledgers.history(ctx.ledger.id, target.id)).reverse().find((e) => e.action.startsWith('完成'));
    const longterm = last?.action === '完成（长期坚持）';
    const r = await change(ctx, code, (m) => {
      if (m.status === '已销号') throw new DomainError('already_struck', `${m.code} 已经销号。`);
      if (!isClosed(m.status)) throw new DomainError('not_reported', `${m.code} 当前为“${m.status}”，尚未申报完成，不能销号。可先“退回”或等待责任人申报。`);
      if (longterm && m.status === '待销号') return { action: '销号（长期坚持）', status: '已完成并长期坚持', note: text || '审核通过，转入长期坚持' };
      return { action: '销号', status: '已销号', note: text || '审核通过' };
    }, false);
    return done(r.after.status === '已销号' ? '已销号' : '审核通过', r, r.after.status === '已完成并长期坚持' ? '审核通过，转入长期坚持，请按期开展“回头看”。' : undefined);
  },
});

export const sendBack = defineCommand<{ code: string; text: string }>({
  name: '退回', aliases: ['驳回', '打回', '不通过'], writes: true,
  summary: '退回重新整改并说明原因（整改办）',
  usage: '退回 <编号> <原因>，如：退回 3.2 缺少佐证材料',
  roles: ['office'],
  parse: needText('退回原因'),
  async run(ctx, { code, text }) {
    const r = await change(ctx, code, (m) => {
      if (!isClosed(m.status) && m.status !== '基本完成') throw new DomainError('not_reported', `${m.code} 当前为“${m.status}”，尚未申报完成，无需退回。`);
      return { action: '退回', status: '推进中', note: text };
    }, false);
    return done('已退回', r, `原因：${safeText(text)}`);
  },
});

export const reschedule = defineCommand<{ code: string; date: string; text: string }>({
  name: '改期', aliases: ['调整时限', '修改时限'], writes: true,
  summary: '调整整改时限并说明原因（整改办）',
  usage: '改期 <编号> <日期> <原因>，如：改期 3.2 2025年6月30日 需上级审批',
  roles: ['office'],
  parse: (args) => {
    const [code, rest] = codeAndText(args);
    const [date, reason] = codeAndText(rest);
    if (!code || !date) return { error: '请写上编号和新的日期。' };
    if (!reason) return { error: '请在日期后写上改期原因。' };
    return { code, date, text: reason };
  },
  async run(ctx, { code, date, text }) {
    const d = parseDate(date, ctx.today);
    if (!d) throw new DomainError('bad_date', `无法识别日期“${safeText(date)}”。请写成 2025年1月3日、1月3日 或 2025-01-03。`);
    // A date already past turns the item red at once: ask before writing, unless the office confirmed.
    const confirmed = /^确认[\s,，:：]*/.test(text);
    if (d < ctx.today && !confirmed) {
      return new ReplyBuilder('请确认改期').line(`新时限 ${formatDateCn(d)} 早于今天（${formatDateCn(ctx.today)}），改期后该事项将立即列为逾期，本次暂未修改。`)
        .line(`如确需改期，请发送：改期 ${code} ${date} 确认 ${safeText(text)}`).forSender().build();
    }
    if (confirmed) text = text.replace(/^确认[\s,，:：]*/, '') || '确认改期';
    const r = await change(ctx, code, (m) => ({ action: '改期', status: m.status, deadline: { type: 'date', date: d }, note: `${formatDeadline(m.deadline)} → ${formatDeadline({ type: 'date', date: d })}：${text}` }), false);
    return done('已调整时限', r, `新时限：${formatDeadline(r.after.deadline)}；原因：${safeText(text)}`);
  },
});

export const undo = defineCommand<null>({
  name: '撤销', aliases: ['撤回', '取消'], writes: true,
  summary: '撤销本人10分钟内的最近一次修改（含删除佐证；撤销进展/完成时一并撤下随之上传的佐证材料）',
  usage: '撤销',
  roles: ['office', 'leader', 'owner'],
  parse: () => null,
  async run(ctx) {
    const s = ctx.speaker;
    const actor = { platform: s.platform, userId: s.userId, name: s.name };
    const L = ctx.ledger.id;
    const ev = ctx.services.evidence;
    // The last change was a 删除佐证: bring the files back (same 序号, bytes were kept).
    const pending = ev ? await ev.pendingUndo(L, actor) : null;
    if (ev && pending) {
      const back = await ev.restoreEvidence(L, pending, actor, ctx.msg.messageId);
      if (!back) throw new DomainError('nothing_to_undo', '没有可撤销的操作（只能撤销您本人10分钟内的最近一次修改）。');
      const b = new ReplyBuilder('已撤销');
      if (!back.length) return b.line(`要恢复的 ${pending.rec.code} 佐证材料已不在删除记录中，未作改动。`).forSender().build();
      b.line(`↩️ 已撤销删除：**${pending.rec.code}** 的佐证材料已恢复（序号不变）：`);
      for (const r of back) b.item(`第${r.n ?? '?'}份：${safeText(r.name)}`);
      return b.forSender().build();
    }
    const r = await ctx.services.changes.undo(L, actor, ctx.msg.messageId);
    const b = new ReplyBuilder('已撤销');
    b.line(`↩️ 已撤销：**${r.after.code}** 恢复为“${r.after.status}”，时限 ${formatDeadline(r.after.deadline)}。`);
    // The files that report brought (same message, or sent alone right after it) go with it, softly.
    const since = r.undone?.at;
    if (ev && since) {
      const mine = (await ev.list(L, r.after.id)).filter((f) => f.by.platform === s.platform && f.by.userId === s.userId
        && (f.messageId === r.undone?.messageId || f.at >= since));
      if (mine.length) {
        const w = await ev.removeEvidence(L, r.after, mine.map((f) => f.id), actor, ctx.msg.messageId, { why: '撤销', notePrefix: '随撤销撤下：' });
        if (w.ok) b.line(`随该次报告上传的佐证材料一并撤下：${w.records.map((f) => `第${f.n}份 ${safeText(f.name)}`).join('、')}。`);
      }
    }
    return b.forSender().build();
  },
});
