import { describe, expect, it } from 'vitest';
import { formatImportErrors, parseLedgerCsv } from '../../src/reports/ledger-import.js';
import { fixture, meta, TODAY } from './helpers.js';

/** seed002-global.csv with data line `line` (spreadsheet row = line + 1 … header is row 1) replaced. */
function withRow(row: number, edit: (cells: string[]) => string[]): string {
  const lines = fixture('seed002-global.csv').toString('utf8').trimEnd().split('\n');
  lines[row - 1] = edit(lines[row - 1].split(',')).join(',');
  return lines.join('\n');
}
const set = (i: number, v: string) => (c: string[]) => c.map((x, j) => (j === i ? v : x));

describe('one bad row refuses the whole import, naming that row', () => {
  it.each([
    ['unknown status word', 4, set(9, '搞定了'), '无法识别的状态“搞定了”'],
    ['nonsense date', 6, set(8, '2025年2月30日'), '2025年2月30日不存在（2025年2月只有28天）'],
    ['date that is no date', 6, set(8, '明年吧'), '无法识别的完成时限“明年吧”'],
    ['missing deadline', 6, set(8, ''), '缺少“完成时限”'],
    ['missing 整改措施', 5, set(3, ''), '缺少“整改措施”'],
    ['unknown 类别', 7, set(4, '其他事项'), '无法识别的类别“其他事项”'],
    ['unreadable 编号', 7, set(0, 'abc'), '无法识别的编号“abc”'],
    ['编号 naming only an aspect', 7, set(0, '二'), '只写到方面'],
    ['duplicate code', 4, set(0, '2.1'), '编号与第3行重复'],
    ['code contradicting the 问题 number', 8, set(0, '6.1'), '属于第6个问题，而“问题”栏写的是第5个问题'],
    ['code contradicting the 方面', 12, set(0, '二.8.1'), '属于第二个方面，而“方面”栏写的是第三个方面'],
  ])('%s (row %i)', (_what, row, edit, message) => {
    const r = parseLedgerCsv(withRow(row, edit), meta(), TODAY);
    expect(r.ok).toBe(false);
    expect('doc' in r).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].row).toBe(row);
    expect(r.errors[0].message).toContain(message);
  });

  it('reports every bad row, in row order', () => {
    const text = withRow(13, set(9, '不知道'));
    const r = parseLedgerCsv(text.replace('2025年1月17日', '1月32日'), meta(), TODAY);
    expect(!r.ok && r.errors.map((e) => e.row)).toEqual([7, 13]);
  });

  it('a problem numbered twice for one text is a contradiction', () => {
    const r = parseLedgerCsv(withRow(4, set(2, '3.落实防止干预司法“三个规定”不够到位。')), meta(), TODAY);
    expect(!r.ok && r.errors[0]).toMatchObject({ row: 4 });
    expect(!r.ok && r.errors.map((e) => e.message).join()).toMatch(/编号“2\.2”属于第2个问题/);
  });

  it('two different problems with the same number clash', () => {
    const r = parseLedgerCsv(withRow(6, set(2, '2.防范化解重大风险意识不够强。')).replace(/^3\.1,/m, ','), meta(), TODAY);
    expect(!r.ok && r.errors[0].message).toContain('与第3行的问题');
  });

  it('a missing 问题 on the first data row has nothing to carry down', () => {
    const r = parseLedgerCsv(withRow(2, set(2, '')), meta(), TODAY);
    expect(!r.ok && r.errors).toEqual([{ row: 2, column: 'C列（存在问题）', message: '缺少“问题”，上面也没有可沿用的问题。' }]);
  });

  it('an empty file and a header without rows are refused', () => {
    expect(parseLedgerCsv('', meta(), TODAY).ok).toBe(false);
    const r = parseLedgerCsv('方面,问题,整改措施,完成时限\n\n', meta(), TODAY);
    expect(!r.ok && r.errors[0].message).toContain('没有任何整改措施');
  });

  it('formats errors for a reply, one line per row', () => {
    expect(formatImportErrors([{ row: 4, message: '缺少“整改措施”。' }, { row: 0, message: '文件为空。' }])).toBe(
      '导入失败，共2处问题，台账未作任何改动：\n第4行：缺少“整改措施”。\n文件为空。',
    );
  });
});
