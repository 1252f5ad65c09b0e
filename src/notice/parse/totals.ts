import type { Kind, Status } from '../../ledger/types.js';
import { noticeStatus } from '../words.js';
import type { ParsedAspect } from './structure.js';

/** One figure-bearing clause of a totals sentence, e.g. "举一反三整改事项32个,已完成整改32个". */
export interface StatedTotal {
  sentence: string;
  /** 'all': the whole ledger ("巡察整改台账的8个问题"); 'structure': "3个方面8个问题细化分解为21项具体问题". */
  kind: Kind | 'structure' | 'all';
  /** label → number as stated: total, a status (已完成…), or 方面/问题/具体问题 for the structure sentence. */
  stated: Record<string, number>;
}

/** A totals sentence checked against what was parsed. `parsed` values are null where the notice gives nothing to count. */
export interface TotalCheck extends StatedTotal {
  level: 'problems' | 'measures' | 'structure' | 'figures';
  parsed: Record<string, number | null>;
  /** true: every countable figure agrees; false: some differ; null: nothing could be counted. */
  match: boolean | null;
}

const STATUS_WORDS = '已申报完成待销号|已完成整改并长期坚持|完成整改并长期坚持|已完成整改|基本完成整改|阶段性完成|已整改到位|已落实|已办结|完成|正在推进|推进中|尚未启动|未启动';
const UNIT = '[个条件项]';

function subjectKind(s: string): Kind {
  if (/信访件/.test(s)) return '信访件';
  if (/问题线索/.test(s)) return '问题线索';
  if (/整改意见/.test(s)) return '整改意见';
  if (/举一反三/.test(s)) return '举一反三';
  if (/推动改革|促进发展/.test(s)) return '推动改革促进发展';
  return '反馈问题';
}

/** Finds the totals clauses in a paragraph (split at 。；;). */
export function statedTotals(text: string): StatedTotal[] {
  const out: StatedTotal[] = [];
  for (const raw of text.split(/(?<=[。；;])/)) {
    const seg = raw.trim();
    if (!seg) continue;
    const st = seg.match(new RegExp(`(\\d+)个方面(\\d+)个(?:方面)?问题(?:[^。；;]*?(\\d+)(?:项|个|条)(具体问题|具体整改措施|整改措施|具体措施|问题表现|整改任务))?`));
    if (st) {
      out.push({ sentence: seg, kind: 'structure', stated: { 方面: +st[1], 问题: +st[2], ...(st[3] ? { [st[4]]: +st[3] } : {}) } });
      continue;
    }
    const subject = seg.match(new RegExp(`(\\d+)\\s*${UNIT}\\s*(?:“)?(具体问题|反馈问题|问题线索|问题|整改意见|信访件|举一反三整改事项|整改事项|整改任务|整改措施|事项)`))
      ?? seg.match(new RegExp(`(具体问题|反馈问题|整改意见|举一反三整改事项|整改事项|信访件|问题线索)”?\\s*(\\d+)\\s*${UNIT}`));
    if (!subject) continue;
    const total = Number(/^\d/.test(subject[1]) ? subject[1] : subject[2]);
    let after = seg.slice(subject.index! + subject[0].length);
    const stated: Record<string, number> = { total };
    // The shared headline when problems and measures differ: "12个问题，细化为30条整改措施，已完成整改11条……".
    const refined = after.match(/^[，,]?\s*细化为(\d+)\s*[条项](?:整改措施|整改任务)/);
    if (refined) {
      stated.整改措施 = Number(refined[1]);
      after = after.slice(refined[0].length);
    }
    for (const m of after.matchAll(new RegExp(`(${STATUS_WORDS})\\s*(\\d+)\\s*${UNIT}`, 'g'))) {
      const s = noticeStatus(m[1]);
      if (s) stated[s] = (stated[s] ?? 0) + Number(m[2]);
    }
    if (Object.keys(stated).length < 2) continue; // a count without progress is not a totals sentence
    const head = seg.slice(0, subject.index! + subject[0].length);
    out.push({ sentence: seg, kind: /整改台账/.test(head) ? 'all' : subjectKind(head), stated });
  }
  return out;
}

/** Counts by status; null when no item states one. */
function byStatus(statuses: Array<Status | undefined>): Record<string, number> | null {
  if (statuses.every((s) => s === undefined)) return null;
  const c: Record<string, number> = {};
  for (const s of statuses) if (s) c[s] = (c[s] ?? 0) + 1;
  return c;
}

function compare(t: StatedTotal, level: TotalCheck['level'], parsed: Record<string, number | null>): TotalCheck {
  const keys = Object.keys(t.stated);
  const countable = keys.filter((k) => parsed[k] !== null && parsed[k] !== undefined);
  const match = countable.length ? countable.every((k) => parsed[k] === t.stated[k]) : null;
  return { ...t, level, parsed: Object.fromEntries(keys.map((k) => [k, parsed[k] ?? null])), match };
}

/** Cross-checks every stated total against the parsed aspects, problems and measures. */
export function checkTotals(stated: StatedTotal[], aspects: ParsedAspect[]): TotalCheck[] {
  const problems = aspects.flatMap((a) => a.problems);
  return stated.map((t) => {
    if (t.kind === 'structure') {
      const parsed: Record<string, number | null> = { 方面: aspects.length, 问题: problems.length };
      for (const k of Object.keys(t.stated)) if (!(k in parsed)) parsed[k] = problems.reduce((n, p) => n + p.measures.length, 0);
      return compare(t, 'structure', parsed);
    }
    const mine = t.kind === 'all' ? problems : problems.filter((p) => p.kind === t.kind);
    if (t.kind === '整改意见' && !mine.length) {
      // 001: the advice is quoted in the feedback problems' headings; count the distinct ones.
      const advice = new Set(problems.map((p) => p.advice).filter(Boolean));
      return compare(t, 'figures', { total: advice.size || null });
    }
    if (!mine.length) return compare(t, 'figures', { total: null }); // 信访件 451件: figures, not listed one by one
    const measures = mine.flatMap((p) => p.measures.map((m) => m.status ?? p.status));
    // 具体问题 are the measures in 003 (8 problems, 21 具体问题) and the problems in 001: count at the level that fits.
    const refined = '整改措施' in t.stated;
    const level = refined || (t.stated.total === measures.length && t.stated.total !== mine.length) ? 'measures' : 'problems';
    const statuses = level === 'measures' ? byStatus(measures) : byStatus(mine.map((p) => p.status));
    const keys = Object.keys(t.stated).filter((k) => k !== 'total' && k !== '整改措施');
    if (statuses && keys.length === 1 && keys[0] === '已完成') {
      // "已完成整改32个" / "已办结450件" alone: everything finished, 长期坚持 and 已销号 included.
      statuses.已完成 = (statuses.已完成 ?? 0) + (statuses.已完成并长期坚持 ?? 0) + (statuses.已销号 ?? 0);
    } else if (statuses && !('已销号' in t.stated)) {
      // The headline counts 已销号 inside 已完成整改.
      statuses.已完成 = (statuses.已完成 ?? 0) + (statuses.已销号 ?? 0);
    }
    const parsed: Record<string, number | null> = { total: level === 'measures' && !refined ? measures.length : mine.length };
    if (refined) parsed.整改措施 = measures.length;
    for (const k of Object.keys(t.stated)) if (!(k in parsed)) parsed[k] = statuses ? statuses[k] ?? 0 : null;
    return compare(t, level, parsed);
  });
}
