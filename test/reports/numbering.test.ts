import { describe, expect, it } from 'vitest';
import { isRunningSerial, splitAspectText, splitMeasureText, splitProblemText } from '../../src/reports/ledger-rows.js';
import { detectNumbering } from '../../src/reports/ledger-structure.js';

describe('numbering written in the texts (seed phrases)', () => {
  it.each([
    ['一、贯彻落实党中央决策部署和省委工作要求有差距', 1, '贯彻落实党中央决策部署和省委工作要求有差距'],
    ['(二)聚焦群众身边腐败问题和不正之风', 2, '聚焦群众身边腐败问题和不正之风'],
    ['（三）聚焦基层党组织软弱涣散、组织力欠缺问题', 3, '聚焦基层党组织软弱涣散、组织力欠缺问题'],
    ['十二、基层党组织建设着力不够', 12, '基层党组织建设着力不够'],
    ['三重一大决策制度执行不严', undefined, '三重一大决策制度执行不严'],
    ['司法服务大局不够有力', undefined, '司法服务大局不够有力'],
  ])('aspect %s', (text, no, title) => {
    expect(splitAspectText(text)).toEqual(no ? { no, title, heading: text } : { title });
  });
  it.each([
    ['1.贯彻落实上级决策部署不够到位。', 1, '贯彻落实上级决策部署不够到位'],
    ['45.党建与业务工作融合不够紧密。', 45, '党建与业务工作融合不够紧密'],
    ['3、意识形态工作落实有偏差', 3, '意识形态工作落实有偏差'],
    ['１３．抓审判质效提升有差距,部分指标不优。', 13, '抓审判质效提升有差距,部分指标不优'],
    ['(2)履行职责使命不到位', 2, '履行职责使命不到位'],
    ['2025年一季度监管“四类案件”不到位', undefined, '2025年一季度监管“四类案件”不到位'],
    ['1.5倍工作量', undefined, '1.5倍工作量'],
  ])('problem %s', (text, no, title) => {
    expect(splitProblemText(text)).toEqual(no ? { no, title, heading: text } : { title });
  });
  it('measure (2)… keeps the rest of the text untouched', () => {
    expect(splitMeasureText('(2)定期开展案件评查工作。')).toEqual({ no: 2, title: '定期开展案件评查工作。' });
    expect(splitMeasureText('一是强化警示宣传。')).toEqual({ title: '一是强化警示宣传。' });
  });
});

describe('isRunningSerial', () => {
  it.each([
    [['1', '2', '3'], true],
    [['1', '2', '2'], false],
    [['1.1', '1.2'], false],
    [['1'], false],
    [['', '2'], false],
  ])('%j → %s', (codes, yes) => {
    expect(isRunningSerial(codes)).toBe(yes);
  });
});

describe('detectNumbering', () => {
  it('seed 003: problems restart in each aspect → per-aspect', () => {
    const ps = [[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [3, 1]].map(([aspect, no]) => ({ aspect, no }));
    expect(detectNumbering(ps, false)).toBe('per-aspect');
  });
  it('seed 002: problems run 1–45 through → global', () => {
    const ps = [[1, 1], [1, 4], [2, 5], [2, 7], [12, 45]].map(([aspect, no]) => ({ aspect, no }));
    expect(detectNumbering(ps, false)).toBe('global');
  });
  it('a single aspect: global unless the codes name the aspect', () => {
    expect(detectNumbering([{ aspect: 1, no: 1 }], false)).toBe('global');
    expect(detectNumbering([{ aspect: 1, no: 1 }], true)).toBe('per-aspect');
    expect(detectNumbering([], false)).toBe('global');
  });
});
