/**
 * `ledger export --format xlsx`: a ledger fit to hand upward. A merged
 * title row and the as-of date above the header; one row per measure with
 * its progress narrative, evidence and remark; 方面/问题 merged over their
 * measures; deadlines as real date cells; the light (or the closed state,
 * with 逾期完成) as a coloured cell; 仿宋/黑体; frozen header with filters;
 * A4 landscape with the header repeated on every page; a summary sheet.
 * It imports back to the same ledger (the title and as-of rows are read as such).
 */
import ExcelJS from 'exceljs';
import type { LedgerDoc, Measure } from '../ledger/types.js';
import { formatDateCn, formatDeadline, shanghaiDate } from '../ledger/dates.js';
import { stateMark } from '../ledger/deadline-truth.js';
import { isClosed } from '../ledger/status.js';
import { ledgerTable } from './ledger-export.js';
import { renderEvidenceWithFiles, renderProgress } from './ledger-notes.js';
import { addSummarySheet } from './ledger-xlsx-summary.js';
import { wrappedLines } from './xlsx-text.js';

/** Fonts of official documents (Windows names; LibreOffice maps them through fontconfig). */
export const BODY_FONT = '仿宋_GB2312';
export const HEAD_FONT = '黑体';
export const DATE_FORMAT = 'yyyy"年"m"月"d"日"';

/** The export's columns: header and width (in Excel character units; a Chinese character is about two). */
export const EXPORT_COLUMNS: ReadonlyArray<readonly [string, number]> = [
  ['编号', 9], ['方面', 18], ['问题', 24], ['整改措施', 40], ['类别', 10], ['责任领导', 10], ['责任部门', 14], ['责任人', 10],
  ['完成时限', 15], ['状态', 12], ['灯', 12], ['整改进展', 36], ['佐证材料', 24], ['备注', 14], ['最后更新', 13],
];
const HEADER_ROW = 3;

/** Light fills: red / yellow / green for open measures; green for closed ones, amber when closed late. */
const FILL = { red: 'FFF4B6B6', yellow: 'FFFFE699', green: 'FFC6EFCE', late: 'FFF8CBAD' } as const;
const solid = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });
const thin: ExcelJS.Borders = {
  top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' },
} as ExcelJS.Borders;

/** Midnight UTC of a YYYY-MM-DD day: Excel shows it as that day. */
const excelDate = (d: string) => new Date(`${d}T00:00:00.000Z`);

export interface XlsxExportOptions {
  /** The as-of date (YYYY-MM-DD, Shanghai); default today. Lights are computed for it. */
  asOf?: string;
  /** Called every 500 rows (progress bars). */
  onRow?: (done: number, total: number) => void;
  /** Uploaded evidence files per measure id (EvidenceService.counts): counted in 佐证材料 as “（已上传佐证文件N个）”. */
  evidenceFiles?: ReadonlyMap<string, number>;
}

/** Merges runs of equal keys in one column (rows first.., 1-based). */
function mergeRuns(ws: ExcelJS.Worksheet, col: number, keys: string[], firstRow: number): void {
  let start = 0;
  for (let i = 1; i <= keys.length; i++) {
    if (i < keys.length && keys[i] === keys[start]) continue;
    if (i - start > 1) ws.mergeCells(firstRow + start, col, firstRow + i - 1, col);
    start = i;
  }
}

/** The measures in export order (the same order as {@link ledgerTable}). */
function orderedMeasures(doc: LedgerDoc): Measure[] {
  const key = (id: string) => id.split('.').map(Number);
  return [...doc.measures].sort((x, y) => {
    const [a, b] = [key(x.id), key(y.id)];
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  });
}

/** Writes the 整改台账 sheet. */
function addLedgerSheet(wb: ExcelJS.Workbook, doc: LedgerDoc, asOf: string, onRow?: XlsxExportOptions['onRow'], files?: XlsxExportOptions['evidenceFiles']): void {
  const n = EXPORT_COLUMNS.length;
  const ws = wb.addWorksheet('整改台账', {
    views: [{ state: 'frozen', ySplit: HEADER_ROW, xSplit: 1 }],
    pageSetup: {
      paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true,
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&C第 &P 页，共 &N 页' },
  });
  ws.columns = EXPORT_COLUMNS.map(([, width]) => ({ width }));

  ws.mergeCells(1, 1, 1, n);
  const title = ws.getCell(1, 1);
  title.value = doc.ledger.title;
  title.font = { name: HEAD_FONT, size: 18, bold: true };
  title.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 36;
  ws.mergeCells(2, 1, 2, n);
  const sub = ws.getCell(2, 1);
  const org = doc.ledger.org ? `填报单位：${doc.ledger.org}　　` : '';
  sub.value = `${org}截至${formatDateCn(asOf)}`;
  sub.font = { name: BODY_FONT, size: 12 };
  sub.alignment = { horizontal: 'right', vertical: 'middle' };

  const head = ws.getRow(HEADER_ROW);
  EXPORT_COLUMNS.forEach(([h], i) => {
    const c = head.getCell(i + 1);
    c.value = h;
    c.font = { name: HEAD_FONT, size: 12 };
    c.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    c.fill = solid('FFD9E1F2');
    c.border = thin;
  });
  head.height = 24;
  ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: HEADER_ROW, column: n } };

  const table = ledgerTable(doc);
  const measures = orderedMeasures(doc);
  const body: Partial<ExcelJS.Font> = { name: BODY_FONT, size: 11 };
  measures.forEach((m, i) => {
    const t = table[i];
    const mark = stateMark(m, asOf, doc.ledger.yellowDays);
    const deadline = m.deadline.type === 'date' ? excelDate(m.deadline.date) : formatDeadline(m.deadline);
    const row = ws.getRow(HEADER_ROW + 1 + i);
    row.values = [t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], deadline, m.status,
      `${mark.word}${mark.late ? '（逾期完成）' : ''}`, renderProgress(m.notes), renderEvidenceWithFiles(m.notes, files?.get(m.id)), m.remark ?? '',
      excelDate(shanghaiDate(new Date(m.updatedAt)))];
    row.eachCell({ includeEmpty: true }, (c, col) => {
      if (col > n) return;
      c.font = body;
      c.border = thin;
      c.alignment = { vertical: 'middle', wrapText: true, horizontal: col === 1 || (col >= 5 && col <= 11) || col === 15 ? 'center' : 'left' };
    });
    // 方面/问题 (columns 2, 3) are merged over several rows; the rest decide the height (11 pt text ≈ 15 pt a line).
    let lines = 1;
    row.eachCell((c, col) => {
      if (col > 3 && typeof c.value === 'string') lines = Math.max(lines, wrappedLines(c.value, EXPORT_COLUMNS[col - 1][1]));
    });
    row.height = Math.max(20, lines * 15 + 4);
    row.getCell(9).numFmt = DATE_FORMAT;
    row.getCell(15).numFmt = DATE_FORMAT;
    const light = row.getCell(11);
    const open = !isClosed(m.status);
    const lightOf = mark.word === '逾期' ? 'red' : mark.word === '临期' ? 'yellow' : 'green';
    light.fill = solid(open ? FILL[lightOf] : mark.late ? FILL.late : FILL.green);
    if (open && lightOf === 'red') light.font = { ...body, bold: true, color: { argb: 'FFC00000' } };
    if (mark.late) light.font = { ...body, color: { argb: 'FFC55A11' } };
    if ((i + 1) % 500 === 0) onRow?.(i + 1, measures.length);
  });
  const first = HEADER_ROW + 1;
  mergeRuns(ws, 2, table.map((r) => r[1]), first);
  mergeRuns(ws, 3, table.map((r) => `${r[1]}\n${r[2]}`), first);
  onRow?.(measures.length, measures.length);
}

/** The ledger as an .xlsx workbook: 整改台账 and 汇总. */
export async function exportLedgerXlsx(doc: LedgerDoc, opts: XlsxExportOptions = {}): Promise<Buffer> {
  const asOf = opts.asOf ?? shanghaiDate(new Date());
  const wb = new ExcelJS.Workbook();
  wb.creator = 'rectify-bot';
  wb.created = new Date(`${asOf}T00:00:00+08:00`);
  addLedgerSheet(wb, doc, asOf, opts.onRow, opts.evidenceFiles);
  addSummarySheet(wb, doc, asOf);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
