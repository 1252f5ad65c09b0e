/**
 * `ledger import NOTICE.txt|.docx`: a published progress notice → a draft
 * ledger. Pure text functions; the .docx reader only unzips the paragraphs.
 */
import type JSZipType from 'jszip';
import type { Kind, Numbering, Status } from '../../ledger/types.js';
import { paragraphsOfText, classify, type Para } from './lines.js';
import { findOpening, findSignature, findTitle, readFacts, type NoticeFacts } from './facts.js';
import { readStructure, type ParsedAspect, type Unplaced } from './structure.js';
import { checkTotals, statedTotals, type TotalCheck } from './totals.js';

export type { ParsedAspect, ParsedProblem, ParsedMeasure, Unplaced } from './structure.js';
export type { TotalCheck } from './totals.js';
export type { NoticeFacts } from './facts.js';

/** What a notice yields, before it becomes a ledger. */
export interface NoticeParse {
  /** False for anything that is not a rectification progress notice (seed 004, a meeting report). */
  isNotice: boolean;
  /** Why not, in a sentence for the office. */
  reason?: string;
  facts: NoticeFacts;
  numbering: Numbering;
  aspects: ParsedAspect[];
  totals: TotalCheck[];
  unplaced: Unplaced[];
  /** What the draft assumed (statuses from a totals sentence, reclassified items), to be checked. */
  warnings: string[];
}

/** Parses the paragraphs of a notice (from text or a .docx). */
export function parseNoticeParas(paras: Para[]): NoticeParse {
  const title = findTitle(paras);
  const opening = findOpening(paras);
  const signature = findSignature(paras);
  const facts = readFacts(paras, title, signature);
  const from = opening ? opening.index + 1 : title ? title.index + 1 : 0;
  const to = signature?.from ?? paras.length;
  const { aspects, unplaced } = readStructure(paras, from, to);
  const problems = aspects.flatMap((a) => a.problems);
  const warnings: string[] = [];
  if (!facts.inspectionType || !problems.length) {
    return {
      isNotice: false, facts, numbering: 'per-aspect', aspects: [], totals: [], unplaced: [], warnings,
      reason: facts.inspectionType ? '未找到按方面、问题列出的整改情况，不能生成台账草稿。' : '文中没有巡视、巡察整改的内容，不是整改进展情况通报。',
    };
  }
  // Totals sentences: anywhere outside the problems' own paragraphs.
  const used = new Set(problems.flatMap((p) => [p.para, ...p.measures.map((m) => m.para)]));
  const stated = paras.filter((p) => p.index >= from && p.index < to && !used.has(p.index)).flatMap((p) => statedTotals(p.text));
  reclassifyReform(aspects, stated.map((s) => s), warnings);
  const totals = checkTotals(stated, aspects);
  const totalParas = new Set(paras.filter((p) => statedTotals(p.text).length).map((p) => p.index));
  inferStatuses(aspects, totals, warnings);
  return {
    isNotice: true, facts, numbering: numberingOf(aspects), aspects, totals,
    unplaced: unplaced.filter((u) => !totalParas.has(u.para)), warnings,
  };
}

/** Parses a notice's text (site chrome before the title and the footer after the signature are skipped). */
export function parseNoticeText(text: string): NoticeParse {
  return parseNoticeParas(paragraphsOfText(text));
}

/** The paragraphs of a .docx (word/document.xml), text runs joined. */
export async function docxParagraphs(buf: Uint8Array): Promise<Para[]> {
  // Loaded with the first .docx, not at start (the service imports this module for 通报).
  const { default: JSZip } = (await import('jszip')) as { default: typeof JSZipType };
  const zip = await JSZip.loadAsync(buf);
  const xml = await zip.file('word/document.xml')?.async('string');
  if (!xml) throw new Error('not a Word document: word/document.xml is missing');
  const out: string[] = [];
  for (const [, p] of xml.matchAll(/<w:p[ >]([\s\S]*?)<\/w:p>/g)) {
    const t = [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<w:(tab|br)\/>/g)].map((m) => (m[1] !== undefined ? m[1] : ' ')).join('');
    const text = t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&').trim();
    if (text) out.push(text);
  }
  return out.map((t, i) => classify(t, i));
}

export async function parseNoticeDocx(buf: Uint8Array): Promise<NoticeParse> {
  return parseNoticeParas(await docxParagraphs(buf));
}

/**
 * 001 numbers its 推动改革促进发展 items straight after the feedback problems
 * (28–42, "针对“…”问题"). When the totals state N feedback problems and R
 * reform items and exactly N + R numbered feedback problems were read, the last
 * R are the reform items.
 */
function reclassifyReform(aspects: ParsedAspect[], stated: ReturnType<typeof statedTotals>, warnings: string[]): void {
  const fb = stated.find((s) => s.kind === '反馈问题')?.stated.total;
  const reform = stated.find((s) => s.kind === '推动改革促进发展')?.stated.total;
  if (!fb || !reform) return;
  const numbered = aspects.flatMap((a) => a.problems).filter((p) => p.kind === '反馈问题' && p.number !== undefined);
  if (numbered.length !== fb + reform || numbered.some((p) => p.kind === '推动改革促进发展')) return;
  const tail = numbered.slice(fb);
  for (const p of tail) p.kind = '推动改革促进发展';
  warnings.push(`通报称反馈问题${fb}个、推动改革促进发展事项${reform}个，第${tail[0].number}至${tail[tail.length - 1].number}项按推动改革促进发展登记。`);
}

/**
 * A totals sentence that says every item of a kind is in one status ("反馈具体问题27个,
 * 已完成整改27个") states each one's status, when the counts agree and the items say nothing themselves.
 */
function inferStatuses(aspects: ParsedAspect[], totals: TotalCheck[], warnings: string[]): void {
  const problems = aspects.flatMap((a) => a.problems);
  for (const t of totals) {
    if (t.kind === 'structure' || t.level !== 'problems' || t.parsed.total !== t.stated.total) continue;
    const statuses = Object.keys(t.stated).filter((k) => k !== 'total');
    if (statuses.length !== 1 || t.stated[statuses[0]] !== t.stated.total) continue;
    const mine = problems.filter((p) => p.kind === t.kind && !p.status);
    if (mine.length !== t.stated.total) continue;
    for (const p of mine) p.status = statuses[0] as Status;
    warnings.push(`通报未逐项载明进度；依据“${t.sentence.replace(/[。；;]$/, '')}”，${mine.length}个${t.kind === '反馈问题' ? '反馈问题' : `${t.kind}事项`}均登记为${statuses[0]}。`);
  }
}

/** Per aspect when some aspect after the first starts again at 1 (003); straight through otherwise (002). */
function numberingOf(aspects: ParsedAspect[]): Numbering {
  const firsts = aspects.slice(1).map((a) => a.problems.find((p) => p.number !== undefined)?.number).filter((n) => n !== undefined);
  if (!firsts.length) return 'per-aspect';
  return firsts.some((n) => n === 1) ? 'per-aspect' : 'global';
}

/** The `--dry-run --json` summary (documented in README). */
export interface NoticeSummary {
  ledger: NoticeFacts & { numbering: Numbering };
  aspects: number;
  problems: number;
  measures: number;
  byKind: Partial<Record<Kind, number>>;
  byStatus: Partial<Record<Status, number>>;
  totals: Array<Pick<TotalCheck, 'sentence' | 'stated' | 'parsed' | 'match'>>;
  unplaced: string[];
  warnings: string[];
}
