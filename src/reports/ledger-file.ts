/**
 * `ledger import FILE`: reads a ledger file by its extension. CSV and XLSX are
 * streamed (decoded and parsed chunk by chunk, only the cells' text kept), so
 * a 100,000-measure file is never held as one string or one Excel model; all
 * rows are still checked before anything is returned, and any bad row makes
 * the result `ok: false` with every problem found.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DomainError } from '../core/errors.js';
import { readCsvFile } from './csv.js';
import type { LedgerImportResult, LedgerMeta } from './ledger-build.js';
import { buildLedgerDoc } from './ledger-build.js';
import { sheetToRawRows } from './ledger-import.js';
import { parseLedgerJson } from './ledger-json.js';
import { streamSheetRows } from './ledger-xlsx.js';

/** Parses FILE.csv | FILE.txt | FILE.xlsx | FILE.json into a whole ledger or row-numbered errors. */
export async function readLedgerFile(file: string, meta: LedgerMeta, today: string): Promise<LedgerImportResult> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return parseLedgerJson(await readFile(file, 'utf8'), meta);
  if (ext === '.xlsx' || ext === '.csv' || ext === '.txt') {
    let read: Awaited<ReturnType<typeof readCsvFile>> | null = ext === '.xlsx' ? await streamSheetRows({ path: file }) : await readCsvFile(file);
    if (!read.ok) return read;
    const r = sheetToRawRows(read.rows);
    // The cell arrays are not needed any more: let them go before the ledger is built (a big file's peak memory).
    read = null;
    return r.ok ? buildLedgerDoc(r.raw, meta, today, r.warnings) : r;
  }
  if (ext === '.xls') throw new DomainError('bad_format', '不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入。');
  throw new DomainError('bad_format', `无法识别文件类型“${ext || file}”：请使用 .csv、.xlsx 或 .json。`);
}
