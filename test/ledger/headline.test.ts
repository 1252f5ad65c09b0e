import { describe, expect, it } from 'vitest';
import { headlineSentence, type HeadlineCounts } from '../../src/ledger/headline.js';

const base = (x: Partial<HeadlineCounts>): HeadlineCounts => ({ inspectionType: '巡察', asOf: '2021-07-09', problems: 0, measures: 0, byStatus: {}, ...x });

describe('headline sentences in the notices’ counting language', () => {
  it.each<[string, Partial<HeadlineCounts>, string]>([
    // seed 003: "将巡察反馈的3个方面8个问题细化分解为21项具体问题" — the seed's own headline
    ['seed 003', { problems: 8, measures: 21, measureNoun: '具体问题', byStatus: { 已完成: 9, 已完成并长期坚持: 11, 基本完成: 1 } },
      '截至7月9日，巡察反馈的21个具体问题，已完成整改9个，已完成整改并长期坚持11个，基本完成整改1个。'],
    // seed 002: 45 numbered problems, each one item
    ['seed 002', { asOf: '2025-03-31', problems: 45, measures: 45, byStatus: { 已完成: 38, 已销号: 2, 推进中: 5 } },
      '截至3月31日，巡察反馈的45个具体问题，已完成整改40个（其中已销号2个），正在推进5个。'],
    // 12 problems, 30 measures: the ledger
    ['problems ≠ measures', { asOf: '2025-05-20', problems: 12, measures: 30, byStatus: { 已完成: 10, 已销号: 1, 基本完成: 3, 推进中: 14, 未启动: 2 } },
      '截至5月20日，巡察反馈的12个问题，细化为30条整改措施，已完成整改11条（其中已销号1条）、基本完成整改3条、正在推进14条、尚未启动2条。'],
    ['巡视, with 待销号 and extensions', { inspectionType: '巡视', problems: 3, measures: 7, byStatus: { 已完成: 2, 待销号: 1, 阶段性完成: 4 }, extensionsPending: 2 },
      '截至7月9日，巡视反馈的3个问题，细化为7条整改措施，已完成整改2条、已申报完成待销号1条、阶段性完成4条、申请延期整改2条。'],
    ['mixed kinds', { problems: 10, measures: 25, feedbackOnly: false, byStatus: { 已完成: 20, 推进中: 5 } },
      '截至7月9日，巡察整改台账的10个问题，细化为25项整改任务，已完成整改20项、正在推进5项。'],
    ['an empty ledger', { problems: 0, measures: 0 }, '截至7月9日，巡察反馈的0个具体问题。'],
    ['measures named 整改措施 even when as many as problems', { problems: 4, measures: 4, measureNoun: '整改措施', byStatus: { 已完成: 4 } },
      '截至7月9日，巡察反馈的4个问题，细化为4条整改措施，已完成整改4条。'],
  ])('%s', (_n, x, want) => expect(headlineSentence(base(x))).toBe(want));

  it('已销号 is never a parallel group', () => {
    const s = headlineSentence(base({ problems: 12, measures: 30, byStatus: { 已完成: 10, 已销号: 1 } }));
    expect(s).not.toMatch(/已销号\d+条，已完成/);
    expect(s).toContain('已完成整改11条（其中已销号1条）');
  });
});
