import { describe, expect, it } from 'vitest';
import { describeLedgerDoc, parseLedgerCsv } from '../../src/reports/ledger-import.js';
import type { LedgerDoc } from '../../src/ledger/types.js';
import { HEAD, NOW, TODAY, csv, fixture, meta } from './helpers.js';

function load(name: string, extra = {}): { doc: LedgerDoc; warnings: string[] } {
  const r = parseLedgerCsv(fixture(name), meta('t1', extra), TODAY);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}
const codes = (doc: LedgerDoc) => doc.measures.map((m) => m.code);

describe('seed 003 style: no 编号 column, problems restart in each aspect', () => {
  const { doc, warnings } = load('seed003-per-aspect.csv');
  it('detects per-aspect numbering and numbers by text and row order', () => {
    expect(doc.ledger.numbering).toBe('per-aspect');
    expect(warnings).toEqual([]);
    expect(doc.aspects.map((a) => [a.code, a.title])).toEqual([
      ['一', '聚焦基层贯彻落实党的路线方针政策和党中央决策部署情况'],
      ['二', '聚焦群众身边腐败问题和不正之风'],
      ['三', '聚焦基层党组织软弱涣散、组织力欠缺问题'],
    ]);
    expect(doc.problems.map((p) => p.code)).toEqual(['一.1', '一.2', '一.3', '二.1', '二.2', '二.3', '三.1', '三.2']);
    expect(codes(doc)).toEqual(['一.1.1', '一.1.2', '一.2.1', '一.2.2', '一.3.1', '二.1.1', '二.1.2', '二.2.1', '二.3.1', '三.1.1', '三.2.1', '三.2.2']);
    expect(doc.measures[6]).toMatchObject({ id: '2.1.2', problemId: '2.1', aspect: 2, number: 2 });
  });
  it('summarises for --dry-run', () => {
    expect(describeLedgerDoc(doc)).toBe('台账 t1：3个方面、8个问题、12条整改措施（问题按方面分别编号）。');
  });
  it('carries 方面 down from the row above and strips "1." and the closing 。', () => {
    expect(doc.problems[0]).toMatchObject({ id: '1.1', title: '贯彻落实上级决策部署不够到位', number: 1 });
  });
  it('splits names on 、 and ，and maps seed status words', () => {
    expect(doc.measures[2].departments).toEqual(['立案庭', '诉讼服务中心']);
    expect(doc.measures[4].leaders).toEqual(['杜波', '李程']);
    expect(doc.measures.map((m) => m.status).slice(0, 6)).toEqual(['已完成并长期坚持', '已完成并长期坚持', '已完成', '已完成', '已完成', '基本完成']);
  });
  it('reads deadlines written as 长期坚持, 2021年6月30日, 2021/6/30, 2021-06-30, 立行立改', () => {
    expect(doc.measures.slice(0, 7).map((m) => m.deadline)).toEqual([
      { type: 'longterm' }, { type: 'longterm' }, { type: 'date', date: '2021-06-30' }, { type: 'date', date: '2021-06-30' },
      { type: 'date', date: '2021-06-30' }, { type: 'date', date: '2021-09-30' }, { type: 'immediate', date: '2025-02-09' }, // no feedback date given: today + 30 days
    ]);
  });
  it('rolls problem status up from measures and takes kind from 类别', () => {
    expect(doc.problems.map((p) => p.status)).toEqual(['已完成并长期坚持', '已完成', '已完成', '基本完成', '已完成', '已完成', '已完成并长期坚持', '推进中']);
    expect(doc.problems[5].kind).toBe('举一反三');
    expect(doc.measures[8].kind).toBe('举一反三');
  });
  it('keeps a multi-line measure cell whole', () => {
    expect(doc.measures[2].title).toBe('不断探索矛盾多元化解机制，将诉与非诉无缝对接，\n将矛盾纠纷化解在诉前');
  });
  it('fills ledger defaults and measure bookkeeping', () => {
    expect(doc.ledger).toEqual({
      id: 't1', title: 't1', org: '', inspectionType: '巡察', inspectionGroup: '', feedbackDate: TODAY,
      numbering: 'per-aspect', yellowDays: 10, requireReview: true, createdAt: NOW,
    });
    expect(doc.measures[0]).toMatchObject({ notes: [], version: 0, createdAt: NOW, updatedAt: NOW });
  });
});

describe('seed 002 style: aliased headers, 编号 column, problems 1–8 straight through', () => {
  const { doc } = load('seed002-global.csv');
  it('detects global numbering and keeps the written codes', () => {
    expect(doc.ledger.numbering).toBe('global');
    expect(doc.problems.map((p) => p.code)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(codes(doc)).toEqual(['1.1', '2.1', '2.2', '2.3', '3.1', '4.1', '5.1', '5.2', '6.1', '7.1', '8.1', '8.2']);
    expect(doc.problems[4]).toMatchObject({ id: '2.5', aspect: 2, number: 5, kind: '推动改革促进发展', status: '推进中' });
  });
  it('maps 已落实 / 持续推进 / empty status and 立行立改', () => {
    const byCode = new Map(doc.measures.map((m) => [m.code, m]));
    expect(byCode.get('2.2')).toMatchObject({ status: '已完成', deadline: { type: 'immediate' } });
    expect(byCode.get('2.3')).toMatchObject({ status: '推进中', departments: ['督察室', '政治部'] });
    expect(byCode.get('7.1')!.status).toBe('未启动');
    expect(byCode.get('3.1')!.leaders).toEqual(['院长', '副院长']);
  });
  it('gives the same ledger with the 编号 column removed', () => {
    const text = fixture('seed002-global.csv').toString('utf8').split('\n').map((l) => l.replace(/^[^,]*,/, '')).join('\n');
    const r = parseLedgerCsv(text, meta(), TODAY);
    expect(r.ok && r.doc).toEqual(doc);
  });
});

describe('巡视 or 巡察 from the title row', () => {
  const withTitle = (title: string, extra = {}) => {
    const text = fixture('seed002-serial.csv').toString('utf8').replace('广元市利州区人民法院巡察反馈意见整改台账', title);
    const r = parseLedgerCsv(text, meta('t1', extra), TODAY);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.doc.ledger;
  };
  it('a title naming 巡视 makes a 巡视 ledger, one naming 巡察 a 巡察 ledger, neither the default 巡察', () => {
    expect(withTitle('某某区人民法院落实市委巡视反馈意见整改台账')).toMatchObject({ title: '某某区人民法院落实市委巡视反馈意见整改台账', inspectionType: '巡视' });
    expect(withTitle('广元市利州区人民法院巡察反馈意见整改台账').inspectionType).toBe('巡察');
    expect(withTitle('某某区人民法院整改台账').inspectionType).toBe('巡察');
  });
  it('an explicit type (--type) wins over the title', () => {
    expect(withTitle('某某区人民法院落实市委巡视反馈意见整改台账', { inspectionType: '巡察' }).inspectionType).toBe('巡察');
  });
});

describe('a ledger with a title row, a running 序号 and merged-cell gaps', () => {
  const { doc, warnings } = load('seed002-serial.csv');
  it('ignores the running serial, carries 方面/问题 down and numbers from the texts', () => {
    expect(doc.ledger.numbering).toBe('global');
    expect(codes(doc)).toEqual(['3.1', '3.2', '4.1', '5.1', '5.2', '6.1']);
    expect(doc.measures[1].departments).toEqual(['立案庭', '综合办', '政治部(督察室)']);
    expect(warnings).toEqual([expect.stringContaining('流水号')]);
    expect(doc.ledger.title).toBe('广元市利州区人民法院巡察反馈意见整改台账');
    // The 完成情况 narrative is the measure's first progress note; its status is read from it.
    expect(doc.measures[0].notes).toEqual([{ at: expect.any(String), by: '导入', text: '已完成，2025年2月修改完善《广元市利州区人民法院涉诉信访工作管理办法》' }]);
  });
  it('takes the status word at the start of a 完成情况 sentence', () => {
    expect(doc.measures[0].status).toBe('已完成');
  });
});

describe('编号 forms', () => {
  const rows = (code1: string, code2: string) => csv(HEAD,
    `${code1},二、司法服务大局不够有力,5.法治护航营商环境有差距。,及时清理涉企案件,,,,,2025-03-31,`,
    `${code2},二、司法服务大局不够有力,5.法治护航营商环境有差距。,完善繁简分流机制,,,,,2025-03-31,`);
  it.each([
    ['5.1', '5.2'], ['二.5.1', '二.5.2'], ['(二)5(1)', '(二)5(2)'], ['（二）５（１）', '二、5.2'], ['5', '5'], ['', ''],
  ])('%s / %s', (a, b) => {
    const r = parseLedgerCsv(rows(a, b), meta('t1', { numbering: 'global' }), TODAY);
    expect(r.ok && r.doc.measures.map((m) => [m.id, m.code])).toEqual([['2.5.1', '5.1'], ['2.5.2', '5.2']]);
  });
  it('a measure number in the code leaves a gap where the ledger has one', () => {
    const r = parseLedgerCsv(rows('5.1', '5.4'), meta(), TODAY);
    expect(r.ok && r.doc.measures.map((m) => m.code)).toEqual(['5.1', '5.4']);
  });
});

describe('status cells read with the chat lexicon', () => {
  const row = (n: number, status: string) => `,一、加强政治建设,1.学习贯彻不深入。,措施${n},,,,,2025-03-31,${status}`;
  const cells = ['完成一半', '完成进度60%', '完成，待验收', '已完成', '尚未完成，模板已起草', '基本完成', '差不多完成了'];
  const r = parseLedgerCsv(csv(HEAD, ...cells.map((c, i) => row(i + 1, c))), meta(), TODAY);
  it('partial, negated and review cells are not completions; the cell text is kept as the first note', () => {
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.doc.measures.map((m) => m.status)).toEqual(['推进中', '推进中', '待销号', '已完成', '推进中', '基本完成', '基本完成']);
    expect(r.doc.measures[1].notes.map((n) => n.text)).toEqual(['完成进度60%']);
    expect(r.doc.measures[3].notes).toEqual([]);
    expect(r.warnings.join('')).toContain('写有完成百分比的原文记为第一条进展');
  });
});

describe('立行立改 rows get the ledger’s due date', () => {
  const rows = csv(HEAD,
    ',一、加强政治建设,1.学习贯彻不深入。,立即组织专题学习,,,,,立行立改,推进中',
    ',一、加强政治建设,1.学习贯彻不深入。,立即清理台账,,,,,立行立改（2025年1月20日前）,推进中');
  it('feedback date + 30 days unless the cell or the ledger says otherwise', () => {
    const r = parseLedgerCsv(rows, meta('t1', { feedbackDate: '2025-01-03' }), TODAY);
    expect(r.ok && r.doc.measures.map((m) => m.deadline)).toEqual([
      { type: 'immediate', date: '2025-02-02' }, { type: 'immediate', date: '2025-01-20' }]);
    const ten = parseLedgerCsv(rows, meta('t1', { feedbackDate: '2025-01-03', immediateDays: 10 }), TODAY);
    expect(ten.ok && ten.doc.measures[0].deadline).toEqual({ type: 'immediate', date: '2025-01-13' });
  });
});
