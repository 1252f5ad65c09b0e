/**
 * Excel (.xlsx) ledgers: the first worksheet, same headers as the CSV. Cells
 * merged vertically (方面/问题 spanning their measures, as ledgers are laid
 * out) count for every row they cover. Export merges them the same way.
 */
import ExcelJS from 'exceljs';
import type { LedgerDoc } from '../ledger/types.js';
import type { ImportError, SheetRow } from './csv.js';
import type { LedgerImportResult, LedgerMeta } from './ledger-build.js';
import { LEDGER_HEADER_ROW, ledgerTable } from './ledger-export.js';
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

const WIDTHS = [10, 28, 30, 50, 12, 12, 16, 12, 16, 14];

/** Merges runs of equal, non-empty values in one column (rows first..last, 1-based sheet rows). */
function mergeRuns(ws: ExcelJS.Worksheet, col: number, values: string[], keys: string[], firstRow: number): void {
  let start = 0;
  for (let i = 1; i <= values.length; i++) {
    if (i < values.length && keys[i] === keys[start]) continue;
    if (i - start > 1) ws.mergeCells(firstRow + start, col, firstRow + i - 1, col);
    start = i;
  }
}

/**
 * The ledger as an .xlsx workbook: one sheet 整改台账, canonical headers,
 * one row per measure, 方面 and 问题 merged over their measures.
 */
export async function exportLedgerXlsx(doc: LedgerDoc): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'rectify-bot';
  const ws = wb.addWorksheet('整改台账', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = LEDGER_HEADER_ROW.map((header, i) => ({ header, width: WIDTHS[i] }));
  ws.getRow(1).font = { bold: true };
  const table = ledgerTable(doc);
  for (const r of table) {
    const row = ws.addRow(r);
    row.alignment = { vertical: 'top', wrapText: true };
  }
  // Merge 方面 over its measures, and 问题 within the same 方面.
  const aspects = table.map((r) => r[1]);
  mergeRuns(ws, 2, aspects, aspects, 2);
  mergeRuns(ws, 3, table.map((r) => r[2]), table.map((r) => `${r[1]}\n${r[2]}`), 2);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
