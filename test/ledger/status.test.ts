import { describe, expect, it } from 'vitest';
import { parseStatus, rollUp, statusPrefix, isDone, isClosed } from '../../src/ledger/status.js';

describe('status words from the seeds map onto canonical statuses', () => {
  it.each([
    ['已完成整改', '已完成'], ['已完成整改并长期坚持', '已完成并长期坚持'], ['基本完成整改', '基本完成'],
    ['阶段性完成', '阶段性完成'], ['已落实', '已完成'], ['已办结', '已完成'], ['完成', '已完成'],
    ['未启动', '未启动'], ['正在推进', '推进中'], ['推进中', '推进中'], ['持续推进', '推进中'],
    ['正在整改', '推进中'], ['整改到位', '已完成'], ['长期坚持', '已完成并长期坚持'], ['已销号', '已销号'],
    ['待销号', '待销号'], ['逾期', '推进中'], [' 已完成 ', '已完成'], ['已完成并长期坚持', '已完成并长期坚持'],
  ])('%s → %s', (word, st) => expect(parseStatus(word)).toBe(st));

  it.each(['', '很好', '完成了吗？'])('%j is not a status', (w) => expect(parseStatus(w)).toBeNull());

  it('finds a status word at the start of free text, longest first', () => {
    expect(statusPrefix('已完成，制度已印发')).toEqual({ status: '已完成', rest: '制度已印发' });
    expect(statusPrefix('已完成整改并长期坚持 定期回头看')).toEqual({ status: '已完成并长期坚持', rest: '定期回头看' });
    expect(statusPrefix('制度已印发')).toBeNull();
  });

  it('done and closed', () => {
    expect(isDone('已销号') && isDone('已完成并长期坚持') && !isDone('待销号')).toBe(true);
    expect(isClosed('待销号') && !isClosed('基本完成')).toBe(true);
  });
});

describe('problem roll-up from measures', () => {
  it.each([
    [['已完成', '已完成'], '已完成'],
    [['已完成', '已完成并长期坚持'], '已完成并长期坚持'],
    [['已销号', '已销号'], '已销号'],
    [['已销号', '已完成'], '已完成'],
    [['已完成', '待销号'], '待销号'],
    [['已完成', '基本完成'], '基本完成'],
    [['未启动', '已完成'], '推进中'],
    [['未启动', '未启动'], '未启动'],
    [['阶段性完成', '推进中'], '推进中'],
    [[], '未启动'],
  ] as const)('%j → %s', (ss, want) => expect(rollUp([...ss])).toBe(want));
});
