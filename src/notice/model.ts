import type { AuditEvent, LedgerDoc, Measure, Problem } from '../ledger/types.js';
import { formatDateCn } from '../ledger/dates.js';
import { formatPercent } from '../ledger/light.js';
import { toChineseNumeral } from '../ledger/numerals.js';
import { isDone, isClosed } from '../ledger/status.js';
import { headlineSentence } from '../ledger/headline.js';
import type { StatusReport } from '../commands/status-report.js';
import { noticeFigures, type NoticeFigures } from './figures.js';
import { breakTitle } from './title.js';
import { NOTICE_STATUS_WORD, placeholder, problemHeading, sentence } from './words.js';

/** One block of the notice body. h1 一、 / h2 （一） / h3 1. ; p is a body paragraph. */
export type NoticeBlock = { kind: 'h1' | 'h2' | 'h3' | 'p'; text: string };

/** The notice, independent of its file format. */
export interface NoticeModel {
  ledgerId: string;
  asOf: string;
  title: string;
  /** The title broken by hand into balanced lines (GB/T 9704 §7.3.3). */
  titleLines: string[];
  blocks: NoticeBlock[];
  /** 发文机关署名 and 成文日期 (Arabic numerals, no leading zeros). */
  signature: string;
  date: string;
  /** The ledger-truth sentence, as the digest and the chat say it. */
  headline: string;
  figures: NoticeFigures;
  /** How many 【待补充】 places the office still has to fill in. */
  placeholders: number;
}

/** What the ledger does not know; each missing one becomes a 【待补充：…】 place. */
export interface NoticeOptions {
  /** e.g. 2020年11月5日至12月4日 */
  period?: string;
  /** The superior committee's deployment, e.g. 区委巡察工作统一部署 (default derived from the group). */
  deployment?: string;
  /** 整改工作领导小组组长, e.g. 党组书记、院长杜波 */
  groupLeader?: string;
  contact?: string;
  /** 署名 (default: the ledger's organisation). */
  signature?: string;
  /** Figures already read from the store (`statusReport`), so the notice says what `rectify status` says. */
  status?: StatusReport;
  /** Audit events, for the 改期 (extension) figure. */
  events?: AuditEvent[];
}

const CN = (n: number) => toChineseNumeral(n);

/** The superior committee from an inspection group's name: 区委第一巡察组 → 区委. */
function superiorOf(group: string): string | null {
  return group.match(/^(.*?(?:省委|市委|区委|县委|州委|旗委|党委|党组))/)?.[1] ?? null;
}

/** Builds the notice from a whole ledger at a date. Pure. */
export function buildNotice(doc: LedgerDoc, asOf: string, o: NoticeOptions = {}): NoticeModel {
  const L = doc.ledger;
  const figures = noticeFigures(doc, asOf, { status: o.status, events: o.events });
  const st = figures.status;
  const type = L.inspectionType;
  const org = L.org || placeholder('单位名称');
  const group = L.inspectionGroup || placeholder(`${type}组名称`);
  const feedbackOnly = doc.problems.every((p) => p.kind === '反馈问题');
  // The ledger-truth sentence shared with 进度 and the digest.
  const line = headlineSentence({
    inspectionType: type, asOf, problems: st.problems, measures: st.measures, byStatus: st.byStatus,
    measureNoun: L.measureNoun, feedbackOnly, extensionsPending: st.extensionsPending,
  });
  const blocks: NoticeBlock[] = [];
  const h1 = (text: string) => blocks.push({ kind: 'h1', text });
  const h2 = (text: string) => blocks.push({ kind: 'h2', text });
  const h3 = (text: string) => blocks.push({ kind: 'h3', text });
  const p = (text: string) => blocks.push({ kind: 'p', text });

  const superior = superiorOf(L.inspectionGroup ?? '');
  const deployment = o.deployment ?? (superior ? `${superior}${type}工作统一部署` : placeholder('上级党组织巡视巡察工作部署'));
  const feedback = L.feedbackDate ? formatDateCn(L.feedbackDate) : placeholder('反馈日期');
  p(`按照${deployment}，${o.period ?? placeholder(`${type}起止日期`)}，${group}对${org}党组开展了${type}。${feedback}，${group}向${org}党组反馈了${type}意见。按照${type}整改工作有关要求，现将${type}整改进展情况通报如下。`);

  h1('一、组织整改落实情况');
  const leaders = distinct(doc.measures.flatMap((m) => m.leaders));
  const depts = distinct(doc.measures.flatMap((m) => m.departments));
  h2('（一）强化领导抓整改。');
  p(`成立了由${o.groupLeader ?? placeholder('领导小组组长')}任组长的${type}整改工作领导小组，领导小组下设办公室，负责${type}整改日常工作。`
    + (leaders.length ? `${leaders.slice(0, 6).join('、')}${leaders.length > 1 ? `等${leaders.length}名同志分别` : ''}担任相关整改事项的责任领导。` : ''));
  h2('（二）压实责任抓整改。');
  p(`针对${group}反馈的问题，制定整改方案，将${type}反馈的${figures.aspects}个方面${st.problems}个问题细化分解为${st.measures}项具体整改措施，`
    + `逐条明确了责任领导、责任部门和整改时限${depts.length ? `，涉及责任部门${depts.length}个` : ''}，逐一对照检查，逐一落实责任。`);
  h2('（三）督促推进抓整改。');
  p(`${placeholder('召开专题会议、专题民主生活会及督查督办情况')}`);
  p(progressSentence(line, st, L.yellowDays, figures, feedbackOnly));
  for (const s of kindSentences(figures, group)) p(s);

  h1(`二、${type}反馈问题整改进度情况`);
  const byAspect = new Map<number, Problem[]>();
  for (const pr of doc.problems) byAspect.set(pr.aspect, [...(byAspect.get(pr.aspect) ?? []), pr]);
  const byProblem = new Map<string, Measure[]>();
  for (const m of doc.measures) byProblem.set(m.problemId, [...(byProblem.get(m.problemId) ?? []), m]);
  for (const a of doc.aspects) {
    h2(`（${CN(a.aspect)}）${a.title.replace(/[。.]$/, '')}`);
    for (const pr of byAspect.get(a.aspect) ?? []) {
      h3(`${pr.number}.${problemHeading(pr.kind, pr.title)}`);
      p(`整改完成进度：${NOTICE_STATUS_WORD[pr.status]}`);
      const ms = byProblem.get(pr.id) ?? [];
      p(ms.length ? `整改情况：${ms.map((m, i) => `（${i + 1}）${measureText(m, pr)}`).join('')}` : `整改情况：${placeholder('整改措施及成效')}`);
    }
  }

  h1('三、巩固整改成果，抓好下一步工作');
  const done = doc.measures.filter((m) => isDone(m.status)).length;
  const open = doc.measures.filter((m) => !isClosed(m.status)).length;
  h2('（一）继续强化整改落实。');
  p(`对已完成的${done}项整改措施，适时开展“回头看”，巩固整改成果，防止问题反弹；`
    + (open ? `对尚未完成的${open}项整改措施，紧盯不放、跟踪问效，确保按期整改到位` : '对需要长期坚持的事项，持续跟踪问效')
    + (st.red ? `；对已超过整改时限的${st.red}项，逐项查明原因，限期整改到位。` : '。'));
  h2('（二）建立健全长效机制。');
  p(`针对${group}反馈的问题和整改情况，举一反三，着眼长远，建立健全长效机制，充分发挥制度保障作用，进一步强化制度的刚性约束。`);
  h2('（三）强化主体责任落实。');
  p('全面落实从严治党主体责任，进一步加强领导班子思想政治建设，坚决贯彻上级决策部署，以整改成效推动各项工作高质量发展。');
  p(`欢迎广大干部群众对${type}整改落实情况进行监督。如有意见建议，请及时向我们反映。联系电话：${o.contact ?? placeholder('联系电话')}。`);

  const title = `${L.org || ''}关于${type}整改进展情况的通报`;
  const model: NoticeModel = {
    ledgerId: L.id, asOf, title, titleLines: breakTitle(title), blocks,
    signature: o.signature ?? (L.org || placeholder('署名')), date: formatDateCn(asOf), headline: line, figures, placeholders: 0,
  };
  model.placeholders = [model.signature, ...blocks.map((b) => b.text)].join('').split('【待补充').length - 1;
  return model;
}

/** The headline plus completion rate, overdue and extension figures. */
function progressSentence(line: string, st: StatusReport, yellowDays: number, f: NoticeFigures, feedbackOnly: boolean): string {
  const unit = feedbackOnly ? '个' : '项';
  const parts = [`整改完成率为${formatPercent(st.completionRate)}`];
  parts.push(st.red ? `超过整改时限尚未完成${st.red}${unit}` : '无超期未完成事项');
  if (st.yellow) parts.push(`${yellowDays}日内到期${st.yellow}${unit}`);
  if (f.extended) parts.push(`经批准延期${f.extended}${unit}`);
  return `${line}${parts.join('，')}。`;
}

/** 整改意见 / 举一反三 / 推动改革 / 信访件 / 问题线索 figures, in the seeds' wording (000, 001). */
function kindSentences(f: NoticeFigures, group: string): string[] {
  const out: string[] = [];
  const k = f.kinds;
  const rate = (d: number, t: number) => formatPercent(t ? d / t : 0);
  if (k.整改意见) out.push(`${group}提出整改意见${k.整改意见.total}条，已落实${k.整改意见.done}条。`);
  if (k.举一反三) out.push(`查摆举一反三整改事项${k.举一反三.total}项，已完成整改${k.举一反三.done}项。`);
  if (k.推动改革促进发展) out.push(`查摆“推动改革促进发展”整改事项${k.推动改革促进发展.total}项，已完成${k.推动改革促进发展.done}项。`);
  if (k.信访件) out.push(`对${group}移交的${k.信访件.total}件信访件，已办结${k.信访件.done}件，办结率为${rate(k.信访件.done, k.信访件.total)}。`);
  if (k.问题线索) out.push(`对${group}移交的${k.问题线索.total}件问题线索，已办结${k.问题线索.done}件，办结率为${rate(k.问题线索.done, k.问题线索.total)}。`);
  return out;
}

/** A measure's sentence: what it is, the latest notes (oldest first), evidence, and its own status when it differs. */
function measureText(m: Measure, pr: Problem): string {
  const parts = [sentence(m.title)];
  for (const n of m.notes.slice(0, 2).reverse()) if (n.text.trim()) parts.push(sentence(n.evidence ? `佐证材料：${n.text}` : n.text));
  if (m.status !== pr.status) parts.push(`该项${NOTICE_STATUS_WORD[m.status]}。`);
  return parts.join('');
}

function distinct(xs: string[]): string[] {
  return [...new Set(xs.map((x) => x.trim()).filter(Boolean))];
}
