import { describe, expect, it } from 'vitest';
import { claimsDone, isQuestion, readStatus, type StatusReading } from '../../src/ledger/lexicon.js';

/** A reading as one short string, so the table reads like the phrases it tests. */
function show(r: StatusReading): string {
  if (r.kind === 'question' || r.kind === 'none') return r.kind;
  if (r.kind === 'unsure') return `unsure ${r.readings.join('/')}`;
  return `${r.status}${r.percent !== undefined ? ` ${r.percent}%` : ''}${r.review ? ' review' : ''}`;
}

// Phrases from the seeds (status columns and notices), the issue's "Why" list and real chat.
const TABLE: Array<[string, string]> = [
  // completion, as the seeds write it
  ['已完成整改', '已完成'],
  ['已完成', '已完成'],
  ['完成', '已完成'],
  ['已落实', '已完成'],
  ['已办结', '已完成'],
  ['整改到位', '已完成'],
  ['已全部整改到位', '已完成'],
  ['已全部完成整改', '已完成'],
  ['已全部整改完成', '已完成'],
  ['已完成，制度已印发', '已完成'],
  ['已经完成了，制度已印发', '已完成'],
  ['完成合议室建设', '已完成'],
  ['已完成100%', '已完成 100%'],
  ['完成率100%', '已完成 100%'],
  ['已立行立改', '已完成'],
  // finished and sustained
  ['已完成整改并长期坚持', '已完成并长期坚持'],
  ['已完成并长期坚持', '已完成并长期坚持'],
  ['完成整改并长期坚持', '已完成并长期坚持'],
  ['长期坚持', '已完成并长期坚持'],
  ['已完成，需长期坚持', '已完成并长期坚持'],
  ['持续巩固', '已完成并长期坚持'],
  // partial: progress with the percentage kept, never completion
  ['完成一半，已起草台账模板', '推进中 50%'],
  ['已完成80%', '推进中 80%'],
  ['完成进度60%', '推进中 60%'],
  ['完成进度：60%', '推进中 60%'],
  ['已完成８０％', '推进中 80%'],
  ['完成了百分之七十', '推进中 70%'],
  ['完成八成', '推进中 80%'],
  ['完成三分之二', '推进中 67%'],
  ['整改进度30%，正在协调', '推进中 30%'],
  ['已完成一半', '推进中 50%'],
  ['一半', '推进中 50%'],
  ['完成过半', '推进中'],
  ['完成大半', '推进中'],
  ['部分完成', '阶段性完成'],
  ['已完成部分', '阶段性完成'],
  ['完成大部分，剩余两项正在推进', '阶段性完成'],
  ['阶段性完成', '阶段性完成'],
  ['阶段性完成整改', '阶段性完成'],
  ['取得阶段性成效', '阶段性完成'],
  ['初步完成，待完善', '阶段性完成'],
  // 基本完成
  ['基本完成', '基本完成'],
  ['基本完成整改', '基本完成'],
  ['已经基本完成了', '基本完成'],
  ['已基本完成，待印发', '基本完成'],
  ['基本整改到位', '基本完成'],
  ['主体工作已完成', '基本完成'],
  // negation
  ['尚未完成，模板已起草', '推进中'],
  ['未完成', '推进中'],
  ['还没有完成', '推进中'],
  ['没完成，正在协调', '推进中'],
  ['仍未整改到位', '推进中'],
  ['未按期完成', '推进中'],
  ['暂未办结', '推进中'],
  ['未启动', '未启动'],
  ['尚未启动', '未启动'],
  ['还没开始', '未启动'],
  ['未开展', '未启动'],
  // waiting for review
  ['完成，待验收', '待销号 review'],
  ['已完成，待审核', '待销号 review'],
  ['已完成整改，申请销号', '待销号 review'],
  ['待验收', '待销号 review'],
  ['材料已报送，待审核', '待销号 review'],
  ['待销号', '待销号 review'],
  // in progress
  ['正在推进', '推进中'],
  ['推进中', '推进中'],
  ['持续推进', '推进中'],
  ['正在整改', '推进中'],
  ['整改中', '推进中'],
  ['逾期', '推进中'],
  ['已销号', '已销号'],
  // questions: never writes
  ['怎么样？', 'question'],
  ['进展如何', 'question'],
  ['完成了吗', 'question'],
  ['完成了没有', 'question'],
  ['是否已完成', 'question'],
  ['什么情况', 'question'],
  ['完成一半了吗？', 'question'],
  ['谁负责', 'question'],
  // unsure: the two likely readings
  ['差不多完成了', 'unsure 基本完成/已完成'],
  ['应该完成了', 'unsure 基本完成/已完成'],
  ['快完成了', 'unsure 推进中/基本完成'],
  ['即将完成', 'unsure 推进中/基本完成'],
  ['已完成，但制度尚未印发', 'unsure 基本完成/已完成'],
  ['已完成，还需完善台账', 'unsure 基本完成/已完成'],
  ['已完成，待印发', 'unsure 基本完成/已完成'],
  // no status word: a plain note
  ['制度已印发', 'none'],
  ['已起草台账模板', 'none'],
  ['', 'none'],
];

describe('status lexicon reads meaning, not prefixes', () => {
  it('has at least 60 rows', () => expect(TABLE.length).toBeGreaterThanOrEqual(60));
  it.each(TABLE)('%j → %s', (phrase, want) => expect(show(readStatus(phrase))).toBe(want));
});

describe('lexicon details', () => {
  it('keeps the note after the status clause', () => {
    const r = readStatus('已完成，制度已印发');
    expect(r).toEqual({ kind: 'status', status: '已完成', rest: '制度已印发' });
    expect(readStatus('完成一半，已起草台账模板')).toMatchObject({ rest: '已起草台账模板', percent: 50 });
    expect(readStatus('已完成整改并长期坚持，定期回头看')).toMatchObject({ status: '已完成并长期坚持', rest: '定期回头看' });
  });

  it('partial and negated statements never claim completion', () => {
    for (const p of ['完成一半', '已完成80%', '尚未完成', '基本完成', '阶段性完成', '差不多完成了', '完成了吗']) {
      expect(claimsDone(readStatus(p)), p).toBe(false);
    }
    expect(claimsDone(readStatus('已完成，制度已印发'))).toBe(true);
  });

  it('a strict question test leaves notes that mention 如何 alone', () => {
    expect(isQuestion('研究如何落实，已起草方案', true)).toBe(false);
    expect(isQuestion('研究如何落实，已起草方案')).toBe(true);
    expect(isQuestion('完成了吗', true)).toBe(true);
    expect(isQuestion('已完成？', true)).toBe(true);
  });
});
