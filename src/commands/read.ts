import type { Aspect, Measure, Problem } from '../ledger/types.js';
import { KINDS } from '../ledger/types.js';
import { addDays, dayNumber, formatDeadline, formatMonthDayCn, shanghaiDate } from '../ledger/dates.js';
import { formatPercent, progressBar } from '../ledger/light.js';
import { headlineSentence } from '../ledger/headline.js';
import { safeText } from '../core/safe-text.js';
import { statusReport } from './status-report.js';
import { defineCommand, type CommandContext } from './types.js';
import { ReplyBuilder } from './reply.js';
import { remembered } from './remembered.js';
import type { Lookup, ProgressFigures } from '../store/read-scripts.js';
import type { Reply } from '../core/message.js';

/** 历史's event time, as Date#toLocaleString('zh-CN') gives it in Shanghai (built once: a formatter is costly). */
const EVENT_TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', hour12: false, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
});
import { measureLine, noteLine } from './format.js';
import { deadlineShort, stateLabel, stateMark } from '../ledger/deadline-truth.js';
import { isClosed } from '../ledger/status.js';
import { aspectHeading, problemWithCode } from '../ledger/codes.js';
import { evidenceBlock, evidenceHidden, evidenceList, evidenceView } from './evidence.js';
import { resolveItem, resolveWithKids, short, type Resolved } from './resolve.js';

const STATUS_ORDER = ['已完成', '已完成并长期坚持', '已销号', '待销号', '基本完成', '阶段性完成', '推进中', '未启动'] as const;

export const progress = defineCommand<null>({
  name: '进度',
  aliases: ['总览', '整改进度', '进展情况', '统计', '概况'],
  summary: '整体进度：各类问题、各状态数量、完成率、逾期临期、各方面进度条',
  usage: '进度',
  parse: () => null,
  async run(ctx) {
    const L = ctx.ledger.id;
    // One round trip: counters, both deadline counts and the aspects (see read-scripts.ts), or only
    // the word that they are exactly those the answer remembered for today was built from.
    const today = dayNumber(ctx.today);
    const yellowTo = dayNumber(addDays(ctx.today, ctx.ledger.yellowDays));
    const reply = await remembered(ctx, '进度', (known) => ctx.services.ledgers.progressFigures(L, today - 1, today, yellowTo, known),
      (f) => progressReply(ctx, f));
    // The link is signed anew each time (its secret may have been renewed since).
    const url = await ctx.services.dashboardLink?.(L);
    return url ? { ...reply, link: { title: '打开整改看板', url } } : reply;
  },
});

/** 进度's answer from its figures (without the dashboard link). */
async function progressReply(ctx: CommandContext, f: ProgressFigures): Promise<Reply> {
  const L = ctx.ledger.id;
  const c = f.counters;
  const aspects = f.aspects as Aspect[];
  const r = await statusReport(ctx.services, L, ctx.today, { ledger: ctx.ledger, counters: c, red: f.red, yellow: f.yellow });
  const b = new ReplyBuilder(`${ctx.ledger.title} 整改进度`);
  b.heading(`${safeText(ctx.ledger.title)}`);
  const feedbackOnly = Object.keys(r.byKind).every((k) => k === '反馈问题');
  b.line(headlineSentence({ ...r, inspectionType: ctx.ledger.inspectionType, asOf: ctx.today, measureNoun: ctx.ledger.measureNoun, feedbackOnly }));
  if (r.extensionsPending) b.line(`申请延期待审批 **${r.extensionsPending}** 项，已批准延期 ${r.extended} 项。`);
  b.line(`共${r.problems}个问题、${r.measures}条整改措施，完成率 **${formatPercent(r.completionRate)}**`);
  b.line(progressBar(Math.round(r.completionRate * r.measures), r.measures));
  b.blank();
  const kinds = KINDS.filter((kd) => c[`k:${kd}`]).map((kd) => `${kd} ${c[`k:${kd}`]}个（已完成${c[`kd:${kd}`] ?? 0}个）`);
  if (kinds.length) b.line(`**问题类别**：${kinds.join('；')}`);
  const st = STATUS_ORDER.filter((s) => r.byStatus[s]).map((s) => `${s} ${r.byStatus[s]}`);
  b.line(`**措施状态**：${st.join(' · ') || '暂无'}`);
  b.line(`🔴 逾期 **${r.red}** 项 · 🟡 ${ctx.ledger.yellowDays}天内到期 **${r.yellow}** 项`);
  b.blank();
  b.line('**分方面进度**');
  for (const a of aspects) {
    const t = c[`a:${a.aspect}:t`] ?? 0;
    const d = c[`a:${a.aspect}:d`] ?? 0;
    b.item(`${short(aspectHeading(a), 18)} ${progressBar(d, t)}（${d}/${t}）`);
  }
  b.blank();
  b.line('发送“逾期”“临期”“我的”或“查看 编号”了解详情。');
  return b.build();
}

export const view = defineCommand<string>({
  name: '查看',
  aliases: ['详情', '查询', 'ck', '看一下', '看看', '查一下', '了解一下'],
  summary: '查看事项详情：责任领导、部门、时限、状态、最新进展',
  usage: '查看 <编号>，如：查看 二.3、查看 3.2（也可以直接发编号）；“查看 3.2 佐证”只看佐证材料',
  parse: (args) => (args ? args : { error: '请写上要查看的编号。' }),
  async run(ctx, code) {
    // "查看 3.2 佐证" / "查看 3.2 佐证材料": just the measure's evidence list.
    const ev = code.match(/^(.*?)\s*(?:的)?\s*佐证(?:材料)?$/);
    if (ev) return ev[1] ? evidenceList(ctx, ev[1]) : evidenceView.run(ctx, '');
    // A measure's evidence comes with it from the lookup (one round trip for 查看 a measure). The
    // answer is remembered per code and day, and used again when the same read's digest is unchanged;
    // not for viewers where evidence is wired (whether they may see it is the ledger's setting).
    const evidence = !!ctx.services.evidence;
    return remembered(ctx, `查看\u0000${code}`,
      (known) => (known === undefined ? resolveWithKids(ctx, code, { evidence }) : resolveWithKids(ctx, code, { evidence, known })),
      (found) => viewReply(ctx, found), !(ctx.speaker.role === 'viewer' && evidence));
  },
});

/** 查看's answer for an item found (with its children, or a measure's evidence). */
async function viewReply(ctx: CommandContext, { item, kids: children, evidence }: Resolved): Promise<Reply> {
  const b = new ReplyBuilder(`${item.code} 详情`);
  if (item.level === 'measure') return measureDetail(ctx, item, b, evidence);
  if (item.level === 'problem') {
    const kids = children.filter((i): i is Measure => i.level === 'measure');
    b.heading(safeText(problemWithCode(item)));
    b.line(`类别：${item.kind}　状态：**${item.status}**　整改措施${kids.length}条`);
    b.blank();
    for (const m of kids) b.item(measureLine(ctx, m));
    return b.build();
  }
  const problems = children as Problem[];
  b.heading(safeText(aspectHeading(item)));
  for (const p of problems) b.item(`**${p.code}** ${short(p.title, 24)}｜${p.status}`);
  return b.build();
}

async function measureDetail(ctx: CommandContext, m: Measure, b: ReplyBuilder, evidence?: Lookup['evidence']) {
  b.heading(`${m.code} 整改措施`);
  b.line(safeText(m.title));
  b.blank();
  const mark = stateMark(m, ctx.today, ctx.ledger.yellowDays);
  // Closed: the state's own mark (and 逾期完成); open: the deadline light.
  b.item(isClosed(m.status) ? `状态：${stateLabel(mark)}` : `状态：**${m.status}**　${stateLabel(mark)}`);
  b.item(`整改时限：${deadlineShort(m.deadline)}`);
  b.item(`责任领导：${safeText(m.leaders.join('、') || '—')}`);
  b.item(`责任部门：${safeText(m.departments.join('、') || '—')}`);
  b.item(`责任人：${safeText(m.owners.join('、') || '—')}`);
  b.item(`类别：${m.kind}　更新于 ${formatMonthDayCn(shanghaiDate(new Date(m.updatedAt)))}`);
  // Viewers of a sensitive ledger see neither evidence files nor completion notes (as on the dashboard).
  // (Asked only when there is a completion note to hide; evidenceBlock asks when there are files.)
  const hidden = m.notes.some((n) => n.evidence) ? await evidenceHidden(ctx) : undefined;
  const notes = hidden ? m.notes.filter((n) => !n.evidence) : m.notes;
  if (notes.length) {
    b.blank();
    b.line('**最新进展**');
    for (const n of notes.slice(0, 3)) b.item(noteLine(n));
  }
  await evidenceBlock(ctx, m, b, hidden, evidence);
  return b.build();
}

export const history = defineCommand<string>({
  name: '历史',
  aliases: ['记录', '变更记录', '日志'],
  summary: '事项的全部变更记录（谁、何时、由何状态改为何状态）',
  usage: '历史 <编号>',
  roles: ['office', 'supervisor', 'leader', 'owner'],
  parse: (args) => (args ? args : { error: '请写上要查看历史的编号。' }),
  async run(ctx, code) {
    const item = await resolveItem(ctx, code);
    const events = await ctx.services.ledgers.history(ctx.ledger.id, item.id);
    const b = new ReplyBuilder(`${item.code} 变更记录`);
    b.heading(`${item.code} 变更记录（${events.length}条）`);
    if (!events.length) b.line('暂无变更记录（导入后尚未更新）。');
    for (const e of events.slice(-30)) {
      const when = EVENT_TIME.format(new Date(e.at));
      const change = e.from !== e.to ? `${e.from} → ${e.to}` : e.to;
      b.item(`${when} ${safeText(e.actor.name)} ${e.action}｜${change}${e.note ? `｜${safeText(e.note)}` : ''}`);
    }
    return b.build();
  },
});
