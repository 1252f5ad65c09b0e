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
import { readCsvFile, type ImportError, type SheetRow } from './csv.js';
import type { LedgerImportResult, LedgerMeta } from './ledger-build.js';
import { buildFromRaw } from './ledger-import.js';
import { sheetsToRawRows } from './ledger-sheets.js';
import { parseLedgerJson } from './ledger-json.js';
import { streamSheets } from './ledger-xlsx.js';

type Read = { ok: true; sheets: Array<{ name?: string; rows: SheetRow[] }> } | { ok: false; errors: ImportError[] };

/** Parses FILE.csv | FILE.txt | FILE.xlsx | FILE.json into a whole ledger or row-numbered errors. */
export async function readLedgerFile(file: string, meta: LedgerMeta, today: string): Promise<LedgerImportResult> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return parseLedgerJson(await readFile(file, 'utf8'), meta);
  if (ext === '.xlsx' || ext === '.csv' || ext === '.txt') {
    const read: Read = ext === '.xlsx'
      ? await streamSheets({ path: file })
      : await readCsvFile(file).then((r): Read => (r.ok ? { ok: true, sheets: [{ rows: r.rows }] } : r));
    if (!read.ok) return { ok: false, errors: read.errors };
    // Only the mapped rows live on: the cell arrays can be collected while the ledger is built (a big file's peak memory).
    const raw = sheetsToRawRows(read.sheets.splice(0), today);
    return buildFromRaw(raw, meta, today);
  }
  if (ext === '.xls') throw new DomainError('bad_format', '不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入。');
  throw new DomainError('bad_format', `无法识别文件类型“${ext || file}”：请使用 .csv、.xlsx 或 .json。`);
}
