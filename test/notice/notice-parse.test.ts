import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseNoticeDocx, parseNoticeText, type NoticeParse } from '../../src/notice/parse/index.js';
import { noticeSummary, noticeToDoc } from '../../src/notice/parse/draft.js';
import { looksLikeSheet } from '../../src/notice/parse/file.js';
import { parseLedgerCsv } from '../../src/reports/ledger-import.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { rollUp } from '../../src/ledger/status.js';
import type { Status } from '../../src/ledger/types.js';
import { buildNotice } from '../../src/notice/model.js';
import { renderNoticeText } from '../../src/notice/text.js';
import { renderNoticeDocx } from '../../src/notice/docx.js';

const SEEDS = path.resolve('test/fixtures/notice'); // copies of ../shared/seeds/00N_*.txt
const seed = (n: string) => readFileSync(path.join(SEEDS, `seed${n}.txt`), 'utf8');
const problems = (p: NoticeParse) => p.aspects.flatMap((a) => a.problems);
const perAspect = (p: NoticeParse) => p.aspects.map((a) => a.problems.length);
const measures = (p: NoticeParse) => problems(p).reduce((n, x) => n + x.measures.length, 0);
const kinds = (p: NoticeParse) => problems(p).reduce<Record<string, number>>((o, x) => ((o[x.kind] = (o[x.kind] ?? 0) + 1), o), {});
const draft = (p: NoticeParse) => noticeToDoc(p, { ledgerId: 'draft', now: '2026-01-01T00:00:00.000Z' }, '2026-01-01');

describe('parsing the seed notices', () => {
  it('003 (芦淞区法院): site chrome skipped, 3 aspects of 3/3/2 problems, 21 measures from (1)(2), stated statuses, totals checked', () => {
    const p = parseNoticeText(seed('003'));
    expect(p.isNotice).toBe(true);
    expect(p.facts).toMatchObject({
      title: '株洲市芦淞区人民法院关于巡察整改进展情况的通报', org: '株洲市芦淞区人民法院', inspectionType: '巡察',
      inspectionGroup: '区委第一巡察组', inspectionStart: '2020-11-05', inspectionEnd: '2020-12-04', feedbackDate: '2021-04-13',
    });
    expect(p.numbering).toBe('per-aspect');
    expect(p.aspects.map((a) => a.title)).toEqual(['聚焦基层贯彻落实党的路线方针政策和党中央决策部署情况', '聚焦群众身边腐败问题和不正之风', '聚焦基层党组织软弱涣散、组织力欠缺问题']);
    expect(perAspect(p)).toEqual([3, 3, 2]);
    expect(problems(p).map((x) => x.measures.length)).toEqual([3, 2, 4, 2, 2, 2, 1, 5]);
    expect(problems(p).map((x) => x.status)).toEqual(['已完成并长期坚持', '已完成并长期坚持', '已完成并长期坚持', '已完成', '已完成', '已完成', '已完成并长期坚持', '已完成并长期坚持']);
    expect(problems(p)[2].title).toBe('意识形态工作落实有偏差'); // heading without 。
    // "芦巡发(2020)1号" inside measure (3) is not a measure marker.
    expect(problems(p)[0].measures[2].text).toContain('芦巡发(2020)1号文件');
    expect(p.totals.map((t) => [t.stated, t.parsed, t.match])).toEqual([
      [{ 方面: 3, 问题: 8, 具体问题: 21 }, { 方面: 3, 问题: 8, 具体问题: 21 }, true],
      // The published notice is not consistent with itself: its per-problem statuses give 6 + 15, its sentence 9 + 11 + 1.
      [{ total: 21, 已完成: 9, 已完成并长期坚持: 11, 基本完成: 1 }, { total: 21, 已完成: 6, 已完成并长期坚持: 15, 基本完成: 0 }, false],
    ]);
    expect(p.totals[1].level).toBe('measures');
    expect(p.unplaced).toEqual([]);
  });

  it('002 (利州区法院): aspects 一、 then problems 1–45 straight through, measures from 一是/二是', () => {
    const p = parseNoticeText(seed('002'));
    expect(p.isNotice).toBe(true);
    expect(p.facts).toMatchObject({ inspectionType: '巡察', inspectionGroup: '区委第四联动巡察组', inspectionStart: '2024-10-16', inspectionEnd: '2024-11-15', feedbackDate: '2025-01-03' });
    expect(p.numbering).toBe('global');
    expect(perAspect(p)).toEqual([4, 3, 4, 5, 3, 3, 5, 4, 3, 3, 5, 3]);
    expect(problems(p).map((x) => x.number)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(problems(p)[1].measures.map((m) => m.text.slice(0, 6))).toEqual(['强化警示宣传', '专人提醒督导', '压实考核问责']);
    expect(problems(p)[0].measures).toHaveLength(1); // "整改情况：通过党组会…" without enumeration
    expect(measures(p)).toBe(112);
    expect(kinds(p)).toEqual({ 反馈问题: 45 });
    expect(problems(p).every((x) => x.status === undefined)).toBe(true);
    expect(p.totals).toEqual([]);
    const { doc } = draft(p);
    expect(doc.problems.map((x) => x.code).slice(0, 5)).toEqual(['1', '2', '3', '4', '5']);
    expect(doc.measures.every((m) => m.status === '推进中')).toBe(true);
  });

  it('000 (浙江高院): no title line, 关于“…”问题的整改情况 aspects with （一） problems, 信访件 and 问题线索 figures, 下一步 and the signature left out', () => {
    const p = parseNoticeText(seed('000'));
    expect(p.isNotice).toBe(true);
    expect(p.facts).toMatchObject({ org: '浙江省高级人民法院', inspectionType: '巡视', inspectionGroup: '省委第四巡视组', inspectionStart: '2019-11-13', inspectionEnd: '2019-12-27', feedbackDate: '2020-03-27' });
    expect(p.aspects[0].title).toBe('实践和传导习近平新时代政法工作重要思想不够到位');
    expect(perAspect(p)).toEqual([3, 3, 3, 6, 3, 3]);
    expect(problems(p)[0].title).toBe('狠抓政治理论学习');
    expect(measures(p)).toBe(21);
    // The last problem keeps only its own text, not the 下一步 paragraphs and their 一是…四是.
    expect(problems(p)[20].measures).toHaveLength(1);
    expect(p.totals.map((t) => [t.kind, t.stated, t.match])).toEqual([
      ['信访件', { total: 451, 已完成: 450 }, null],
      ['问题线索', { total: 8, 已完成: 7 }, null],
    ]);
  });

  it('001 (天津三中院): 反馈问题 1–27, 32 unnumbered 举一反三 items, 28–42 as 推动改革促进发展, every totals sentence checked', () => {
    const p = parseNoticeText(seed('001'));
    expect(p.isNotice).toBe(true);
    expect(p.facts).toMatchObject({ org: '天津市第三中级人民法院', inspectionType: '巡视', inspectionGroup: '市委巡视八组', feedbackDate: '2021-07-27', signedDate: '2022-08-04' });
    expect(p.aspects).toHaveLength(11);
    expect(kinds(p)).toEqual({ 反馈问题: 27, 举一反三: 32, 推动改革促进发展: 15 });
    expect(problems(p).filter((x) => x.kind === '推动改革促进发展').map((x) => x.number)).toEqual(Array.from({ length: 15 }, (_, i) => i + 28));
    expect(problems(p)[0]).toMatchObject({ number: 1, title: '学习贯彻习近平法治思想方面存在的问题', kind: '反馈问题' });
    expect(problems(p)[0].measures).toHaveLength(4);
    expect(problems(p)[1]).toMatchObject({ kind: '举一反三', title: '党组学习贯彻党的创新理论不够深入;全院宣传氛围不够浓厚' });
    expect(measures(p)).toBe(183);
    expect(p.totals.map((t) => [t.kind, t.stated.total, t.parsed.total, t.match])).toEqual([
      ['反馈问题', 27, 27, true], ['整改意见', 21, 20, false], ['举一反三', 32, 32, true], ['推动改革促进发展', 15, 15, true],
    ]);
    // The totals say all 27 and all 32 are done: the draft takes that, and says so.
    const { doc, warnings } = draft(p);
    expect(doc.ledger.numbering).toBe('global');
    const s = noticeSummary(p, doc, warnings);
    expect(s.byKind).toEqual({ 反馈问题: 27, 举一反三: 32, 推动改革促进发展: 15 });
    expect(doc.problems.filter((x) => x.kind !== '推动改革促进发展').every((x) => x.status === '已完成')).toBe(true);
    expect(warnings.join('\n')).toContain('27个反馈问题均登记为已完成');
    expect(new Set(doc.problems.map((x) => x.code)).size).toBe(74); // unnumbered items get their own numbers
  });

  it('004 (a meeting report) is recognised as not a notice and yields nothing', () => {
    const p = parseNoticeText(seed('004'));
    expect(p.isNotice).toBe(false);
    expect(p.reason).toContain('不是整改进展情况通报');
    expect(p.aspects).toEqual([]);
  });

  it('survives full-width markers, headings with or without 。, dates without separators, and reports what it cannot place', () => {
    const text = [
      '首页 > 通知公告', '关于巡察整改进展情况的通报', '发布时间：2024-01-01',
      '根据区委巡察工作统一部署，20230301至20230415，区委第二巡察组对某某区人民法院党组开展了巡察。20230520，区委第二巡察组向某某区人民法院党组反馈了巡察意见。',
      '一、组织整改落实情况', '（一）强化领导。成立领导小组。',
      '截至2023年9月30日，巡察反馈的3个问题，已完成整改1个，基本完成整改1个，正在推进1个。',
      '二、巡察反馈问题整改进展情况', '（一）政治建设方面', '这一方面共有两个问题。',
      '1．理论学习不深入', '整改进度：已完成整改。', '整改情况：一是制定学习计划。二是开展专题研讨。',
      '2.意识形态工作不到位。', '整改进度：正在推进', '整改情况：（1）修订制度；（2）开展培训。',
      '（二）作风建设方面', '1.公车管理不规范。', '整改完成进度：基本完成', '整改情况：规范派车单制度。',
      '欢迎广大干部群众对巡察整改落实情况进行监督。',
    ].join('\n');
    const p = parseNoticeText(text);
    expect(p.facts).toMatchObject({ inspectionStart: '2023-03-01', inspectionEnd: '2023-04-15', feedbackDate: '2023-05-20', inspectionGroup: '区委第二巡察组', org: '某某区人民法院' });
    expect(perAspect(p)).toEqual([2, 1]);
    expect(p.numbering).toBe('per-aspect');
    expect(problems(p).map((x) => [x.title, x.status, x.measures.length])).toEqual([
      ['理论学习不深入', '已完成', 2], ['意识形态工作不到位', '推进中', 2], ['公车管理不规范', '基本完成', 1],
    ]);
    expect(p.totals.map((t) => [t.parsed, t.match])).toEqual([[{ total: 3, 已完成: 1, 基本完成: 1, 推进中: 1 }, true]]);
    expect(p.unplaced.map((u) => u.text)).toEqual(['这一方面共有两个问题。']);
  });

  it('a .docx written by another program (LibreOffice, from seed 003) reads like the text', async () => {
    const fromDocx = await parseNoticeDocx(readFileSync(path.join(SEEDS, 'seed003-libreoffice.docx')));
    const fromText = parseNoticeText(seed('003'));
    const shape = (p: NoticeParse) => [p.facts, p.aspects.map((a) => [a.title, a.problems.map((x) => [x.number, x.title, x.status, x.measures.map((m) => m.text)])]), p.totals.map((t) => [t.stated, t.match])];
    expect(fromDocx.isNotice).toBe(true);
    expect(shape(fromDocx)).toEqual(shape(fromText));
  });

  it('skipped levels: 二、 straight to "1.关于“…”问题的整改" and 一是/二是 lines', () => {
    const text = [
      '中共某某县人民法院党组关于县委巡察整改进展情况的通报',
      '根据县委统一部署，2022年3月1日至4月15日，县委第三巡察组对县法院党组进行了巡察。2022年5月10日，县委第三巡察组向县法院党组反馈了巡察意见。',
      '一、整改工作开展情况', '院党组高度重视。',
      '二、巡察反馈问题整改落实情况',
      '1.关于“理论学习不够深入”问题的整改', '一是制定年度学习计划。', '二是开展专题研讨3次。',
      '2.关于“执行案款发放不及时”问题的整改', '一是建立案款台账；二是每月通报。',
      '三、下一步工作打算', '一是持续巩固。', '二是建立长效机制。',
      '中共某某县人民法院党组', '2022年8月1日',
    ].join('\n');
    const p = parseNoticeText(text);
    expect(p.isNotice).toBe(true);
    expect(p.facts).toMatchObject({ org: '某某县人民法院', inspectionGroup: '县委第三巡察组', feedbackDate: '2022-05-10', signedDate: '2022-08-01' });
    expect(p.aspects.map((a) => a.title)).toEqual(['巡察反馈问题整改落实情况']);
    expect(problems(p).map((x) => [x.number, x.title, x.measures.map((m) => m.text)])).toEqual([
      [1, '理论学习不够深入', ['制定年度学习计划。', '开展专题研讨3次。']],
      [2, '执行案款发放不及时', ['建立案款台账。', '每月通报。']], // a measure ending in ； reads as a sentence
    ]);
    expect(p.unplaced).toEqual([]);
  });

  it('tells a notice .txt from a sheet saved as text', () => {
    expect(looksLikeSheet('编号,方面,问题,整改措施,责任领导\n1,一,二,三,四')).toBe(true);
    expect(looksLikeSheet('编号\t方面\t问题\t整改措施')).toBe(true);
    expect(looksLikeSheet(seed('002'))).toBe(false);
    expect(looksLikeSheet(seed('003'))).toBe(false);
  });
});

describe('round trip: imported sheets → notice → parse (global and per-aspect numbering, several kinds)', () => {
  it.each(['seed002-global.csv', 'seed003-per-aspect.csv', 'seed002-serial.csv'])('%s', (f) => {
    const r = parseLedgerCsv(readFileSync(path.resolve('test/fixtures/reports', f)), { ledgerId: 'x', org: '某区人民法院', inspectionGroup: '区委第四联动巡察组', feedbackDate: '2025-01-03' }, '2025-04-01');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const p = parseNoticeText(renderNoticeText(buildNotice(r.doc, '2025-04-01')));
    const back = draft(p).doc;
    const shape = (d: typeof back) => [d.ledger.numbering, d.aspects.map((a) => a.title), d.problems.map((x) => [x.code, x.kind, x.status]), d.measures.map((x) => [x.code, x.status])];
    expect(shape(back)).toEqual(shape(r.doc));
    expect(p.totals.length).toBeGreaterThanOrEqual(2);
    expect(p.totals.every((t) => t.match === true)).toBe(true);
    expect(p.unplaced).toEqual([]);
  });
});

describe('round trip: the seed-003 demo ledger → notice → parse', () => {
  const demo = buildDemoDoc();
  const n = buildNotice(demo, '2021-07-09');
  const check = (p: NoticeParse) => {
    expect(p.isNotice).toBe(true);
    expect(p.facts).toMatchObject({ org: demo.ledger.org, inspectionType: '巡察', inspectionGroup: demo.ledger.inspectionGroup, feedbackDate: demo.ledger.feedbackDate, signedDate: '2021-07-09' });
    const { doc } = draft(p);
    expect(doc.aspects.map((a) => [a.code, a.title])).toEqual(demo.aspects.map((a) => [a.code, a.title]));
    expect(doc.problems.map((x) => [x.code, x.title, x.kind, x.status])).toEqual(demo.problems.map((x) => [x.code, x.title, x.kind, x.status]));
    expect(doc.measures.map((x) => [x.code, x.status])).toEqual(demo.measures.map((x) => [x.code, x.status]));
    expect(p.totals.length).toBe(2);
    expect(p.totals.every((t) => t.match === true)).toBe(true);
    expect(p.unplaced).toEqual([]);
  };
  it('from the text', () => check(parseNoticeText(renderNoticeText(n))));
  it('from the .docx', async () => check(await parseNoticeDocx(await renderNoticeDocx(n))));
  it('with other kinds and statuses', () => {
    const doc = buildDemoDoc();
    doc.problems[1].kind = '举一反三';
    for (const m of doc.measures.filter((x) => x.problemId === doc.problems[1].id)) m.kind = '举一反三';
    const set: Array<[string, Status]> = [['一.1.1', '推进中'], ['一.3.1', '已销号'], ['一.3.2', '已销号'], ['一.3.3', '待销号'], ['二.2.1', '未启动'], ['二.2.2', '阶段性完成']];
    for (const [code, st] of set) doc.measures.find((m) => m.code === code)!.status = st;
    for (const pr of doc.problems) pr.status = rollUp(doc.measures.filter((m) => m.problemId === pr.id).map((m) => m.status));
    const p = parseNoticeText(renderNoticeText(buildNotice(doc, '2021-07-09')));
    const back = draft(p).doc;
    expect(back.problems.map((x) => [x.kind, x.status])).toEqual(doc.problems.map((x) => [x.kind, x.status]));
    expect(back.measures.map((x) => x.status)).toEqual(doc.measures.map((x) => x.status));
    // The headline counts 已销号 inside 已完成整改 ("其中已销号2个"); the check agrees.
    expect(p.totals.map((t) => t.match)).toEqual([true, true, true]);
  });
});
