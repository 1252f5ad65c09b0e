import { describe, expect, it } from 'vitest';
import { route, splitCode } from '../../src/commands/router.js';
import { parseCode } from '../../src/ledger/codes.js';

/** Where a phrase goes: "查看 5.2", "进展 5.2 …", "确认状态", "miss". */
function where(text: string): string {
  const r = route(text);
  if (r.kind === 'command') return `${r.spec.name}${r.args ? ` ${r.args}` : ''}`;
  return r.kind;
}

describe('natural phrasing routes by meaning', () => {
  it.each([
    // the issue's "Why" list
    ['5.2怎么样？', '查看 5.2'],
    ['看一下5.2', '查看 5.2'],
    ['问题5', '查看 问题5'],
    ['1.1：已完成，制度已印发', '完成 1.1 制度已印发'],
    ['查看 5。2', '查看 5。2'],
    ['5.2进展如何', '查看 5.2'],
    ['5.2 进展如何？', '查看 5.2'],
    ['10.1 已经基本完成了', '进展 10.1 已经基本完成了'],
    ['5.2 尚未完成，模板已起草', '进展 5.2 尚未完成，模板已起草'],
    ['5.2 完成一半，已起草台账模板', '进展 5.2 完成一半，已起草台账模板'],
    ['5.2 已完成80%', '进展 5.2 已完成80%'],
    // completion and review
    ['3.2 已完成，制度已印发', '完成 3.2 制度已印发'],
    ['3.2已完成，制度已印发', '完成 3.2 制度已印发'],
    ['二.3 已完成整改并长期坚持，定期回头看', '完成 二.3 长期坚持 定期回头看'],
    ['3.2 完成，待验收', '完成 3.2 完成，待验收'],
    // unsure: a question back, never a write
    ['5.2 差不多完成了', '确认状态'],
    ['5.2 已完成，但制度尚未印发', '确认状态'],
    // not codes
    ['2025年工作总结', 'miss'],
    ['十分感谢', 'miss'],
    ['3.2 制度已印发', 'miss'],
    ['3.2 已销号', 'miss'],
    ['5.2', '查看 5.2'],
    ['第三项怎么样', '查看 第三项'],
  ])('%j → %s', (text, want) => expect(where(text)).toBe(want));

  it('a question is never suggested as a write', () => {
    for (const q of ['5.2进展如何', '5.2怎么样？', '5.2 完成了吗']) {
      const r = route(q);
      expect(r.kind === 'command' && r.spec.writes, q).toBeFalsy();
    }
  });

  it('splits a code glued to its text and reads 。 and 问题 in codes', () => {
    expect(splitCode('5.2怎么样？')).toEqual({ code: '5.2', tail: '怎么样？' });
    expect(splitCode('1.1：已完成')).toEqual({ code: '1.1', tail: '已完成' });
    expect(splitCode('一半')).toBeUndefined();
    expect(parseCode('5。2')).toEqual({ problem: 5, measure: 2 });
    expect(parseCode('问题5')).toEqual({ problem: 5 });
    expect(parseCode('措施5.2')).toEqual({ problem: 5, measure: 2 });
  });
});
