/**
 * Excel (.xlsx) ledgers: the first worksheet, same headers as the CSV. Cells
 * merged vertically (方面/问题 spanning their measures, as ledgers are laid
 * out) count for every row they cover. Export merges them the same way.
 */
import ExcelJS from 'exceljs';
import type { ImportError, SheetRow } from './csv.js';
import type { LedgerImportResult, LedgerMeta } from './ledger-build.js';
import { parseLedgerSheets } from './ledger-import.js';
import { readSheets } from './xlsx-stream.js';

/** Plain text of a cell value: rich text joined, formulas by their result, dates as YYYY-MM-DD. */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('formula' in v || 'sharedFormula' in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('text' in v) return typeof v.text === 'string' ? v.text : cellText(v.text as ExcelJS.CellValue);
  return '';
}

/** Rows of a worksheet as spreadsheet-numbered text cells; merged cells repeat their master's text. */
export function sheetRows(ws: ExcelJS.Worksheet): SheetRow[] {
  const width = ws.columnCount;
  const rows: SheetRow[] = [];
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) {
      const cell = row.getCell(c);
      cells.push(cellText(cell.isMerged ? cell.master.value : cell.value));
    }
    rows.push({ row: r, cells });
  }
  return rows;
}

/** Where an .xlsx comes from: bytes in memory, or a file read as a stream (never loaded whole). */
export type XlsxSource = Uint8Array | ArrayBuffer | { path: string };

/**
 * Rows of the first worksheet as spreadsheet-numbered text cells, read as a
 * stream (a 100k-row sheet is never held as an Excel object model); merged
 * cells repeat their master's text, as {@link sheetRows} does.
 */
export async function streamSheetRows(src: XlsxSource): Promise<{ ok: true; rows: SheetRow[] } | { ok: false; errors: ImportError[] }> {
  const r = await streamSheets(src, 1);
  return r.ok ? { ok: true, rows: r.sheets[0].rows } : r;
}

/** Every worksheet (at most `max`), read as a stream, merged cells repeating their master's text. */
export async function streamSheets(src: XlsxSource, max = Infinity): Promise<{ ok: true; sheets: Array<{ name: string; rows: SheetRow[] }> } | { ok: false; errors: ImportError[] }> {
  let sheets: Awaited<ReturnType<typeof readSheets>>;
  try {
    sheets = await readSheets('path' in src && typeof src.path === 'string' ? { path: src.path } : { buffer: Buffer.from(src as Uint8Array) }, max);
  } catch {
    return { ok: false, errors: [{ row: 0, message: '无法读取这个 Excel 文件。请确认是 .xlsx 格式（旧版 .xls 请先另存为 .xlsx 或 CSV）。' }] };
  }
  if (!sheets.length) return { ok: false, errors: [{ row: 0, message: 'Excel 文件里没有工作表。' }] };
  return { ok: true, sheets: sheets.map((s) => ({ name: s.name, rows: fillMerges(s.rows, s.merges) })) };
}

/** Rows with each merged range's cells set to its master's text. */
function fillMerges(rows: SheetRow[], merges: Array<[number, number, number, number]>): SheetRow[] {
  if (!merges.length) return rows;
  const byNumber = new Map(rows.map((r) => [r.row, r]));
  for (const [r1, c1, r2, c2] of merges) {
    const master = byNumber.get(r1)?.cells[c1 - 1] ?? '';
    for (let r = r1; r <= r2; r++) {
      let row = byNumber.get(r);
      if (!row) byNumber.set(r, (row = { row: r, cells: [] }));
      for (let c = c1; c <= c2; c++) {
        while (row.cells.length < c) row.cells.push('');
        row.cells[c - 1] = master;
      }
    }
  }
  return [...byNumber.values()].sort((x, y) => x.row - y.row);
}

/**
 * Parses the first worksheet of an .xlsx file (bytes, or a file path read as
 * a stream) into a ledger, with the same rules and errors as
 * {@link parseLedgerCsv} (row numbers are Excel's). Old binary .xls files are
 * not supported.
 */
export async function parseLedgerXlsx(src: XlsxSource, meta: LedgerMeta, today: string): Promise<LedgerImportResult> {
  const read = await streamSheets(src);
  if (!read.ok) return read;
  return parseLedgerSheets(read.sheets, meta, today);
}

export { exportLedgerXlsx } from './ledger-xlsx-export.js';
