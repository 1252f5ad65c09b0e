/**
 * The export's 汇总 sheet: the headline sentence the notices use, then a
 * table per aspect and one per department (measures, done, open, overdue,
 * completion rate). Its headers are not ledger headers, so re-importing the
 * workbook skips it.
 */
import type ExcelJS from 'exceljs';
import type { LedgerDoc, Measure, Status } from '../ledger/types.js';
import { formatDateCn } from '../ledger/dates.js';
import { headlineSentence } from '../ledger/headline.js';
import { lightOf } from '../ledger/light.js';
import { isClosed } from '../ledger/status.js';
import { aspectHeading } from '../ledger/codes.js';
import { wrappedLines } from './xlsx-text.js';

const BODY = { name: '仿宋_GB2312', size: 12 };
const HEAD = { name: '黑体', size: 12 };
const thin = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } } as ExcelJS.Borders;

interface Tally { total: number; done: number; open: number; red: number }

function tally(ms: Measure[], asOf: string, yellowDays: number): Tally {
  const done = ms.filter((m) => isClosed(m.status)).length;
  return { total: ms.length, done, open: ms.length - done, red: ms.filter((m) => lightOf(m, asOf, yellowDays) === 'red').length };
}

/** The headline sentence of a ledger at a date (same wording as 进度 and the notices). */
export function ledgerHeadline(doc: LedgerDoc, asOf: string): string {
  const byStatus: Partial<Record<Status, number>> = {};
  for (const m of doc.measures) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
  return headlineSentence({
    inspectionType: doc.ledger.inspectionType, asOf, problems: doc.problems.length, measures: doc.measures.length, byStatus,
    measureNoun: doc.ledger.measureNoun, feedbackOnly: doc.measures.every((m) => m.kind === '反馈问题'),
  });
}

/** Writes one titled table; returns the next free row. */
function table(ws: ExcelJS.Worksheet, at: number, caption: string, first: string, rows: Array<[string, Tally]>): number {
  ws.mergeCells(at, 1, at, 6);
  const cap = ws.getCell(at, 1);
  cap.value = caption;
  cap.font = { ...HEAD, size: 14 };
  const head = ws.getRow(at + 1);
  [first, '措施数', '已完成', '未完成', '逾期', '完成率'].forEach((h, i) => {
    const c = head.getCell(i + 1);
    c.value = h;
    c.font = HEAD;
    c.border = thin;
    c.alignment = { horizontal: 'center', vertical: 'middle' };
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  });
  rows.forEach(([name, t], i) => {
    const r = ws.getRow(at + 2 + i);
    r.values = [name, t.total, t.done, t.open, t.red, t.total ? t.done / t.total : 0];
    r.eachCell({ includeEmpty: true }, (c, col) => {
      if (col > 6) return;
      c.font = col === 5 && t.red ? { ...BODY, bold: true, color: { argb: 'FFC00000' } } : BODY;
      c.border = thin;
      c.alignment = { vertical: 'middle', wrapText: true, horizontal: col === 1 ? 'left' : 'center' };
    });
    r.getCell(6).numFmt = '0.0%';
    r.height = Math.max(18, wrappedLines(name, 44) * 16 + 2);
  });
  return at + 2 + rows.length + 1;
}

/** Adds the 汇总 sheet to `wb`. */
export function addSummarySheet(wb: ExcelJS.Workbook, doc: LedgerDoc, asOf: string): void {
  const ws = wb.addWorksheet('汇总', {
    pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true },
  });
  ws.columns = [{ width: 44 }, { width: 10 }, { width: 10 }, { width: 10 }, { width: 10 }, { width: 10 }];
  ws.mergeCells(1, 1, 1, 6);
  const title = ws.getCell(1, 1);
  title.value = `${doc.ledger.title}汇总`;
  title.font = { ...HEAD, size: 16, bold: true };
  title.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 32;
  ws.mergeCells(2, 1, 2, 6);
  ws.getCell(2, 1).value = `截至${formatDateCn(asOf)}`;
  ws.getCell(2, 1).font = BODY;
  ws.getCell(2, 1).alignment = { horizontal: 'right' };
  ws.mergeCells(3, 1, 3, 6);
  const line = ws.getCell(3, 1);
  line.value = ledgerHeadline(doc, asOf);
  line.font = { ...BODY, size: 13 };
  line.alignment = { wrapText: true, vertical: 'top' };
  ws.getRow(3).height = 60;

  const y = doc.ledger.yellowDays;
  const aspects = doc.aspects.map((a): [string, Tally] => [aspectHeading(a), tally(doc.measures.filter((m) => m.aspect === a.aspect), asOf, y)]);
  const next = table(ws, 5, '按方面', '整改方面', [...aspects, ['合计', tally(doc.measures, asOf, y)]]);
  const depts = [...new Set(doc.measures.flatMap((m) => m.departments))].sort((a, b) => a.localeCompare(b, 'zh-Hans-CN'));
  const byDept = depts.map((d): [string, Tally] => [d, tally(doc.measures.filter((m) => m.departments.includes(d)), asOf, y)]);
  const none = doc.measures.filter((m) => !m.departments.length);
  if (none.length) byDept.push(['（未填部门）', tally(none, asOf, y)]);
  table(ws, next, '按责任部门', '部门', byDept);
}
