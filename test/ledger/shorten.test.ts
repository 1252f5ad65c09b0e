import { describe, expect, it } from 'vitest';
import { shortTitle } from '../../src/ledger/shorten.js';

describe('titles are shortened at punctuation, never inside a 规范提法', () => {
  it.each([
    ['学习贯彻习近平新时代中国特色社会主义思想不深入、落实“第一议题”不到位', 16, '学习贯彻习近平新时代中国特色社会主义思想…'],
    ['贯彻落实党中央决策部署和省委工作要求有差距', 16, '贯彻落实党中央决策部署和省委工作…'],
    ['学习贯彻习近平总书记有关重要指示精神不深入、落实“第一议题”不到位。', 24, '学习贯彻习近平总书记有关重要指示精神不深入…'],
    ['聚焦群众身边腐败问题和不正之风', 16, '聚焦群众身边腐败问题和不正之风'],
    ['落实防止干预司法“三个规定”不够到位', 10, '落实防止干预司法“三个规定”…'],
    ['严格落实“一岗双责”，班子成员每年12月前完成述职述廉报告', 16, '严格落实“一岗双责”…'],
    ['短标题', 16, '短标题'],
  ])('%s (%i)', (t, n, want) => expect(shortTitle(t, n)).toBe(want));

  it('never leaves a protected phrase cut', () => {
    const t = '学习贯彻习近平新时代中国特色社会主义思想不深入';
    for (let n = 5; n < 24; n++) expect(shortTitle(t, n), String(n)).not.toMatch(/中国特色社会…|习近平新时代…|习近…/);
  });
});
