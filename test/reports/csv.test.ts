import { describe, expect, it } from 'vitest';
import { decodeText, readCsv, tryReadCsv, writeCsv } from '../../src/reports/csv.js';

describe('decodeText', () => {
  it('drops a UTF-8 BOM', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('编号,方面')]);
    expect(decodeText(bytes)).toBe('编号,方面');
  });
  it('reads GBK bytes as saved by Chinese Excel', () => {
    // "姓名,整改办" in GBK: 姓 D0D5 名 C3FB , 整 D5FB 改 B8C4 办 B0EC
    const gbk = new Uint8Array([0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xd5, 0xfb, 0xb8, 0xc4, 0xb0, 0xec]);
    expect(decodeText(gbk)).toBe('姓名,整改办');
  });
});

describe('readCsv', () => {
  it('numbers records as spreadsheet rows: multi-line cells are one row, blank lines count', () => {
    const rows = readCsv('a,b\n"第一行\n第二行",x\n\nc,d\n');
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    expect(rows[1].cells).toEqual(['第一行\n第二行', 'x']);
    expect(rows[3].cells).toEqual(['c', 'd']);
  });
  it('tolerates ragged rows and a BOM in text', () => {
    expect(readCsv('\ufeffa,b,c\n1\n').map((r) => r.cells)).toEqual([['a', 'b', 'c'], ['1']]);
  });
  it('reports unbalanced quotes as a file error in Chinese', () => {
    const r = tryReadCsv('a,b\n"oops,x\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].message).toContain('引号不配对');
  });
});

describe('writeCsv', () => {
  it('quotes commas, quotes and line breaks, and starts with a BOM', () => {
    const out = writeCsv([['a', 'b,c', '他说"好"', '两\n行']]);
    expect(out).toBe('\ufeffa,"b,c","他说""好""","两\n行"\r\n');
    expect(readCsv(out)[0].cells).toEqual(['a', 'b,c', '他说"好"', '两\n行']);
  });
});
