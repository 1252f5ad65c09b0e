/**
 * Turns checked, numbered sheet rows into a {@link LedgerDoc}: ids and codes
 * via itemId()/displayCode(), problem status rolled up from its measures,
 * ledger fields the sheet does not carry taken from the import's metadata.
 */
import type { Aspect, InspectionType, Ledger, LedgerDoc, Measure, Numbering, Problem } from '../ledger/types.js';
import { displayCode, itemId } from '../ledger/codes.js';
import { rollUp } from '../ledger/status.js';
import { withImmediateDue } from '../ledger/deadline-truth.js';
import type { ImportError } from './csv.js';
import type { RawLedgerRow } from './ledger-rows.js';
import { isRunningSerial, parseRows } from './ledger-rows.js';
import type { Structure } from './ledger-structure.js';
import { buildStructure } from './ledger-structure.js';

/** What the command line knows about the ledger being imported. */
export interface LedgerMeta {
  ledgerId: string;
  /** Default: the ledger id. */
  title?: string;
  org?: string;
  /** Default: 巡察. */
  inspectionType?: InspectionType;
  inspectionGroup?: string;
  /** YYYY-MM-DD; default: today. */
  feedbackDate?: string;
  /** Default: 10. */
  yellowDays?: number;
  /** Default: true. */
  requireReview?: boolean;
  /** See Ledger.measureNoun. */
  measureNoun?: '具体问题' | '整改措施';
  /** See Ledger.immediateDays. */
  immediateDays?: number;
  /** Forces the numbering style instead of detecting it. */
  numbering?: Numbering;
  /** ISO time used for createdAt/updatedAt; default: the current time. */
  now?: string;
}

/** Outcome of an import: a whole document, or the reasons (by row) why not. Never a partial doc. */
export type LedgerImportResult =
  | { ok: true; doc: LedgerDoc; warnings: string[] }
  | { ok: false; errors: ImportError[] };

/** The Ledger record from metadata and defaults. */
export function ledgerFromMeta(meta: LedgerMeta, numbering: Numbering, today: string): Ledger {
  return {
    id: meta.ledgerId,
    title: meta.title ?? meta.ledgerId,
    org: meta.org ?? '',
    inspectionType: meta.inspectionType ?? '巡察',
    inspectionGroup: meta.inspectionGroup ?? '',
    feedbackDate: meta.feedbackDate ?? today,
    numbering,
    yellowDays: meta.yellowDays ?? 10,
    requireReview: meta.requireReview ?? true,
    ...(meta.measureNoun ? { measureNoun: meta.measureNoun } : {}),
    ...(meta.immediateDays !== undefined ? { immediateDays: meta.immediateDays } : {}),
    createdAt: meta.now ?? new Date().toISOString(),
  };
}

function assemble(s: Structure, ledger: Ledger, warnings: string[]): LedgerDoc {
  const n = s.numbering;
  const now = ledger.createdAt;
  const aspects: Aspect[] = s.aspects.map((a) => ({ id: itemId(a.no), code: displayCode(n, a.no), level: 'aspect', title: a.title, aspect: a.no }));
  const problems: Problem[] = [];
  const measures: Measure[] = [];
  for (const p of s.problems) {
    const pid = itemId(p.aspect, p.no);
    const mine: Measure[] = p.rows.map(({ no, row: r }) => ({
      id: itemId(p.aspect, p.no, no), code: displayCode(n, p.aspect, p.no, no), level: 'measure', title: r.measureTitle,
      aspect: p.aspect, problemId: pid, number: no, kind: r.kind, leaders: r.leaders, departments: r.departments,
      owners: r.owners, deadline: withImmediateDue(r.deadline, ledger), status: r.status,
      notes: r.statusNote ? [{ at: now, by: '导入', text: r.statusNote }] : [], createdAt: now, updatedAt: now, version: 0,
    }));
    const kinds = new Set(mine.map((m) => m.kind));
    if (kinds.size > 1) warnings.push(`问题${displayCode(n, p.aspect, p.no)}的措施类别不一致（${[...kinds].join('、')}），问题按第一条措施记为${mine[0].kind}。`);
    problems.push({
      id: pid, code: displayCode(n, p.aspect, p.no), level: 'problem', title: p.title, aspect: p.aspect, number: p.no,
      kind: mine[0].kind, status: rollUp(mine.map((m) => m.status)),
    });
    measures.push(...mine);
  }
  return { ledger, aspects, problems, measures };
}

/**
 * Builds a ledger document from data rows (header already mapped, blank rows
 * dropped). All rows are checked before anything is returned: any bad row
 * makes the result `ok: false` with every problem found, by row.
 */
export function buildLedgerDoc(raw: RawLedgerRow[], meta: LedgerMeta, today: string, warnings: string[] = []): LedgerImportResult {
  if (!meta.ledgerId.trim()) return { ok: false, errors: [{ row: 0, message: '缺少台账编号（--ledger）。' }] };
  if (raw.length === 0) return { ok: false, errors: [{ row: 0, message: '文件里没有任何整改措施（表头下面是空的）。' }] };
  const codes = raw.map((r) => r.code);
  let useCodes = codes.some(Boolean);
  if (useCodes && isRunningSerial(codes)) {
    useCodes = false;
    warnings.push('“编号/序号”列是从1开始的流水号，已改按方面、问题的文字编号和行序编排。');
  }
  const parsed = parseRows(raw, today, useCodes);
  if (parsed.errors.length) return { ok: false, errors: parsed.errors };
  if (parsed.statusNotes.length) {
    warnings.push(`第${parsed.statusNotes.join('、')}行的状态栏带有说明文字，已按其含义确定状态（如“完成一半”记为推进中），写有完成百分比的原文记为第一条进展。`);
  }
  const built = buildStructure(parsed.rows, meta.numbering);
  if (!built.ok) return { ok: false, errors: built.errors.sort((a, b) => a.row - b.row) };
  const doc = assemble(built.s, ledgerFromMeta(meta, built.s.numbering, today), warnings);
  return { ok: true, doc, warnings };
}
