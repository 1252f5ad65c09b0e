import { describe, expect, it } from 'vitest';
import { aliasOf, displayCode, parseCode } from '../../src/ledger/codes.js';
import { parseNumeral, toChineseNumeral } from '../../src/ledger/numerals.js';

describe('item codes as cadres write them', () => {
  it.each([
    ['二.3', 'A2.3'], ['(二)3', 'A2.3'], ['（二）3', 'A2.3'], ['二3', 'A2.3'], ['二、3', 'A2.3'],
    ['3.2', '3.2'], ['３．２', '3.2'], ['3(2)', '3.2'], ['第3项', '3'], ['第三项', '3'], ['第12条', '12'],
    ['3', '3'], ['45', '45'], ['二.3.2', 'A2.3.2'], ['(二)3(2)', 'A2.3.2'], ['1.3.2', 'A1.3.2'],
    ['二', 'A2'], ['（三）', 'A3'], ['十一.2', 'A11.2'], [' 二 . 3 ', 'A2.3'],
  ])('%s → %s', (input, alias) => {
    const q = parseCode(input);
    expect(q).not.toBeNull();
    expect(aliasOf(q!)).toBe(alias);
  });

  it.each(['进度', 'abc', '', '二.x', '第项', '3..2'])('%j is not a code', (input) => {
    expect(parseCode(input)).toBeNull();
  });

  it('display codes follow the ledger numbering (seed 003 per aspect, seed 002 straight through)', () => {
    expect(displayCode('per-aspect', 2, 3)).toBe('二.3');
    expect(displayCode('per-aspect', 2, 3, 1)).toBe('二.3.1');
    expect(displayCode('global', 2, 5)).toBe('5');
    expect(displayCode('global', 2, 5, 2)).toBe('5.2');
    expect(displayCode('global', 1)).toBe('一');
  });
});

describe('Chinese numerals', () => {
  it.each([['一', 1], ['十', 10], ['十一', 11], ['二十', 20], ['二十一', 21], ['两', 2], ['九十九', 99], ['7', 7]])('%s = %i', (s, n) => {
    expect(parseNumeral(s)).toBe(n);
  });
  it.each(['十十', '二一', 'x', ''])('%j is not a numeral', (s) => expect(parseNumeral(s)).toBeNull());
  it.each([[1, '一'], [10, '十'], [12, '十二'], [21, '二十一']])('%i → %s', (n, s) => expect(toChineseNumeral(n)).toBe(s));
});
