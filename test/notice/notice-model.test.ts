import { describe, expect, it } from 'vitest';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { buildNotice } from '../../src/notice/model.js';
import { statusFromDoc } from '../../src/notice/figures.js';
import { breakTitle, titleWords } from '../../src/notice/title.js';
import { renderNoticeMarkdown, renderNoticeText } from '../../src/notice/text.js';
import { signatureIndents, textWidthChars } from '../../src/notice/docx.js';
import type { LedgerDoc } from '../../src/ledger/types.js';

describe('notice model from the seed-003 demo ledger', () => {
  const n = buildNotice(buildDemoDoc(), '2021-07-09');

  it('states the seed 003 totals sentence and the figures of the ledger', () => {
    expect(n.headline).toBe('截至7月9日，巡察反馈的21个具体问题，已完成整改9个，已完成整改并长期坚持11个，基本完成整改1个。');
    expect(n.figures.status).toMatchObject({ measures: 21, problems: 8, byStatus: { 已完成: 9, 已完成并长期坚持: 11, 基本完成: 1 }, red: 0 });
    expect(n.blocks.find((b) => b.text.startsWith(n.headline))?.text).toContain('整改完成率为95.2%');
    expect(n.blocks.some((b) => b.text.includes('3个方面8个问题细化分解为21项具体整改措施'))).toBe(true);
  });

  it('follows the seeds: opening formula, 一、二、三、 sections, per aspect and problem the progress and measures', () => {
    expect(n.title).toBe('株洲市芦淞区人民法院关于巡察整改进展情况的通报');
    expect(n.titleLines).toEqual(['株洲市芦淞区人民法院', '关于巡察整改进展情况的通报']);
    expect(n.blocks[0].text).toMatch(/^按照区委巡察工作统一部署，【待补充：巡察起止日期】，区委第一巡察组对株洲市芦淞区人民法院党组开展了巡察。2021年4月13日/);
    expect(n.blocks.filter((b) => b.kind === 'h1').map((b) => b.text)).toEqual(['一、组织整改落实情况', '二、巡察反馈问题整改进度情况', '三、巩固整改成果，抓好下一步工作']);
    const second = n.blocks.slice(n.blocks.findIndex((b) => b.text.startsWith('二、')), n.blocks.findIndex((b) => b.text.startsWith('三、')));
    expect(second.filter((b) => b.kind === 'h2').map((b) => b.text.slice(0, 3))).toEqual(['（一）', '（二）', '（三）']);
    expect(second.filter((b) => b.kind === 'h3').map((b) => b.text.split('.')[0])).toEqual(['1', '2', '3', '1', '2', '3', '1', '2']);
    const progress = second.filter((b) => b.text.startsWith('整改完成进度：')).map((b) => b.text.slice(7));
    expect(progress).toEqual(['已完成整改并长期坚持', '已完成整改并长期坚持', '已完成整改', '基本完成整改', '已完成整改', '已完成整改', '已完成整改并长期坚持', '已完成整改并长期坚持']);
    const p21 = second.find((b) => b.text.startsWith('整改情况：（1）纠正司法行政人员'))!;
    expect(p21.text).toContain('（2）严格落实院庭长带头办案规定');
    expect(p21.text).toContain('该项已完成整改。'); // a measure whose status differs from its problem's says so
    expect(n.signature).toBe('株洲市芦淞区人民法院');
    expect(n.date).toBe('2021年7月9日');
    expect(n.placeholders).toBe(4);
  });

  it('counts overdue, due-soon and extended items, kinds with their own figures, and marks what the ledger does not know', () => {
    const doc: LedgerDoc = buildDemoDoc();
    doc.ledger.org = '';
    doc.problems[0].kind = '信访件';
    doc.problems[1].kind = '举一反三';
    const m = doc.measures.find((x) => x.code === '二.1.1')!;
    const at = '2021-10-09';
    const events = [{ id: '1-0', at: '2021-10-01T02:00:00.000Z', actor: { platform: 'console', userId: 'office', name: '王静' }, itemId: m.id, code: m.code, action: '改期', from: m.status, to: m.status, note: '', messageId: 'x' }];
    // The store's figure (x:extended, a measure's approved extensions) is what the notice states…
    (doc.measures[0] as { extended?: number }).extended = 1;
    const late = buildNotice(doc, at, { events });
    expect(late.figures.status).toEqual(statusFromDoc(doc, at));
    expect(late.figures.status.red).toBe(1);
    expect(late.figures.extended).toBe(1);
    const text = late.blocks.map((b) => b.text).join('\n');
    expect(text).toContain('超过整改时限尚未完成1项');
    expect(text).toContain('经批准延期1项');
    // …and without one, the 改期 events up to the as-of date.
    const { extended: _e, extensionsPending: _p, ...older } = statusFromDoc(buildDemoDoc(), at) as unknown as Record<string, unknown>;
    expect(buildNotice(buildDemoDoc(), at, { events, status: older as never }).figures.extended).toBe(1);
    expect(text).toContain('对区委第一巡察组移交的1件信访件，已办结1件，办结率为100%。');
    expect(text).toContain('查摆举一反三整改事项1项，已完成整改1项。');
    expect(text).toContain('2.针对“举一反三”整改事项“履行职责使命不到位”问题。');
    expect(text).toContain('【待补充：单位名称】');
    expect(late.signature).toBe('【待补充：署名】');
    // An event after the as-of date does not count.
    expect(buildNotice(buildDemoDoc(), '2021-09-30', { events, status: older as never }).figures.extended).toBe(0);
  });

  it('renders Markdown and plain text with every block, signature and date', () => {
    const md = renderNoticeMarkdown(n);
    expect(md.startsWith('# 株洲市芦淞区人民法院<br>关于巡察整改进展情况的通报')).toBe(true);
    expect(md).toContain('## 二、巡察反馈问题整改进度情况');
    expect(md).toContain('#### 1\\.贯彻落实上级决策部署不够到位。');
    const txt = renderNoticeText(n);
    expect(txt.split('\n').slice(0, 2)).toEqual(n.titleLines);
    expect(txt).toContain('\u3000\u3000整改完成进度：基本完成整改');
    expect(txt.trimEnd().endsWith('2021年7月9日')).toBe(true);
  });
});

describe('title line breaking (words kept whole, balanced lines)', () => {
  it.each([
    ['株洲市芦淞区人民法院关于巡察整改进展情况的通报', ['株洲市芦淞区人民法院', '关于巡察整改进展情况的通报']],
    ['关于巡察整改进展情况的通报', ['关于巡察整改进展情况的通报']],
    ['关于区委第四联动巡察组反馈意见整改进展情况的通报', ['关于区委第四联动巡察组', '反馈意见整改进展情况的通报']],
    ['中共天津市第三中级人民法院党组关于市委巡视整改进展情况的通报', ['中共天津市第三中级人民法院党组', '关于市委巡视整改进展情况的通报']],
  ])('%s', (title, lines) => {
    const got = breakTitle(title);
    expect(got).toEqual(lines);
    expect(got.join('')).toBe(title);
    for (const l of got) expect([...l].length).toBeLessThanOrEqual(20);
  });

  it('never breaks inside a word or before closing punctuation', () => {
    const t = '中共某某省某某市某某区人民法院党组关于区委第二巡察组反馈“回头看”意见整改进展情况的通报';
    const lines = breakTitle(t);
    expect(lines.length).toBe(3);
    const words = titleWords(t);
    let pos = 0;
    const bounds = new Set(words.map((w) => (pos += [...w].length)));
    let at = 0;
    for (const l of lines.slice(0, -1)) expect(bounds.has((at += [...l].length))).toBe(true);
    for (const l of lines) expect(l).not.toMatch(/^[”）的，]/);
  });
});

describe('signature and date (GB/T 9704 §7.3.5.2, no seal)', () => {
  it('puts the signature two characters from the right and the date two characters further in', () => {
    expect(textWidthChars('2021年7月9日')).toBe(6);
    expect(signatureIndents('株洲市芦淞区人民法院', '2021年7月9日')).toEqual({ signature: 2, date: 4 });
    // A date longer than the signature keeps 右空二字 and the signature moves left.
    expect(signatureIndents('某法院', '2021年12月31日')).toEqual({ signature: 8, date: 2 });
  });
});
