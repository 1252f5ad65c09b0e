import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import type { LedgerDoc } from '../src/ledger/types.js';
import { writeCsv } from '../src/reports/csv.js';
import { LEDGER_HEADER_ROW, ledgerTable } from '../src/reports/ledger-export.js';

/** Writes `doc` as an import CSV (the export format), in slices so a 100k-measure file is never one string. */
export async function writeLedgerCsv(doc: LedgerDoc, file: string): Promise<void> {
  const out = createWriteStream(file);
  const table = ledgerTable(doc);
  out.write(writeCsv([[...LEDGER_HEADER_ROW]]));
  for (let i = 0; i < table.length; i += 2000) {
    if (!out.write(writeCsv(table.slice(i, i + 2000)).slice(1))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Writes `doc` as an .xlsx with exceljs's streaming writer (shared strings, like Excel saves). */
export async function writeLedgerXlsx(doc: LedgerDoc, file: string): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet('整改台账');
  ws.addRow([...LEDGER_HEADER_ROW]).commit();
  for (const r of ledgerTable(doc)) ws.addRow(r).commit();
  ws.commit();
  await wb.commit();
}
