import type { Mention, Reply } from '../core/message.js';
import type { Ledger, Measure } from '../ledger/types.js';
import { headlineSentence } from '../ledger/headline.js';
import { finishedLate } from '../ledger/deadline-truth.js';
import { shortTitle } from '../ledger/shorten.js';
import { formatMonthDayCn, shanghaiDate } from '../ledger/dates.js';
import { progressBar } from '../ledger/light.js';
import { safeText } from '../core/safe-text.js';
import { ReplyBuilder } from '../commands/reply.js';
import { daysLeft, LOOKBACK_DAYS, type DigestCounts, type DigestModel } from './digest-model.js';

/** Looks up the platform accounts to @ for a person named in the ledger. */
export type PeopleLookup = (name: string) => Mention[];

export interface DigestRenderOptions {
  /** A (signed) link to the ledger's dashboard, when PUBLIC_URL is set. */
  dashboardUrl?: string;
  people?: PeopleLookup;
  /** Whether the ledger holds only feedback problems (decides "具体问题" vs "整改任务"). */
  feedbackOnly?: boolean;
}

/**
 * The digest's headline: the shared sentence builder (src/ledger/headline.ts),
 * so 进度, the digest and the notice count alike.
 */
export function headline(ledger: Ledger, c: DigestCounts, asOf: string, feedbackOnly = true): string {
  return headlineSentence({
    inspectionType: ledger.inspectionType, asOf, problems: c.problems, measures: c.measures, byStatus: c.byStatus,
    measureNoun: ledger.measureNoun, feedbackOnly, extensionsPending: c.extensionsPending,
  });
}

const LIST_MAX = { red: 15, yellow: 10, week: 10, stale: 8, depts: 12 };

/** Renders the one merged digest message (markdown + plain text twin). */
export function renderDigest(ledger: Ledger, d: DigestModel, o: DigestRenderOptions = {}): Reply {
  const c = d.counts;
  const b = new ReplyBuilder(`整改进展通报（${formatMonthDayCn(d.asOf)}）`);
  b.heading(`${safeText(ledger.title)} · 整改进展通报`);
  b.line(headline(ledger, c, d.asOf, o.feedbackOnly ?? true));
  const done = Math.round(c.completionRate * c.measures);
  b.line(`**完成率** ${progressBar(done, c.measures)}（${done}/${c.measures}）`);
  b.line(`🔴 逾期 **${c.red}** 项 · 🟡 ${ledger.yellowDays}天内到期 **${c.yellow}** 项`);

  b.blank().line(`**本期动态**（${formatMonthDayCn(shanghaiDate(new Date(d.since)))}以来）`);
  const codes = (ms: Measure[]) => codeList(ms, LIST_MAX.week);
  let quiet = true;
  if (d.newlyDone.length) {
    quiet = false;
    const late = d.newlyDone.filter(finishedLate);
    b.item(`新完成 ${d.newlyDone.length} 项：${codes(d.newlyDone)}${late.length ? `（其中逾期完成${late.length}项：${codes(late)}）` : ''}`);
  }
  if (d.struckOff.length) { quiet = false; b.item(`新销号 ${d.struckOff.length} 项：${codes(d.struckOff)}`); }
  if (d.notes.count) { quiet = false; b.item(`报送进展 ${d.notes.count} 条，涉及 ${d.notes.items.length} 项：${codes(d.notes.items)}`); }
  if (d.backwards.length) {
    quiet = false;
    const xs = d.backwards.slice(0, LIST_MAX.week).map((x) => `${x.measure.code}（${x.from}→${x.to}）`);
    b.item(`状态倒退 ${d.backwards.length} 项：${xs.join('、')}${more(d.backwards.length, LIST_MAX.week)}`);
  }
  if (quiet) b.item('本期没有新的完成、销号或进展报送。');
  if (d.stale.length) b.item(`超过14天未更新 ${d.stale.length} 项：${codeList(d.stale, LIST_MAX.stale)}`);
  if (d.lookback?.length) b.item(`长期坚持事项${LOOKBACK_DAYS}天未报送回头看情况 ${d.lookback.length} 项：${codeList(d.lookback, LIST_MAX.stale)}`);
  if (d.extensions?.length) b.item(`申请延期待审批 ${d.extensions.length} 项：${codeList(d.extensions, LIST_MAX.week)}（整改办发送“待审批”查看）`);

  const mentions: Mention[] = [];
  if (d.red.length) {
    b.blank().line(`**🔴 逾期事项（${d.red.length}项）**`);
    for (const m of d.red.slice(0, LIST_MAX.red)) {
      const people = m.owners.length ? m.owners : m.leaders;
      for (const n of people) mentions.push(...(o.people?.(n) ?? []));
      b.item(`🔴 **${m.code}** ${clip(m.title)}｜逾期${-(daysLeft(m, d.asOf) ?? 0)}天｜${who(m.departments, people)}`);
    }
    if (d.red.length > LIST_MAX.red) b.line(`……另有${d.red.length - LIST_MAX.red}项逾期，发送“逾期”查看全部`);
  }
  if (d.yellow.length) {
    b.blank().line(`**🟡 临期事项（${d.yellow.length}项）**`);
    for (const m of d.yellow.slice(0, LIST_MAX.yellow)) {
      const left = daysLeft(m, d.asOf) ?? 0;
      b.item(`🟡 **${m.code}** ${clip(m.title)}｜${left === 0 ? '今天到期' : `还有${left}天`}｜${who(m.departments, m.owners)}`);
    }
    if (d.yellow.length > LIST_MAX.yellow) b.line(`……另有${d.yellow.length - LIST_MAX.yellow}项临期，发送“临期”查看全部`);
  }

  if (d.departments.length) {
    b.blank().line('**各部门情况**（完成/总数，逾期多的在前）');
    for (const l of d.departments.slice(0, LIST_MAX.depts)) {
      b.item(`${safeText(l.name)} ${l.done}/${l.total}${l.overdue ? `，逾期${l.overdue}项` : ''}`);
    }
    if (d.departments.length > LIST_MAX.depts) b.line(`……另有${d.departments.length - LIST_MAX.depts}个部门`);
  }
  b.mention(...mentions);
  if (o.dashboardUrl) b.withLink({ title: '打开整改看板', url: o.dashboardUrl });
  return b.build();
}

function codeList(ms: Measure[], max: number): string {
  return ms.slice(0, max).map((m) => m.code).join('、') + more(ms.length, max);
}

function more(n: number, max: number): string {
  return n > max ? ` 等${n}项` : '';
}

function clip(title: string, n = 20): string {
  return safeText(shortTitle(title, n));
}

function who(depts: string[], people: string[]): string {
  return [depts.join('、'), people.join('、')].filter(Boolean).map(safeText).join('｜') || '未明确责任人';
}
