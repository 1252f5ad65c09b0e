import type { Aspect, Kind, LedgerDoc, Measure, Problem, Status } from '../../ledger/types.js';
import { displayCode, itemId } from '../../ledger/codes.js';
import { rollUp } from '../../ledger/status.js';
import { ledgerFromMeta, type LedgerMeta } from '../../reports/ledger-build.js';
import type { NoticeParse, NoticeSummary, ParsedProblem } from './index.js';

/** Status of a measure the notice says nothing about. */
export const UNSTATED_STATUS: Status = '推进中';

/** Problem numbers: as stated; unnumbered items (001's 举一反三) after the highest; duplicates renumbered in order. */
function numbers(ps: ParsedProblem[], warnings: string[], where: string): number[] {
  const stated = ps.map((p) => p.number).filter((n): n is number => n !== undefined);
  if (new Set(stated).size !== stated.length) {
    warnings.push(`${where}问题序号有重复，已按出现顺序重新编号。`);
    return ps.map((_, i) => i + 1);
  }
  let next = Math.max(0, ...stated);
  return ps.map((p) => p.number ?? ++next);
}

/**
 * The draft ledger: facts from the notice (the command line's --org, --group…
 * win), statuses as stated (else 推进中), deadlines unknown (长期坚持 until the
 * office sets them), no owners. Never written without the office's say-so.
 */
export function noticeToDoc(p: NoticeParse, meta: LedgerMeta, today: string): { doc: LedgerDoc; warnings: string[] } {
  const warnings = [...p.warnings];
  const f = p.facts;
  const ledger = ledgerFromMeta({
    ...meta,
    title: meta.title ?? (f.org ? `${f.org}${f.inspectionType ?? '巡察'}整改台账` : undefined),
    org: meta.org ?? f.org,
    inspectionType: meta.inspectionType ?? f.inspectionType,
    inspectionGroup: meta.inspectionGroup ?? f.inspectionGroup,
    feedbackDate: meta.feedbackDate ?? f.feedbackDate,
  }, meta.numbering ?? p.numbering, today);
  if (!meta.feedbackDate && !f.feedbackDate) warnings.push(`通报未载明反馈日期，暂按${today}登记，请用 --feedback-date 指定。`);
  const n = ledger.numbering;
  const now = ledger.createdAt;
  const aspects: Aspect[] = [];
  const problems: Problem[] = [];
  const measures: Measure[] = [];
  const globalNos = n === 'global' ? numbers(p.aspects.flatMap((a) => a.problems), warnings, '全篇') : [];
  let gi = 0;
  let unstated = 0;
  p.aspects.forEach((a, ai) => {
    const A = ai + 1;
    aspects.push({ id: itemId(A), code: displayCode(n, A), level: 'aspect', title: a.title, aspect: A });
    const nos = n === 'global' ? a.problems.map(() => globalNos[gi++]) : numbers(a.problems, warnings, `第${A}个方面`);
    a.problems.forEach((pr, pi) => {
      const P = nos[pi];
      const pid = itemId(A, P);
      const list = pr.measures.length ? pr.measures : [{ text: pr.title, para: pr.para }];
      const mine: Measure[] = list.map((m, mi) => {
        const status = ('status' in m && m.status) || pr.status || UNSTATED_STATUS;
        if (!('status' in m && m.status) && !pr.status) unstated++;
        return {
          id: itemId(A, P, mi + 1), code: displayCode(n, A, P, mi + 1), level: 'measure', title: m.text, aspect: A,
          problemId: pid, number: mi + 1, kind: pr.kind as Kind, leaders: [], departments: [], owners: [],
          deadline: { type: 'longterm' }, status, notes: [], createdAt: now, updatedAt: now, version: 0,
        };
      });
      problems.push({ id: pid, code: displayCode(n, A, P), level: 'problem', title: pr.title, aspect: A, number: P, kind: pr.kind, status: rollUp(mine.map((m) => m.status)) });
      measures.push(...mine);
    });
  });
  if (unstated) warnings.push(`${unstated}条整改措施的进度通报未载明，暂登记为“${UNSTATED_STATUS}”。`);
  warnings.push('通报未载明责任领导、责任部门和整改时限：草稿中整改时限暂按“长期坚持”登记，请整改办补充后再使用。');
  return { doc: { ledger, aspects, problems, measures }, warnings };
}

/** The `--dry-run --json` summary of a parse and its draft. */
export function noticeSummary(p: NoticeParse, doc: LedgerDoc | null, warnings: string[] = p.warnings): NoticeSummary {
  const byKind: NoticeSummary['byKind'] = {};
  const byStatus: NoticeSummary['byStatus'] = {};
  for (const pr of doc?.problems ?? []) byKind[pr.kind] = (byKind[pr.kind] ?? 0) + 1;
  for (const m of doc?.measures ?? []) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
  return {
    ledger: { ...p.facts, numbering: doc?.ledger.numbering ?? p.numbering },
    aspects: doc?.aspects.length ?? 0, problems: doc?.problems.length ?? 0, measures: doc?.measures.length ?? 0,
    byKind, byStatus,
    totals: p.totals.map(({ sentence, stated, parsed, match }) => ({ sentence, stated, parsed, match })),
    unplaced: p.unplaced.map((u) => u.text),
    warnings,
  };
}
