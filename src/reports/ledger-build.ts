/**
 * Turns checked, numbered sheet rows into a {@link LedgerDoc}: ids and codes
 * via itemId()/displayCode(), problem status rolled up from its measures,
 * ledger fields the sheet does not carry taken from the import's metadata.
 */
import type { Aspect, InspectionType, Ledger, LedgerDoc, Measure, Numbering, Problem } from '../ledger/types.js';
import { aspectHeading, displayCode, itemId, problemHeading } from '../ledger/codes.js';
import { rollUp } from '../ledger/status.js';
import { withImmediateDue } from '../ledger/deadline-truth.js';
import type { ImportError } from './csv.js';
import type { ParsedRow, RawLedgerRow } from './ledger-rows.js';
import { isRunningSerial, parseRows } from './ledger-rows.js';
import { rowNotes } from './ledger-notes.js';
import type { Structure } from './ledger-structure.js';
import { buildStructure } from './ledger-structure.js';

/** What the command line knows about the ledger being imported. */
export interface LedgerMeta {
  ledgerId: string;
  /** Given explicitly (--title): wins over the sheet's title row. */
  title?: string;
  /** Used when neither --title nor a title row gives one (the existing ledger's); default the id. */
  defaultTitle?: string;
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

/** A measure whose status the office should check (the narrative named none, or was unclear). */
export interface ToConfirm {
  sheet?: string;
  row: number;
  code: string;
  reason: string;
}

/** Outcome of an import: a whole document, or the reasons (by row) why not. Never a partial doc. */
export type LedgerImportResult =
  | { ok: true; doc: LedgerDoc; warnings: string[]; confirm?: ToConfirm[]; sheetDate?: string }
  | { ok: false; errors: ImportError[] };

/** The Ledger record from metadata and defaults. */
export function ledgerFromMeta(meta: LedgerMeta, numbering: Numbering, today: string): Ledger {
  const title = meta.title ?? meta.defaultTitle ?? meta.ledgerId;
  return {
    id: meta.ledgerId,
    title,
    org: meta.org ?? '',
    inspectionType: meta.inspectionType ?? typeFromTitle(title) ?? '巡察',
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

/** 巡视 or 巡察 as the ledger's title says it ("…落实市委巡视反馈意见整改台账"); undefined when it names neither or both alike. */
export function typeFromTitle(title: string): Ledger['inspectionType'] | undefined {
  const visits = title.split('巡视').length - 1;
  const patrols = title.split('巡察').length - 1;
  return visits > patrols ? '巡视' : patrols > visits ? '巡察' : undefined;
}

/** A heading as written, kept only when it differs from the common form the display would give anyway. */
function ownHeading(written: string | undefined, common: string): { heading?: string } {
  return written && written !== common ? { heading: written } : {};
}

function assemble(s: Structure, ledger: Ledger, warnings: string[], confirm: ToConfirm[]): LedgerDoc {
  const n = s.numbering;
  const now = ledger.createdAt;
  const aspects: Aspect[] = s.aspects.map((a) => ({ id: itemId(a.no), code: displayCode(n, a.no), level: 'aspect', title: a.title, aspect: a.no, ...ownHeading(a.heading, aspectHeading({ aspect: a.no, title: a.title })) }));
  const problems: Problem[] = [];
  const measures: Measure[] = [];
  for (const p of s.problems) {
    const pid = itemId(p.aspect, p.no);
    const mine: Measure[] = p.rows.map(({ no, row: r }) => {
      const code = displayCode(n, p.aspect, p.no, no);
      if (r.confirm) confirm.push({ row: r.row, code, reason: r.confirm, ...(r.sheet?.name ? { sheet: r.sheet.name } : {}) });
      return {
        id: itemId(p.aspect, p.no, no), code, level: 'measure', title: r.measureTitle,
        aspect: p.aspect, problemId: pid, number: no, kind: r.kind, leaders: r.leaders, departments: r.departments,
        owners: r.owners, deadline: withImmediateDue(r.deadline, ledger), status: r.status, notes: rowNotes(r, now),
        ...(r.remark ? { remark: r.remark } : {}), createdAt: now, updatedAt: now, version: 0,
      };
    });
    const kinds = new Set(mine.map((m) => m.kind));
    if (kinds.size > 1) warnings.push(`问题${displayCode(n, p.aspect, p.no)}的措施类别不一致（${[...kinds].join('、')}），问题按第一条措施记为${mine[0].kind}。`);
    problems.push({
      id: pid, code: displayCode(n, p.aspect, p.no), level: 'problem', title: p.title, aspect: p.aspect, number: p.no,
      kind: mine[0].kind, status: rollUp(mine.map((m) => m.status)), ...ownHeading(p.heading, problemHeading({ number: p.no, title: p.title })),
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
  const bySheet = new Map<unknown, string[]>();
  for (const r of raw) {
    const list = bySheet.get(r.sheet);
    if (list) list.push(r.code);
    else bySheet.set(r.sheet, [r.code]);
  }
  // Each sheet of a workbook numbers its rows afresh; a one-row sheet's "1" is a serial too.
  const serials = [...bySheet.values()];
  if (useCodes && serials.some(isRunningSerial) && serials.every((c) => isRunningSerial(c) || (c.length === 1 && c[0].trim() === '1'))) {
    useCodes = false;
    warnings.push('“编号/序号”列是从1开始的流水号，已改按方面、问题的文字编号和行序编排。');
  }
  const baseYear = Number((meta.feedbackDate ?? today).slice(0, 4));
  const parsed = parseRows(raw, today, useCodes, baseYear);
  if (parsed.statusNotes.length) {
    warnings.push(`第${parsed.statusNotes.join('、')}行的状态栏带有说明文字，已按其含义确定状态（如“完成一半”记为推进中），写有完成百分比的原文记为第一条进展。`);
  }
  // Rows with errors are left out, and the rest is still numbered: every error of the file comes in one pass.
  const built = buildStructure(continueSheets(parsed.rows), meta.numbering);
  const errors = [...parsed.errors, ...(built.ok ? [] : built.errors)];
  if (errors.length) {
    const order = new Map([...bySheet.keys()].map((k, i) => [(k as { name?: string } | undefined)?.name, i]));
    return { ok: false, errors: errors.sort((a, b) => (order.get(a.sheet) ?? 0) - (order.get(b.sheet) ?? 0) || a.row - b.row) };
  }
  if (!built.ok) return built;
  const confirm: ToConfirm[] = [];
  const doc = assemble(built.s, ledgerFromMeta(meta, built.s.numbering, today), warnings, confirm);
  return { ok: true, doc, warnings, confirm };
}

/**
 * Later sheets of a workbook (one per kind) number their aspects and
 * problems afresh: an aspect not seen in an earlier sheet goes after the
 * earlier ones, and problems of a later sheet go after those already under
 * their aspect, so sheet 2's "一、" and "1." do not clash with sheet 1's.
 */
function continueSheets(rows: ParsedRow[]): ParsedRow[] {
  const first = rows[0]?.sheet;
  if (!rows.some((r) => r.sheet !== first)) return rows;
  const seen = new Set<string>();
  let sheet = first;
  let earlier = new Set<string>();
  return rows.map((r) => {
    if (r.sheet !== sheet) [sheet, earlier] = [r.sheet, new Set(seen)];
    seen.add(r.aspectKey);
    if (r.sheet === first) return r;
    const shared = earlier.has(r.aspectKey);
    const code = r.code ? { measure: r.code.measure } : undefined;
    // A number given up here is no longer the item's: nor is the heading that writes it.
    const { aspectHeading: written, problemHeading: _p, ...rest } = r;
    return { ...rest, ...(shared && written ? { aspectHeading: written } : {}), aspectNo: shared ? r.aspectNo : undefined, problemNo: undefined, code };
  });
}
