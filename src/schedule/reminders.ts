import type { Measure } from '../ledger/types.js';
import { dayNumber, deadlineDate, shanghaiDate } from '../ledger/dates.js';
import { isClosed } from '../ledger/status.js';
import { normalizeInput } from '../ledger/normalize.js';

/** Who a reminder step @-mentions. */
export type Audience = 'owner' | 'leader' | 'office';

/** One rung of the ladder: `days` before the deadline, or once overdue. */
export interface LadderStep {
  days: number | 'overdue';
  notify: Audience[];
}

/** The default ladder: 20 days @owner, 10 days @owner + leader, overdue @leader + office. */
export const DEFAULT_LADDER: LadderStep[] = [
  { days: 20, notify: ['owner'] },
  { days: 10, notify: ['owner', 'leader'] },
  { days: 'overdue', notify: ['leader', 'office'] },
];

const AUDIENCE_WORDS: Array<[RegExp, Audience]> = [
  [/^(owner|责任人|责任部门|部门)$/i, 'owner'],
  [/^(leader|领导|责任领导|分管领导)$/i, 'leader'],
  [/^(office|整改办|办公室)$/i, 'office'],
];
export const AUDIENCE_LABEL: Record<Audience, string> = { owner: '责任人', leader: '责任领导', office: '整改办' };

/**
 * Parses "20:owner;10:owner+leader;overdue:leader+office" (Chinese words and
 * full-width punctuation accepted: "20天:责任人；逾期:责任领导+整改办").
 */
export function parseLadder(input: string): LadderStep[] | { error: string } {
  const parts = normalizeInput(input).split(/[;；,，]\s*/).map((s) => s.trim()).filter(Boolean);
  if (!parts.length) return { error: '提醒阶梯为空。示例：20:owner;10:owner+leader;overdue:leader+office' };
  const steps: LadderStep[] = [];
  for (const p of parts) {
    const m = p.match(/^(overdue|逾期|\d{1,3})天?\s*[:：]\s*(.+)$/i);
    if (!m) return { error: `无法识别提醒阶梯“${p}”，应写成“天数:对象”，如 10:owner+leader。` };
    const notify: Audience[] = [];
    for (const w of m[2].split(/[+＋、&]/).map((x) => x.trim())) {
      const a = AUDIENCE_WORDS.find(([re]) => re.test(w))?.[1];
      if (!a) return { error: `无法识别提醒对象“${w}”（可用：owner/责任人、leader/责任领导、office/整改办）。` };
      if (!notify.includes(a)) notify.push(a);
    }
    const days = /^\d+$/.test(m[1]) ? Number(m[1]) : 'overdue';
    if (steps.some((s) => s.days === days)) return { error: `提醒阶梯中“${m[1]}”重复了。` };
    steps.push({ days, notify });
  }
  return steps.sort((a, b) => stepRank(a) - stepRank(b));
}

/** Earlier rungs first: 20 days, 10 days, overdue. */
function stepRank(s: LadderStep): number {
  return s.days === 'overdue' ? Number.MAX_SAFE_INTEGER : -s.days;
}

export function formatLadder(ladder: LadderStep[]): string {
  return ladder.map((s) => `${s.days === 'overdue' ? '逾期' : `到期前${s.days}天`}：${s.notify.map((a) => AUDIENCE_LABEL[a]).join('、')}`).join('；');
}

export function ladderToString(ladder: LadderStep[]): string {
  return ladder.map((s) => `${s.days}:${s.notify.join('+')}`).join(';');
}

/** A measure that reached a ladder step in this run. */
export interface StepHit {
  measure: Measure;
  step: LadderStep;
  daysLeft: number;
  /** Claim field: once per item, step and deadline (a new deadline re-arms the ladder). */
  field: string;
}

/**
 * For each open measure with a dated deadline, the furthest step it has
 * reached today. Skipped rungs (an item added 5 days before its deadline)
 * are not sent late: only the furthest one counts.
 */
export function reachedSteps(measures: Measure[], today: string, ladder: LadderStep[]): StepHit[] {
  const rungs = [...ladder].sort((a, b) => stepRank(b) - stepRank(a));
  const out: StepHit[] = [];
  for (const m of measures) {
    const due = deadlineDate(m.deadline);
    if (!due || isClosed(m.status)) continue;
    const left = dayNumber(due) - dayNumber(today);
    const step = rungs.find((s) => (s.days === 'overdue' ? left < 0 : left >= 0 && left <= s.days));
    if (step) out.push({ measure: m, step, daysLeft: left, field: `${m.id}|${step.days}|${due}` });
  }
  return out;
}

/** Whether a run at `now` may send the monthly 回头看 prompts (the first week of a month). */
export function lookbackWeek(now: Date): boolean {
  return Number(shanghaiDate(now).slice(8, 10)) <= 7;
}

/** Measures kept up over the long term (已完成并长期坚持), each due a prompt once a month. */
export function lookbackItems(measures: Measure[], now: Date): Array<{ measure: Measure; field: string }> {
  if (!lookbackWeek(now)) return [];
  const month = shanghaiDate(now).slice(0, 7);
  return measures.filter((m) => m.status === '已完成并长期坚持').map((measure) => ({ measure, field: `${measure.id}|lookback|${month}` }));
}
