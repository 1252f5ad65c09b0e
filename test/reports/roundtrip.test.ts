import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import type { LedgerDoc } from '../../src/ledger/types.js';
import type { LedgerMeta } from '../../src/reports/ledger-build.js';
import { exportLedgerCsv, exportLedgerJson } from '../../src/reports/ledger-export.js';
import { parseLedgerCsv, parseLedgerJson } from '../../src/reports/ledger-import.js';
import { exportLedgerXlsx, parseLedgerXlsx } from '../../src/reports/ledger-xlsx.js';
import { TODAY, fixture, meta } from './helpers.js';

/** The metadata that reproduces a document's ledger record. */
const metaOf = (doc: LedgerDoc): LedgerMeta => {
  const { id, createdAt, numbering: _n, ...rest } = doc.ledger;
  return { ledgerId: id, now: createdAt, ...rest };
};
const imported = (name: string): LedgerDoc => {
  const r = parseLedgerCsv(fixture(name), meta(), TODAY);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
};
const docs: Array<[string, LedgerDoc]> = [
  ['demo ledger (seed 003, per-aspect)', buildDemoDoc()],
  ['seed 003 fixture (per-aspect)', imported('seed003-per-aspect.csv')],
  ['seed 002 fixture (global)', imported('seed002-global.csv')],
  ['seed 002 serial fixture (global, starts at problem 3)', imported('seed002-serial.csv')],
];

describe.each(docs)('round trips: %s', (_name, doc) => {
  it('CSV export → import gives the same document', () => {
    const r = parseLedgerCsv(exportLedgerCsv(doc), metaOf(doc), TODAY);
    expect(r.ok && r.warnings).toEqual([]);
    expect(r.ok && r.doc).toEqual(doc);
  });
  it('JSON export → import gives the same document', () => {
    const r = parseLedgerJson(exportLedgerJson(doc), { ledgerId: doc.ledger.id });
    expect(r.ok && r.doc).toEqual(doc);
  });
  it('XLSX export → import gives the same document', async () => {
    const r = await parseLedgerXlsx(await exportLedgerXlsx(doc), metaOf(doc), TODAY);
    expect(r.ok && r.doc).toEqual(doc);
  });
});

describe('CSV export', () => {
  it('keeps a measure text that itself starts with "(1)" when 编号 gives the number', () => {
    const doc = buildDemoDoc();
    doc.measures[1].title = '(1)推进主题教育常态长效';
    const r = parseLedgerCsv(exportLedgerCsv(doc), metaOf(doc), TODAY);
    expect(r.ok && r.doc).toEqual(doc);
  });
  it('without 编号, a "(2)" in front of the measure text numbers the measure', () => {
    const text = '方面,问题,整改措施,完成时限\n一、甲,1.乙,(2)丙,长期坚持\n';
    const r = parseLedgerCsv(text, meta(), TODAY);
    expect(r.ok && r.doc.measures.map((m) => [m.code, m.title])).toEqual([['1.2', '丙']]);
  });
  it('writes the canonical headers and ledger-style numbering in the texts', () => {
    const lines = exportLedgerCsv(buildDemoDoc()).split('\r\n');
    expect(lines[0]).toBe(`\ufeff${buildDemoDoc().ledger.title}`);
    lines.shift();
    expect(lines[0]).toBe('编号,方面,问题,整改措施,类别,责任领导,责任部门,责任人,完成时限,状态,整改进展,佐证材料,备注');
    expect(lines[4]).toMatch(/^一\.2\.1,一、聚焦基层贯彻落实党的路线方针政策和党中央决策部署情况,2\.履行职责使命不到位,探索矛盾多元化解机制/);
    expect(lines[4]).toContain(',罗拥军,立案庭、诉讼服务中心,陈敏,长期坚持,已完成并长期坚持,');
  });
});

describe('XLSX', () => {
  it('merges 方面 and 问题 vertically like a real ledger', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportLedgerXlsx(buildDemoDoc())) as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('整改台账');
    expect(ws.getCell('B5').isMerged && ws.getCell('B5').master.address).toBe('B4');
    expect(ws.getCell('C6').isMerged && ws.getCell('C6').master.address).toBe('C4');
    expect(ws.getCell('C8').master.address).toBe('C7');
    expect(ws.getCell('C19').isMerged).toBe(false); // 三.1 has a single measure
  });
  it('reads a hand-made sheet: title row, merged cells, Excel dates, errors with Excel row numbers', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('台账');
    ws.addRow(['某某法院巡察整改台账']);
    ws.addRow(['方面', '存在问题', '整改措施', '牵头领导', '整改时限', '整改状态']);
    ws.addRow(['一、贯彻落实上级决策部署不够到位', '1.履行职责使命不到位。', '探索矛盾多元化解机制', '罗拥军', new Date(Date.UTC(2021, 5, 30)), '已完成整改']);
    ws.addRow([null, null, '定期开展案件评查', '李程', '长期坚持', '']);
    ws.mergeCells('A3:A4');
    ws.mergeCells('B3:B4');
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await parseLedgerXlsx(buf, meta(), TODAY);
    expect(r.ok && r.doc.measures.map((m) => [m.code, m.deadline, m.status])).toEqual([
      ['1.1', { type: 'date', date: '2021-06-30' }, '已完成'], ['1.2', { type: 'longterm' }, '未启动'],
    ]);
    ws.getCell('F4').value = '差不多了';
    const bad = await parseLedgerXlsx(Buffer.from(await wb.xlsx.writeBuffer()), meta(), TODAY);
    expect(!bad.ok && bad.errors.map((e) => e.row)).toEqual([4]);
  });
  it('refuses bytes that are not an xlsx file', async () => {
    const r = await parseLedgerXlsx(Buffer.from('编号,方面\n'), meta(), TODAY);
    expect(!r.ok && r.errors[0].message).toContain('无法读取');
  });
});

describe('JSON import checks', () => {
  const demo = buildDemoDoc();
  const json = (f: (d: LedgerDoc) => void) => {
    const d = structuredClone(demo);
    f(d);
    return JSON.stringify(d);
  };
  it('takes the ledger id and given metadata from the command line', () => {
    const r = parseLedgerJson(exportLedgerJson(demo), { ledgerId: 'copy', title: '新标题' });
    expect(r.ok && [r.doc.ledger.id, r.doc.ledger.title, r.doc.ledger.org]).toEqual(['copy', '新标题', demo.ledger.org]);
  });
  it('rejects a schema violation with the path, in Chinese', () => {
    const r = parseLedgerJson(json((d) => ((d.measures[2] as { status: string }).status = 'done')), { ledgerId: 'x' });
    expect(!r.ok && r.errors[0].message).toMatch(/^measures\.2\.status：无效选项/);
  });
  it('rejects codes that do not match the numbering and dangling references', () => {
    const r = parseLedgerJson(json((d) => {
      d.measures[0].code = '9.9';
      d.measures[1].problemId = '9.9';
    }), { ledgerId: 'x' });
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual([
      `措施“${demo.measures[0].title}”的id或编号与所属问题一.1不符。`, '措施一.1.2所属的问题9.9不存在。',
    ]);
  });
  it('re-rolls a stale problem status, with a warning', () => {
    const r = parseLedgerJson(json((d) => (d.problems[0].status = '未启动')), { ledgerId: 'x' });
    expect(r.ok && r.doc.problems[0].status).toBe('已完成并长期坚持');
    expect(r.ok && r.warnings).toHaveLength(1);
  });
  it('rejects text that is not JSON', () => {
    expect(parseLedgerJson('{oops', { ledgerId: 'x' }).ok).toBe(false);
  });
});
