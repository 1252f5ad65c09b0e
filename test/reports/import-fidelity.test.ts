import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLedgerFile } from '../../src/reports/ledger-file.js';
import { formatImportErrors } from '../../src/reports/ledger-import.js';
import type { Measure } from '../../src/ledger/types.js';
import { day, writeCourtWorkbook, type CourtRow } from './court-workbook.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-fidelity-'));
const TODAY = '2026-05-10';
const NOW = '2026-05-10T02:00:00.000Z';
const meta = { ledgerId: 'court', now: NOW, feedbackDate: '2026-03-15' };
const HEADERS = ['序号', '问题类别', '存在问题', '整改措施', '责任领导', '责任部门', '责任人', '完成时限', '整改进展', '佐证材料', '备注'];
const A1 = '一、贯彻落实党的路线方针政策和上级决策部署方面';
const A2 = '二、落实全面从严治党战略部署方面';
const P1 = '1.政治理论学习不够深入。';
const main: CourtRow[] = [
  { aspect: A1, problem: P1, measure: '(1)制定党组理论学习中心组年度学习计划', leader: '张明', dept: '办公室', owner: '李华', deadline: day('2026-06-30'),
    progress: '已完成，印发《党组理论学习中心组学习计划》', evidence: '学习计划文件\n党组会议记录', remark: '已报区委巡察办' },
  { aspect: A1, problem: P1, measure: '(2)开展专题读书班', leader: '张明', dept: '政治部', owner: '王芳', deadline: '第四季度', progress: '已印发制度并组织学习' },
  { aspect: A1, problem: '2.服务保障大局不够有力。', measure: '(1)出台服务保障优化营商环境的意见', leader: '赵强', dept: '研究室', deadline: '长期坚持', progress: '完成一半，已起草方案' },
  { aspect: A2, problem: '1.主体责任落实不到位。', measure: '(1)修订主体责任清单', leader: '张明', dept: '办公室', deadline: '年底前', progress: '基本完成，待验收' },
  { aspect: A2, problem: '1.主体责任落实不到位。', measure: '(2)定期开展廉政风险排查', leader: '钱伟', dept: '纪检组', deadline: '2027年3月底前' },
];
const second: CourtRow[] = [
  { aspect: '一、举一反三查摆问题方面', problem: '1.案件质效管理不够精细。', measure: '(1)开展案件质量评查', leader: '赵强', dept: '审管办', deadline: '上半年', progress: '正在推进' },
];

describe('a court workbook imported as the office keeps it', () => {
  it('title row, as-of line, 问题类别 as the aspect, narratives, evidence, notes, period deadlines and a second sheet', async () => {
    const file = await writeCourtWorkbook(path.join(tmp, 'court.xlsx'), [
      { name: '反馈问题', title: '某某区人民法院巡察整改台账', sub: '填报单位：某某区人民法院　　截至2026年4月30日', headers: HEADERS, rows: main },
      { name: '举一反三问题', title: '某某区人民法院举一反三问题整改台账', headers: HEADERS, rows: second },
    ]);
    const r = await readLedgerFile(file, meta, TODAY);
    if (!r.ok) throw new Error(formatImportErrors(r.errors));
    expect(r.doc.ledger.title).toBe('某某区人民法院巡察整改台账');
    expect(r.sheetDate).toBe('2026-04-30');
    expect(r.doc.aspects.map((a) => [a.code, a.title])).toEqual([
      ['一', '贯彻落实党的路线方针政策和上级决策部署方面'], ['二', '落实全面从严治党战略部署方面'], ['三', '举一反三查摆问题方面'],
    ]);
    const by = new Map(r.doc.measures.map((m) => [m.code, m]));
    const pick = (m: Measure | undefined) => m && { title: m.title, kind: m.kind, status: m.status, deadline: m.deadline, notes: m.notes.map((n) => [n.text, !!n.evidence]), remark: m.remark };
    expect([...by.keys()]).toEqual(['一.1.1', '一.1.2', '一.2.1', '二.1.1', '二.1.2', '三.1.1']);
    expect(pick(by.get('一.1.1'))).toEqual({
      title: '制定党组理论学习中心组年度学习计划', kind: '反馈问题', status: '已完成', deadline: { type: 'date', date: '2026-06-30' },
      notes: [['已完成，印发《党组理论学习中心组学习计划》', false], ['学习计划文件', true], ['党组会议记录', true]], remark: '已报区委巡察办',
    });
    expect(by.get('一.1.1')!.notes.every((n) => n.by === '导入' && n.at === NOW)).toBe(true);
    expect(pick(by.get('一.1.2'))).toEqual({ title: '开展专题读书班', kind: '反馈问题', status: '未启动', deadline: { type: 'date', date: '2026-12-31' }, notes: [['已印发制度并组织学习', false]], remark: undefined });
    expect(pick(by.get('一.2.1'))).toMatchObject({ status: '推进中', deadline: { type: 'longterm' }, notes: [['完成一半，已起草方案', false]] });
    expect(pick(by.get('二.1.1'))).toMatchObject({ status: '基本完成', deadline: { type: 'date', date: '2026-12-31' } });
    expect(pick(by.get('二.1.2'))).toMatchObject({ status: '未启动', deadline: { type: 'date', date: '2027-03-31' }, notes: [] });
    expect(pick(by.get('三.1.1'))).toEqual({ title: '开展案件质量评查', kind: '举一反三', status: '推进中', deadline: { type: 'date', date: '2026-06-30' }, notes: [['正在推进', false]], remark: undefined });
    expect(r.doc.problems.map((p) => [p.code, p.kind])).toEqual([['一.1', '反馈问题'], ['一.2', '反馈问题'], ['二.1', '反馈问题'], ['三.1', '举一反三']]);
    // The narrative that names no status is imported, with the default status, and listed for the office to check.
    expect(r.confirm).toEqual([{ sheet: '反馈问题', row: 5, code: '一.1.2', reason: '整改进展没有写明状态，暂记为“未启动”' }]);
  });

  it('问题类别 holding 类别 words is the 类别 column', async () => {
    const headers = ['方面', '问题', '整改措施', '问题类别', '完成时限'];
    const file = await writeCourtWorkbook(path.join(tmp, 'kinds.xlsx'), [{ name: 'Sheet1', title: '台账', headers, fields: { 问题类别: 'kind' }, rows: [
      { aspect: A1, problem: P1, measure: '甲', kind: '举一反三', deadline: '年底前' },
      { aspect: A1, problem: P1, measure: '乙', kind: '反馈问题', deadline: '年底前' },
    ] }]);
    const r = await readLedgerFile(file, meta, TODAY);
    if (!r.ok) throw new Error(formatImportErrors(r.errors));
    expect(r.doc.measures.map((m) => m.kind)).toEqual(['举一反三', '反馈问题']);
  });

  it('a bad workbook: all five errors at once, each with its sheet, row, column and a precise reason', async () => {
    const headers = ['编号', '方面', '问题', '整改措施', '类别', '责任部门', '完成时限', '状态'];
    const ok = { aspect: A1, problem: P1, dept: '办公室', deadline: day('2026-06-30'), status: '推进中' };
    const file = await writeCourtWorkbook(path.join(tmp, 'bad.xlsx'), [
      { name: '反馈问题', title: '某某区人民法院巡察整改台账', headers, rows: [
        { ...ok, code: '一.1.1', measure: '制定学习计划' },
        { ...ok, code: '一.1.2', measure: '开展读书班', deadline: '2027年2月30日' },
        { ...ok, code: '一.1.3', measure: '', kind: '反馈问题' },
        { ...ok, code: '一.1.4', measure: '建立台账', kind: '其他事项' },
        { ...ok, code: '一.1.1', measure: '组织专题研讨' },
      ] },
      { name: '举一反三问题', title: '举一反三', headers, rows: [{ ...ok, aspect: '一、举一反三方面', code: '1.1', measure: '开展评查', deadline: '明年吧' }] },
    ]);
    const r = await readLedgerFile(file, meta, TODAY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { sheet: '反馈问题', row: 4, column: 'G列（完成时限）', message: '2027年2月30日不存在（2027年2月只有28天）' },
      { sheet: '反馈问题', row: 5, column: 'D列（整改措施）', message: '缺少“整改措施”。' },
      { sheet: '反馈问题', row: 6, column: 'E列（类别）', message: expect.stringContaining('无法识别的类别“其他事项”') },
      { sheet: '反馈问题', row: 7, message: '编号与第3行重复：都是第1个问题的第1条措施。' },
      { sheet: '举一反三问题', row: 3, column: 'G列（完成时限）', message: expect.stringContaining('无法识别的完成时限“明年吧”') },
    ]);
    const text = formatImportErrors(r.errors);
    expect(text).toContain('共5处问题');
    expect(text).toContain('工作表“反馈问题”第4行G列（完成时限）：2027年2月30日不存在');
  });

  it('a sheet whose header lacks a required column refuses the file, with the other sheets\' errors; a 说明 sheet is skipped', async () => {
    const file = await writeCourtWorkbook(path.join(tmp, 'broken.xlsx'), [
      { name: '反馈问题', title: '台账', headers: HEADERS, rows: [{ ...main[0], deadline: '2026年13月1日' }] },
      { name: '举一反三问题', title: '台账', headers: HEADERS.filter((h) => h !== '完成时限'), rows: second },
      { name: '填表说明', title: '填表说明', headers: ['责任部门', '方面'], rows: [] },
    ]);
    const r = await readLedgerFile(file, meta, TODAY);
    expect(!r.ok && r.errors).toEqual([
      { sheet: '举一反三问题', row: 2, message: '表头缺少必需的列：完成时限。' },
      { sheet: '反馈问题', row: 3, column: 'H列（完成时限）', message: '2026年13月1日不存在（月份应为1到12）' },
    ]);
  });
});
