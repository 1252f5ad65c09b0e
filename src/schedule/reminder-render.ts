import type { Mention, Reply } from '../core/message.js';
import type { Ledger, Measure } from '../ledger/types.js';
import { deadlineDate, formatMonthDayCn } from '../ledger/dates.js';
import { safeText } from '../core/safe-text.js';
import { ReplyBuilder } from '../commands/reply.js';
import { AUDIENCE_LABEL, type LadderStep, type StepHit } from './reminders.js';
import type { PeopleLookup } from './digest-render.js';

export interface ReminderContent {
  hits: StepHit[];
  lookback: Measure[];
  /** Fields (StepHit.field, 回头看 fields) whose people were reached 1:1: listed, not @-mentioned. */
  quiet?: Set<string>;
  /** People named by listed items who have no account on this platform, so no 1:1 reached them. */
  fallback?: string[];
  lookbackFields?: Map<string, string>;
}

/**
 * One reminder message per chat and run: a section per ladder step (the
 * people that step names are @-mentioned), then the monthly 回头看 prompts.
 */
export function renderReminders(ledger: Ledger, c: ReminderContent, people: PeopleLookup, office: Mention[]): Reply | null {
  if (!c.hits.length && !c.lookback.length) return null;
  const b = new ReplyBuilder('整改时限提醒');
  b.heading(`⏰ ${safeText(ledger.title)} · 整改时限提醒`);
  const steps: LadderStep[] = [];
  for (const h of c.hits) if (!steps.includes(h.step)) steps.push(h.step);
  steps.sort((x, y) => (x.days === 'overdue' ? -1 : y.days === 'overdue' ? 1 : x.days - y.days));
  const mentions: Mention[] = [];
  for (const step of steps) {
    const hits = c.hits.filter((h) => h.step === step);
    const whom = step.notify.map((a) => AUDIENCE_LABEL[a]).join('、');
    b.blank().line(step.days === 'overdue'
      ? `**🔴 已逾期（${hits.length}项）**：请${whom}督促落实，尽快报送整改情况`
      : `**🟡 到期前${step.days}天（${hits.length}项）**：请${whom}抓紧推进`);
    for (const h of hits) {
      const m = h.measure;
      const named: string[] = [];
      if (step.notify.includes('owner')) named.push(...m.owners);
      if (step.notify.includes('leader')) named.push(...m.leaders);
      const loud = !c.quiet?.has(h.field);
      if (loud) for (const n of named) mentions.push(...people(n));
      const due = formatMonthDayCn(deadlineDate(m.deadline)!);
      const when = h.daysLeft < 0 ? `${due}到期，已逾期${-h.daysLeft}天` : h.daysLeft === 0 ? `今天（${due}）到期` : `${due}到期，还有${h.daysLeft}天`;
      b.item(`**${m.code}** ${clip(m.title)}｜${when}｜${names(m.departments, [...new Set(named)])}`);
    }
    if (step.notify.includes('office') && hits.some((h) => !c.quiet?.has(h.field))) mentions.push(...office);
  }
  if (c.lookback.length) {
    b.blank().line(`**🔁 长期坚持事项回头看（${c.lookback.length}项）**：请责任人对照整改措施开展“回头看”，巩固整改成果`);
    for (const m of c.lookback) {
      if (!c.quiet?.has(c.lookbackFields?.get(m.id) ?? '')) for (const n of m.owners) mentions.push(...people(n));
      b.item(`**${m.code}** ${clip(m.title)}｜${names(m.departments, m.owners)}`);
    }
  }
  if (c.fallback?.length) {
    b.blank().line(`${c.fallback.map(safeText).join('、')}尚未登记本平台账号，无法私信提醒，请在群内留意并及时报送。`);
  }
  b.blank().line('完成后请发送“完成 编号 佐证说明”，有新进展请发送“进展 编号 说明”。');
  b.mention(...mentions);
  return b.build();
}

function clip(title: string, n = 20): string {
  const t = [...title];
  return safeText(t.length > n ? `${t.slice(0, n).join('')}…` : title);
}

function names(depts: string[], people: string[]): string {
  return [depts.join('、'), people.join('、')].filter(Boolean).map(safeText).join('｜') || '未明确责任人';
}
