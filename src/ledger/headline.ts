import type { InspectionType, Status } from './types.js';
import { formatMonthDayCn } from './dates.js';

/** What a headline sentence counts. `byStatus` counts measures. */
export interface HeadlineCounts {
  inspectionType: InspectionType;
  /** Shanghai date the figures stand at (YYYY-MM-DD). */
  asOf: string;
  problems: number;
  measures: number;
  byStatus: Partial<Record<Status, number>>;
  /**
   * What the ledger calls its measure level. "具体问题" (seed 003: "8个问题细化分解为21项具体问题")
   * gives the seeds' form over the measures; unset, problems ≠ measures gives "细化为…条整改措施".
   */
  measureNoun?: '具体问题' | '整改措施';
  /** False when the ledger also holds 整改意见, 举一反三 … (then "整改台账的N项整改任务"). Default true. */
  feedbackOnly?: boolean;
  /** Open extension requests and approved extensions ("申请延期整改3条"). */
  extensionsPending?: number;
}

/** How the notices word each status; 已销号 is counted inside 已完成整改. */
const WORD: Array<[Status, string]> = [
  ['已完成', '已完成整改'],
  ['已完成并长期坚持', '已完成整改并长期坚持'],
  ['待销号', '已申报完成待销号'],
  ['基本完成', '基本完成整改'],
  ['阶段性完成', '阶段性完成'],
  ['推进中', '正在推进'],
  ['未启动', '尚未启动'],
];

/**
 * The headline of 进度, the digest and the notice, in the notices' counting
 * language:
 * - the seeds' form when each counted item is a problem ("巡察反馈的21个具体问题，
 *   已完成整改9个，已完成整改并长期坚持11个，基本完成整改1个。");
 * - problems and measures when they differ ("巡察反馈的12个问题，细化为30条整改措施，
 *   已完成整改11条（其中已销号1条）、基本完成整改3条……").
 * 已销号 is part of 已完成整改, never a parallel group. Pure.
 */
export function headlineSentence(c: HeadlineCounts): string {
  const feedbackOnly = c.feedbackOnly ?? true;
  const seedForm = c.measureNoun === '具体问题' || (c.measureNoun !== '整改措施' && c.problems === c.measures);
  const unit = !feedbackOnly ? '项' : seedForm ? '个' : '条';
  const struck = c.byStatus['已销号'] ?? 0;
  const parts: string[] = [];
  for (const [s, word] of WORD) {
    const n = (c.byStatus[s] ?? 0) + (s === '已完成' ? struck : 0);
    if (!n) continue;
    const inner = s === '已完成' && struck ? `（其中已销号${struck}${unit}）` : '';
    parts.push(`${word}${n}${unit}${inner}`);
  }
  if (c.extensionsPending) parts.push(`申请延期整改${c.extensionsPending}${unit}`);
  const t = c.inspectionType;
  let what: string;
  if (!feedbackOnly) what = seedForm ? `${t}整改台账的${c.measures}项整改任务` : `${t}整改台账的${c.problems}个问题，细化为${c.measures}项整改任务`;
  else if (seedForm) what = `${t}反馈的${c.measures}个具体问题`;
  else what = `${t}反馈的${c.problems}个问题，细化为${c.measures}条整改措施`;
  const sep = seedForm ? '，' : '、';
  return `截至${formatMonthDayCn(c.asOf)}，${what}${parts.length ? `，${parts.join(sep)}` : ''}。`;
}
