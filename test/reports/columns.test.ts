import { describe, expect, it } from 'vitest';
import { fieldOfHeader, mapLedgerHeader, parseKind } from '../../src/reports/ledger-columns.js';

describe('fieldOfHeader', () => {
  it.each([
    ['编号', 'code'], ['序号', 'code'], ['方面', 'aspect'], ['问题', 'problem'], ['存在问题', 'problem'],
    ['问题表现', 'problem'], ['具体问题', 'problem'], ['整改措施', 'measure'], ['类别', 'kind'], ['问题类别', null],
    ['责任领导', 'leaders'], ['牵头领导', 'leaders'], ['分管领导', 'leaders'], ['责任部门', 'departments'],
    ['牵头部门', 'departments'], ['责任单位', 'departments'], ['责任人', 'owners'], ['完成时限', 'deadline'],
    ['整改时限', 'deadline'], ['完成时间', 'deadline'], ['状态', 'status'], ['整改状态', 'status'],
    ['完成情况', 'progress'], ['进展情况', 'progress'], ['整改进展', 'progress'], ['整改完成进度', 'status'], ['佐证材料', 'evidence'],
    [' 整改 措施 ', 'measure'], ['完成时限（年月日）', 'deadline'], ['*责任领导', 'leaders'], ['备注', 'remark'], ['其他', null],
  ])('%s → %s', (header, field) => {
    expect(fieldOfHeader(header)).toBe(field);
  });
});

describe('mapLedgerHeader', () => {
  it('finds the header below a title row', () => {
    const r = mapLedgerHeader([
      { row: 1, cells: ['某某法院巡察反馈意见整改台账', '', ''] },
      { row: 2, cells: ['方面', '问题', '整改措施', '整改时限', '其他'] },
    ]);
    expect(r.ok && r.map.headerRow).toBe(2);
    expect(r.ok && r.map.columns).toEqual({ aspect: 0, problem: 1, measure: 2, deadline: 3 });
    expect(r.ok && r.map.labels.deadline).toBe('D列（整改时限）');
    expect(r.ok && r.warnings[0]).toContain('其他');
  });
  it('names the missing required columns on the header row', () => {
    const r = mapLedgerHeader([{ row: 1, cells: ['方面', '问题', '状态'] }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ row: 1, message: '表头缺少必需的列：整改措施、完成时限。' }]);
  });
  it('refuses a file without any known header', () => {
    expect(mapLedgerHeader([{ row: 1, cells: ['a', 'b'] }]).ok).toBe(false);
  });
});

describe('parseKind', () => {
  it.each([
    ['', '反馈问题'], ['反馈问题', '反馈问题'], ['整改意见', '整改意见'], ['举一反三', '举一反三'],
    ['推动改革、促进发展', '推动改革促进发展'], ['推动改革促进发展', '推动改革促进发展'], ['信访件', '信访件'],
    ['问题线索', '问题线索'], ['巡察反馈问题', '反馈问题'], ['其他', null],
  ])('%s → %s', (cell, kind) => {
    expect(parseKind(cell)).toBe(kind);
  });
});
