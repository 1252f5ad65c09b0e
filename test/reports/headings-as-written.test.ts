import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerDoc } from '../../src/ledger/types.js';
import { aspectHeading, problemHeading, problemWithCode } from '../../src/ledger/codes.js';
import type { LedgerMeta } from '../../src/reports/ledger-build.js';
import { exportLedgerCsv, exportLedgerJson, ledgerTable } from '../../src/reports/ledger-export.js';
import { parseLedgerCsv, parseLedgerJson } from '../../src/reports/ledger-import.js';
import { exportLedgerXlsx, parseLedgerXlsx } from '../../src/reports/ledger-xlsx.js';
import { splitAspectText, splitProblemText } from '../../src/reports/ledger-rows.js';
import { mergeLedgerDocs } from '../../src/reports/ledger-merge.js';
import { filterOptions } from '../../src/http/dashboard-model.js';
import { hashToItem, itemToHash } from '../../src/store/serialize.js';
import { makeWorld, type World } from '../helpers/world.js';
import { courtWorkbook } from './court-workbook.js';
import { HEAD, TODAY, csv, meta } from './helpers.js';

/** Aspect cells as ledgers write them → number, bare title, and what is shown. */
const ASPECTS: Array<[string, number | undefined, string, string]> = [
  ['（一）政治建设方面', 1, '政治建设方面', '（一）政治建设方面'],
  ['(二)政治建设方面', 2, '政治建设方面', '(二)政治建设方面'],
  ['一、政治建设方面', 1, '政治建设方面', '一、政治建设方面'],
  ['三．政治建设方面', 3, '政治建设方面', '三．政治建设方面'],
  ['第一方面：政治建设方面', 1, '政治建设方面', '第一方面：政治建设方面'],
  ['第二部分 政治建设方面', 2, '政治建设方面', '第二部分 政治建设方面'],
  ['一是政治建设方面', 1, '政治建设方面', '一是政治建设方面'],
  ['（一）聚焦基层贯彻落实情况。', 1, '聚焦基层贯彻落实情况', '（一）聚焦基层贯彻落实情况。'],
];

/** Problem cells → number, bare title, and what is shown. */
const PROBLEMS: Array<[string, number, string, string]> = [
  ['1.关于落实“第一议题”不到位的问题', 1, '关于落实“第一议题”不到位的问题', '1.关于落实“第一议题”不到位的问题'],
  ['（1）关于落实“第一议题”不到位的问题', 1, '关于落实“第一议题”不到位的问题', '（1）关于落实“第一议题”不到位的问题'],
  ['(2)履行职责使命不到位。', 2, '履行职责使命不到位', '(2)履行职责使命不到位。'],
  ['3、履行职责使命不到位', 3, '履行职责使命不到位', '3、履行职责使命不到位'],
];

describe('headings split into number and title, the text kept as written', () => {
  it.each(ASPECTS)('aspect %s', (cell, no, title, shown) => {
    const s = splitAspectText(cell);
    expect([s.no, s.title]).toEqual([no, title]);
    expect(aspectHeading({ aspect: no!, title, heading: s.heading })).toBe(shown);
  });
  it.each(PROBLEMS)('problem %s', (cell, no, title, shown) => {
    const s = splitProblemText(cell);
    expect([s.no, s.title]).toEqual([no, title]);
    expect(problemHeading({ number: no, title, heading: s.heading })).toBe(shown);
  });
  it('an unnumbered aspect is shown with the common numbering, as before', () => {
    const s = splitAspectText('政治建设方面');
    expect(s).toEqual({ title: '政治建设方面' });
    expect(aspectHeading({ aspect: 2, title: s.title })).toBe('二、政治建设方面');
  });
});

/** Two aspects, problems numbered per aspect, all written in the （一）/（1） style. */
const SHEET = csv(
  HEAD,
  ',（一）政治建设方面,（1）关于落实“第一议题”不到位的问题,严格落实“第一议题”制度,反馈问题,罗拥军,政治部,陈敏,2025年6月30日,推进中',
  ',（一）政治建设方面,（2）关于理论学习不深入的问题,完善党组理论学习中心组学习制度,反馈问题,罗拥军,政治部,陈敏,2025年6月30日,未启动',
  ',（二）司法为民方面,（1）关于诉源治理成效不明显的问题,完善多元解纷机制,反馈问题,罗拥军,立案庭,陈敏,2025年6月30日,推进中',
  ',（二）司法为民方面,（1）关于诉源治理成效不明显的问题,推动矛盾纠纷源头化解,反馈问题,罗拥军,立案庭,陈敏,2025年6月30日,推进中',
);

const metaOf = (doc: LedgerDoc): LedgerMeta => {
  const { id, createdAt, numbering: _n, ...rest } = doc.ledger;
  return { ledgerId: id, now: createdAt, ...rest };
};

function importSheet(ledgerId = 't1'): LedgerDoc {
  const r = parseLedgerCsv(SHEET, meta(ledgerId), TODAY);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
}

describe('import keeps the headings as written; codes and numbering as before', () => {
  const doc = importSheet();
  it('aspects and problems carry their heading beside the number and title', () => {
    expect(doc.ledger.numbering).toBe('per-aspect');
    expect(doc.aspects.map((a) => [a.code, a.title, a.heading])).toEqual([
      ['一', '政治建设方面', '（一）政治建设方面'],
      ['二', '司法为民方面', '（二）司法为民方面'],
    ]);
    expect(doc.problems.map((p) => [p.code, p.number, p.heading])).toEqual([
      ['一.1', 1, '（1）关于落实“第一议题”不到位的问题'],
      ['一.2', 2, '（2）关于理论学习不深入的问题'],
      ['二.1', 1, '（1）关于诉源治理成效不明显的问题'],
    ]);
    expect(doc.measures.map((m) => m.code)).toEqual(['一.1.1', '一.2.1', '二.1.1', '二.1.2']);
  });
  it('a heading in the common form ("一、…", "3.…") is not stored twice', () => {
    const r = parseLedgerCsv(csv(HEAD, ',一、政治建设方面,3.履行职责使命不到位,建立台账,反馈问题,罗拥军,政治部,陈敏,2025年6月30日,推进中'), meta(), TODAY);
    expect(r.ok && [r.doc.aspects[0].heading, r.doc.problems[0].heading, r.doc.problems[0].code]).toEqual([undefined, undefined, '3']);
  });
  it('problem headings in chat keep the code once', () => {
    expect(problemWithCode(doc.problems[2])).toBe('二.1 （1）关于诉源治理成效不明显的问题');
    expect(problemWithCode({ code: '5', number: 5, title: '诉源治理成效不明显', heading: '（5）诉源治理成效不明显' })).toBe('（5）诉源治理成效不明显');
    expect(problemWithCode({ code: '5', number: 5, title: '诉源治理成效不明显' })).toBe('5 诉源治理成效不明显');
  });
  it('the export writes 方面 and 问题 as written', () => {
    const rows = ledgerTable(doc);
    expect(rows.map((r) => [r[1], r[2]])[2]).toEqual(['（二）司法为民方面', '（1）关于诉源治理成效不明显的问题']);
  });
  it('the dashboard filter names the aspects as written', () => {
    expect(filterOptions(doc).aspects.map((a) => a.label)).toEqual(['（一）政治建设方面', '（二）司法为民方面']);
  });
  it('re-importing a sheet whose cells now use the common form drops the old heading', () => {
    const plain = parseLedgerCsv(SHEET.replace(/（([一二])）/g, '$1、').replace(/（([12])）/g, '$1.'), meta(), TODAY);
    if (!plain.ok) throw new Error(JSON.stringify(plain.errors));
    const merged = mergeLedgerDocs(doc, plain.doc, { statusMoved: new Set(), deadlineMoved: new Set() }, { now: doc.ledger.createdAt }).doc;
    expect([...merged.aspects, ...merged.problems].map((i) => i.heading)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(merged.aspects.map(aspectHeading)).toEqual(['一、政治建设方面', '二、司法为民方面']);
  });
  it('CSV, JSON and XLSX exports import back to the same ledger', async () => {
    const fromCsv = parseLedgerCsv(exportLedgerCsv(doc), metaOf(doc), TODAY);
    expect(fromCsv.ok && fromCsv.doc).toEqual(doc);
    const fromJson = parseLedgerJson(exportLedgerJson(doc), { ledgerId: doc.ledger.id });
    expect(fromJson.ok && fromJson.doc).toEqual(doc);
    const fromXlsx = await parseLedgerXlsx(await exportLedgerXlsx(doc), metaOf(doc), TODAY);
    expect(fromXlsx.ok && fromXlsx.doc).toEqual(doc);
  });
});

describe('the stored item (Redis hash)', () => {
  it('writes the heading only when there is one, and reads hashes stored before headings', () => {
    const a = { id: '1', code: '一', level: 'aspect' as const, title: '政治建设方面', aspect: 1 };
    expect(itemToHash(a)).not.toHaveProperty('heading');
    expect(hashToItem(itemToHash(a))).toEqual(a);
    const withHeading = { ...a, heading: '（一）政治建设方面' };
    expect(itemToHash(withHeading).heading).toBe('（一）政治建设方面');
    expect(hashToItem(itemToHash(withHeading))).toEqual(withHeading);
    const p = { id: '1.2', code: '一.2', level: 'problem' as const, title: '理论学习不深入', aspect: 1, number: 2, kind: '反馈问题' as const, status: '推进中' as const, heading: '（2）理论学习不深入' };
    expect(hashToItem(itemToHash(p))).toEqual(p);
  });
});

describe('进度 and 查看 show the headings as written (stored in Redis)', () => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld({ at: '2025-01-10T02:00:00.000Z' });
    await w.open.services.ledgers.saveDoc(importSheet(w.ledgerId));
  });
  afterAll(async () => { await w.close(); });
  const text = async (t: string) => (await w.say('office', t))!.text;

  it('the store reads back the headings', async () => {
    const doc = await w.open.services.ledgers.loadDoc(w.ledgerId);
    expect(doc?.aspects.map((a) => a.heading)).toEqual(['（一）政治建设方面', '（二）司法为民方面']);
    expect(doc?.problems.map((p) => p.heading)[1]).toBe('（2）关于理论学习不深入的问题');
  });
  it('进度 lists the aspects as written, never rewritten "一、"', async () => {
    const t = await text('进度');
    expect(t).toContain('（一）政治建设方面');
    expect(t).toContain('（二）司法为民方面');
    expect(t).not.toContain('一、政治建设方面');
  });
  it.each([
    ['查看 二', '（二）司法为民方面', '二、司法为民方面'],
    ['查看 二.1', '二.1 （1）关于诉源治理成效不明显的问题', '二.1 关于诉源'],
    ['(二)1', '（1）关于诉源治理成效不明显的问题', '二.1 关于诉源'],
  ])('%s shows %s', async (cmd, shown, rewritten) => {
    const t = await text(cmd);
    expect(t).toContain(shown);
    expect(t).not.toContain(rewritten);
  });
});

describe('a workbook with one sheet per kind', () => {
  it('a heading whose number a later sheet gives up is not kept (the item is renumbered)', async () => {
    const row = (aspect: string, problem: string, measure: string) => ({ aspect, problem, measure, leader: '罗拥军', dept: '政治部', owner: '陈敏', deadline: '2025年6月30日', status: '推进中' });
    const wb = courtWorkbook([
      { name: '反馈问题', title: '反馈问题整改台账', rows: [row('（一）政治建设方面', '（1）关于理论学习不深入的问题', '完善学习制度')] },
      { name: '举一反三', title: '举一反三问题整改台账', rows: [
        row('（一）政治建设方面', '（1）关于学习考勤不严的问题', '建立学习考勤台账'),
        row('（一）司法为民方面', '（1）关于诉源治理成效不明显的问题', '完善多元解纷机制'),
      ] },
    ]);
    const r = await parseLedgerXlsx(Buffer.from(await wb.xlsx.writeBuffer()), meta('t1', { numbering: 'per-aspect' }), TODAY);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.doc.aspects.map(aspectHeading)).toEqual(['（一）政治建设方面', '二、司法为民方面']);
    expect(r.doc.problems.map((p) => [p.code, problemHeading(p)])).toEqual([
      ['一.1', '（1）关于理论学习不深入的问题'],
      ['一.2', '2.关于学习考勤不严的问题'],
      ['二.1', '1.关于诉源治理成效不明显的问题'],
    ]);
  });
});
