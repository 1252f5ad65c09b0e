/**
 * `ledger import FILE.csv|FILE.json`: the pure parsers. The caller reads the
 * file, picks the parser by extension and writes the document only when the
 * result is ok.
 */
import type { LedgerDoc } from '../ledger/types.js';
import type { ImportError, SheetRow } from './csv.js';
import { decodeText, isBlankRow, tryReadCsv } from './csv.js';
import type { LedgerImportResult, LedgerMeta } from './ledger-build.js';
import { buildLedgerDoc } from './ledger-build.js';
import { cellOf, LEDGER_HEADERS, mapLedgerHeader } from './ledger-columns.js';
import type { RawLedgerRow } from './ledger-rows.js';

export type { LedgerImportResult, LedgerMeta } from './ledger-build.js';
export { parseLedgerJson } from './ledger-json.js';

/**
 * The data rows of a sheet, header mapped, title and blank rows skipped; or
 * the header's errors. Callers that drop `rows` afterwards let a big sheet's
 * cell arrays be collected while the ledger is built.
 */
export function sheetToRawRows(rows: SheetRow[]): { ok: true; raw: RawLedgerRow[]; warnings: string[] } | { ok: false; errors: ImportError[] } {
  const header = mapLedgerHeader(rows);
  if (!header.ok) return header;
  const { map } = header;
  const raw: RawLedgerRow[] = [];
  for (const r of rows) {
    if (r.row <= map.headerRow || isBlankRow(r.cells)) continue;
    const out = { row: r.row } as RawLedgerRow;
    for (const [f] of LEDGER_HEADERS) out[f] = cellOf(r, map, f);
    raw.push(out);
  }
  return { ok: true, raw, warnings: [...header.warnings] };
}

/**
 * Builds a ledger from spreadsheet rows (CSV records or an Excel sheet's
 * rows), numbered as the spreadsheet shows them. Rows above the header (a
 * title row) and blank rows are skipped.
 */
export function parseLedgerSheet(rows: SheetRow[], meta: LedgerMeta, today: string): LedgerImportResult {
  const r = sheetToRawRows(rows);
  return r.ok ? buildLedgerDoc(r.raw, meta, today, r.warnings) : r;
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

/** Formats import errors for the terminal or a chat reply, one line per row. */
export function formatImportErrors(errors: Array<{ row: number; message: string }>): string {
  const lines = errors.map((e) => (e.row > 0 ? `第${e.row}行：${e.message}` : e.message));
  return [`导入失败，共${errors.length}处问题，台账未作任何改动：`, ...lines].join('\n');
}

/** One-line summary for `--dry-run` and the success message: counts and numbering style. */
export function describeLedgerDoc(doc: LedgerDoc): string {
  const style = doc.ledger.numbering === 'per-aspect' ? '问题按方面分别编号' : '问题全篇连续编号';
  return `台账 ${doc.ledger.id}：${doc.aspects.length}个方面、${doc.problems.length}个问题、${doc.measures.length}条整改措施（${style}）。`;
}
