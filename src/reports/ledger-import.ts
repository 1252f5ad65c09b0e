/**
 * `ledger import FILE.csv|FILE.json`: the pure parsers. The caller reads the
 * file, picks the parser by extension and writes the document only when the
 * result is ok.
 */
import type { LedgerDoc } from '../ledger/types.js';
import type { ImportError, SheetRow } from './csv.js';
import { decodeText, tryReadCsv } from './csv.js';
import type { LedgerImportResult, LedgerMeta } from './ledger-build.js';
import { buildLedgerDoc } from './ledger-build.js';
import { sheetsToRawRows } from './ledger-sheets.js';

export type { LedgerImportResult, LedgerMeta } from './ledger-build.js';
export { parseLedgerJson } from './ledger-json.js';

/**
 * The data rows of a sheet, header mapped, title and blank rows skipped; or
 * the header's errors. Callers that drop `rows` afterwards let a big sheet's
 * cell arrays be collected while the ledger is built.
 */
export function sheetToRawRows(rows: SheetRow[], today = '2000-01-01'): ReturnType<typeof sheetsToRawRows> {
  return sheetsToRawRows([{ rows }], today);
}

/**
 * A ledger from one or more sheets' rows: the sheets' title row names the
 * ledger unless the metadata gives a title, and their as-of line dates it.
 */
export function parseLedgerSheets(sheets: Array<{ name?: string; rows: SheetRow[] }>, meta: LedgerMeta, today: string): LedgerImportResult {
  return buildFromRaw(sheetsToRawRows(sheets, today), meta, today);
}

/** The ledger from mapped rows (see {@link sheetsToRawRows}); the title row is the default title. */
export function buildFromRaw(r: ReturnType<typeof sheetsToRawRows>, meta: LedgerMeta, today: string): LedgerImportResult {
  if (!r.ok) return r;
  const built = buildLedgerDoc(r.raw, { ...meta, title: meta.title ?? r.head.title }, today, r.warnings);
  // A sheet whose header lacks a required column refuses the file, listed with the other sheets' errors.
  if (r.errors.length) return { ok: false, errors: [...r.errors, ...(built.ok ? [] : built.errors)] };
  return built.ok && r.head.asOf ? { ...built, sheetDate: r.head.asOf } : built;
}

/**
 * Builds a ledger from spreadsheet rows (CSV records or an Excel sheet's
 * rows), numbered as the spreadsheet shows them. Rows above the header (a
 * title row) and blank rows are skipped.
 */
export function parseLedgerSheet(rows: SheetRow[], meta: LedgerMeta, today: string): LedgerImportResult {
  return parseLedgerSheets([{ rows }], meta, today);
}

/**
 * Parses a ledger CSV (text, or raw bytes: UTF-8 with or without BOM, or
 * GBK/GB18030) into a whole {@link LedgerDoc}, or row-numbered errors
 * (header = row 1) and no document at all.
 */
export function parseLedgerCsv(input: string | Uint8Array, meta: LedgerMeta, today: string): LedgerImportResult {
  const text = typeof input === 'string' ? input : decodeText(input);
  const read = tryReadCsv(text);
  if (!read.ok) return read;
  return parseLedgerSheet(read.rows, meta, today);
}

/** "工作表“台账”第7行H列（完成时限）", as much of it as is known. */
export function placeOf(e: { row: number; sheet?: string; column?: string }): string {
  const sheet = e.sheet ? `工作表“${e.sheet}”` : '';
  return e.row > 0 ? `${sheet}第${e.row}行${e.column ?? ''}` : sheet;
}

/** Formats import errors for the terminal or a chat reply, one line per error. */
export function formatImportErrors(errors: ImportError[]): string {
  const lines = errors.map((e) => (placeOf(e) ? `${placeOf(e)}：${e.message}` : e.message));
  return [`导入失败，共${errors.length}处问题，台账未作任何改动：`, ...lines].join('\n');
}

/** One-line summary for `--dry-run` and the success message: counts and numbering style. */
export function describeLedgerDoc(doc: LedgerDoc): string {
  const style = doc.ledger.numbering === 'per-aspect' ? '问题按方面分别编号' : '问题全篇连续编号';
  return `台账 ${doc.ledger.id}：${doc.aspects.length}个方面、${doc.problems.length}个问题、${doc.measures.length}条整改措施（${style}）。`;
}
