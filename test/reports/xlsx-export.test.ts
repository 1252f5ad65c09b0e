import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { shanghaiDate } from '../../src/ledger/dates.js';
import { rollUp } from '../../src/ledger/status.js';
import type { LedgerDoc, Measure } from '../../src/ledger/types.js';
import { exportLedgerXlsx, EXPORT_COLUMNS } from '../../src/reports/ledger-xlsx-export.js';
import { ledgerHeadline } from '../../src/reports/ledger-xlsx-summary.js';
import { parseLedgerXlsx } from '../../src/reports/ledger-xlsx.js';
import { parseLedgerCsv } from '../../src/reports/ledger-import.js';
import { toChineseNumeral } from '../../src/ledger/numerals.js';

const run = promisify(execFile);
/** The fontconfig file mapping 仿宋_GB2312/黑体 to the installed CJK fonts (shipped for the notice previews). */
const FONTS = path.resolve('assets/fonts/notice-fonts.conf');

const AS_OF = '2021-07-09';

/** The demo ledger after some chat work: a late completion with evidence, an overdue and a near measure, notes, a remark. */
function workedDoc(): LedgerDoc {
  const doc = buildDemoDoc();
  const m = (code: string) => doc.measures.find((x) => x.code === code)!;
  const late = m('一.2.1');
  Object.assign(late, { status: '已完成', deadline: { type: 'date', date: '2021-06-30' }, remark: '已报区委巡察办', notes: [
    { at: '2021-07-05T03:00:00.000Z', by: '王静', text: '已印发《涉诉信访工作管理办法》', evidence: true },
    { at: '2021-07-01T03:00:00.000Z', by: '王静', text: '办法初稿已提交党组会审议' },
  ] } satisfies Partial<Measure>);
  Object.assign(m('二.1.1'), { status: '推进中', deadline: { type: 'date', date: '2021-07-01' } });
  Object.assign(m('二.2.1'), { status: '推进中', deadline: { type: 'date', date: '2021-07-15' } });
  for (const p of doc.problems) p.status = rollUp(doc.measures.filter((x) => x.problemId === p.id).map((x) => x.status));
  return doc;
}

async function open(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  return wb;
}

/** The sheet row of a measure (header on row 3). */
const rowOf = (ws: ExcelJS.Worksheet, code: string) => {
  for (let r = 4; r <= ws.rowCount; r++) if (ws.getCell(r, 1).value === code) return ws.getRow(r);
  throw new Error(`no row ${code}`);
};
const fillOf = (c: ExcelJS.Cell) => (c.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;

describe('xlsx export fit to report', () => {
  it('title and as-of rows, the columns, real dates, lights, narrative, fonts, merges, frozen header, filter and print setup', async () => {
    const doc = workedDoc();
    const wb = await open(await exportLedgerXlsx(doc, { asOf: AS_OF }));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['整改台账', '汇总']);
    const ws = wb.getWorksheet('整改台账')!;
    expect(ws.getCell('A1').value).toBe(doc.ledger.title);
    expect(ws.getCell('O1').isMerged && ws.getCell('O1').master.address).toBe('A1');
    expect(ws.getCell('A1').font).toMatchObject({ name: '黑体', bold: true });
    expect(ws.getCell('A2').value).toBe(`填报单位：${doc.ledger.org}　　截至2021年7月9日`);
    expect(ws.getRow(3).values).toEqual([undefined, ...EXPORT_COLUMNS.map(([h]) => h)]);
    expect((ws.getRow(3).values as string[]).slice(1)).toEqual(['编号', '方面', '问题', '整改措施', '类别', '责任领导', '责任部门', '责任人', '完成时限', '状态', '灯', '整改进展', '佐证材料', '备注', '最后更新']);
    expect(ws.getCell('A3').font).toMatchObject({ name: '黑体' });

    const late = rowOf(ws, '一.2.1');
    expect(late.getCell(9).value).toEqual(new Date('2021-06-30T00:00:00.000Z'));
    expect(late.getCell(9).numFmt).toBe('yyyy"年"m"月"d"日"');
    expect(late.getCell(11).value).toBe('已完成（逾期完成）');
    expect(fillOf(late.getCell(11))).toBe('FFF8CBAD');
    expect(late.getCell(12).value).toBe('2021年7月1日 王静：办法初稿已提交党组会审议');
    expect(late.getCell(13).value).toBe('2021年7月5日 王静：已印发《涉诉信访工作管理办法》');
    expect(late.getCell(14).value).toBe('已报区委巡察办');
    expect(late.getCell(4).font).toMatchObject({ name: '仿宋_GB2312' });
    expect(rowOf(ws, '二.1.1').getCell(11).value).toBe('逾期');
    expect(fillOf(rowOf(ws, '二.1.1').getCell(11))).toBe('FFF4B6B6');
    expect(rowOf(ws, '二.2.1').getCell(11).value).toBe('临期');
    expect(fillOf(rowOf(ws, '二.2.1').getCell(11))).toBe('FFFFE699');
    // 长期坚持 stays text; its light is green.
    const longterm = rowOf(ws, '一.1.1');
    expect(longterm.getCell(9).value).toBe('长期坚持');
    expect(fillOf(longterm.getCell(11))).toBe('FFC6EFCE');
    expect(longterm.getCell(15).value).toBeInstanceOf(Date);

    // 方面 merged over its measures, 问题 within it.
    const first = rowOf(ws, '一.1.1').number;
    expect(ws.getCell(first + 1, 2).isMerged && ws.getCell(first + 1, 2).master.address).toBe(`B${first}`);
    expect(ws.getCell(first + 1, 3).master.address).toBe(`C${first}`);

    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(ws.autoFilter).toBe('A3:O3');
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1, fitToHeight: 0, printTitlesRow: '3:3' });
    expect(ws.getColumn(4).width).toBe(40);
  });

  it('a summary sheet: the headline sentence, per-aspect and per-department tables', async () => {
    const doc = workedDoc();
    const ws = (await open(await exportLedgerXlsx(doc, { asOf: AS_OF }))).getWorksheet('汇总')!;
    expect(ws.getCell('A3').value).toBe(ledgerHeadline(doc, AS_OF));
    expect(ws.getCell('A3').value).toMatch(/^截至7月9日，巡察反馈的21个具体问题，/);
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    const aspectRows = rows.slice(rows.findIndex((r) => r[0] === '整改方面') + 1, rows.findIndex((r) => r[0] === '合计') + 1);
    expect(aspectRows.map((r) => r[0])).toEqual([...doc.aspects.map((a) => expect.stringContaining(a.title)), '合计']);
    const total = aspectRows.at(-1)!;
    const closed = doc.measures.filter((m) => ['已完成', '已完成并长期坚持', '已销号'].includes(m.status)).length;
    expect(total.slice(1, 5)).toEqual([doc.measures.length, closed, doc.measures.length - closed, 1]);
    const dept = rows.slice(rows.findIndex((r) => r[0] === '部门') + 1);
    expect(dept.map((r) => r[0])).toContain('立案庭');
    expect(dept.find((r) => r[0] === '立案庭')![1]).toBe(doc.measures.filter((m) => m.departments.includes('立案庭')).length);
  });

  it('re-importing the export gives the same ledger: title, texts, statuses, deadlines, notes and remarks', async () => {
    const doc = workedDoc();
    const { createdAt, numbering: _n, id, ...rest } = doc.ledger;
    const r = await parseLedgerXlsx(await exportLedgerXlsx(doc, { asOf: AS_OF }), { ledgerId: id, now: createdAt, ...rest, title: undefined }, AS_OF);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings).toEqual([]);
    expect(r.sheetDate).toBe(AS_OF);
    expect(r.doc.ledger.title).toBe(doc.ledger.title);
    const strip = (d: LedgerDoc) => d.measures.map((m) => ({ ...m, notes: m.notes.map((n) => ({ ...n, at: shanghaiDate(new Date(n.at)) })), updatedAt: '', createdAt: '' }));
    expect(strip(r.doc)).toEqual(strip(doc));
    expect(r.doc.problems).toEqual(doc.problems);
    expect(r.doc.aspects).toEqual(doc.aspects);
  });
});

describe('xlsx export printed (LibreOffice Calc → PDF)', () => {
  it('A4 landscape pages with the header repeated on each, then the summary', async () => {
    const lines = ['方面,问题,整改措施,责任部门,完成时限,状态'];
    for (let a = 1; a <= 6; a++) {
      for (let p = 1; p <= 5; p++) {
        for (let m = 1; m <= 4; m++) lines.push(`${toChineseNumeral(a)}、第${a}方面,${p}.第${a}方面的第${p}个问题,(${m})落实第${m}条整改措施并建立长效机制,办公室,2021年6月30日,推进中`);
      }
    }
    const r = parseLedgerCsv(lines.join('\n'), { ledgerId: 'print', title: '某某区人民法院巡察整改台账', now: '2021-04-20T02:00:00.000Z' }, AS_OF);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-xlsx-pdf-'));
    writeFileSync(path.join(dir, 'ledger.xlsx'), await exportLedgerXlsx(r.doc, { asOf: AS_OF }));
    const env = { ...process.env, HOME: dir, SAL_USE_VCLPLUGIN: 'svp', ...(existsSync(FONTS) ? { FONTCONFIG_FILE: FONTS } : {}) };
    await run('libreoffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', dir, path.join(dir, 'ledger.xlsx')], { env, timeout: 150_000 });
    const { stdout } = await run('pdftotext', ['-layout', path.join(dir, 'ledger.pdf'), '-']);
    const pages = stdout.split('\f').filter((p) => p.trim());
    const ledgerPages = pages.filter((p) => p.includes('整改措施') && p.includes('完成时限'));
    expect(ledgerPages.length).toBeGreaterThanOrEqual(2);
    expect(pages[0]).toContain('某某区人民法院巡察整改台账');
    expect(pages[1]).not.toContain('截至2021年7月9日');
    expect(pages.at(-1)).toContain('某某区人民法院巡察整改台账汇总');
    const { stdout: info } = await run('pdfinfo', [path.join(dir, 'ledger.pdf')]);
    // A4 landscape: 842 × 595 pt.
    expect(info).toMatch(/Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)|Page size:\s+842 x 595 pts/);
  }, 180_000);
});
