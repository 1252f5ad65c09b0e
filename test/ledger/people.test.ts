import { describe, expect, it } from 'vitest';
import { parsePerson, personKey, samePerson } from '../../src/ledger/people.js';

describe('names with titles and honorifics link to the person', () => {
  it.each([
    ['孙海燕（纪检组长）', { name: '孙海燕', title: '纪检组长' }],
    ['孙海燕(纪检组长)', { name: '孙海燕', title: '纪检组长' }],
    ['院长王建国', { name: '王建国', title: '院长' }],
    ['副院长罗拥军', { name: '罗拥军', title: '副院长' }],
    ['党组书记、院长杜波', { name: '杜波', title: '党组书记、院长' }],
    ['孙海燕同志', { name: '孙海燕' }],
    ['王建国院长', { name: '王建国', title: '院长' }],
    ['杜波书记', { name: '杜波', title: '书记' }],
    ['陈敏', { name: '陈敏' }],
    ['欧阳明月', { name: '欧阳明月' }],
    ['  孙海燕 （纪检组长） ', { name: '孙海燕', title: '纪检组长' }],
    // not a person: stays as written
    ['院长', { name: '院长' }],
    ['政治部', { name: '政治部' }],
  ])('%j', (raw, want) => expect(parsePerson(raw)).toEqual(want));

  it('keys and comparisons', () => {
    expect(personKey('孙海燕（纪检组长）')).toBe('孙海燕');
    expect(samePerson('孙海燕（纪检组长）', '孙海燕同志')).toBe(true);
    expect(samePerson('孙海燕', '孙海')).toBe(false);
  });
});
