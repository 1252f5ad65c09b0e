/**
 * First pass over a ledger sheet: each data row (one measure) is checked on
 * its own — texts present, 类别/状态/完成时限/编号 understood — and the
 * numbering written in front of the 方面/问题/整改措施 texts is split off.
 */
import type { Deadline, Kind, Status } from '../ledger/types.js';
import type { CodeQuery } from '../ledger/codes.js';
import { parseCode } from '../ledger/codes.js';
import { parseNumeral } from '../ledger/numerals.js';
import { normalizeInput, splitNames } from '../ledger/normalize.js';
import { parseStatus } from '../ledger/status.js';
import { readStatus } from '../ledger/lexicon.js';
import type { ImportError } from './csv.js';
import type { LedgerField } from './ledger-columns.js';
import { parseKind } from './ledger-columns.js';
import { readDeadline } from './ledger-deadline.js';

/** The worksheet a row comes from: its name and where each field's column is (shared by its rows). */
export interface SheetPlace {
  name: string;
  labels: Partial<Record<LedgerField, string>>;
  /** The 类别 a sheet named after one ("举一反三问题整改台账") gives rows whose 类别 cell is empty. */
  kind?: Kind;
}

/** One data row as read from the sheet, cells by field. */
export type RawLedgerRow = { row: number; sheet?: SheetPlace } & Record<LedgerField, string>;

/** A data row after per-row checks. Numbers are only those written in the file. */
export interface ParsedRow {
  row: number;
  aspectTitle: string;
  aspectKey: string;
  aspectNo?: number;
  /** The 方面 cell as written, when it carried its own numbering. */
  aspectHeading?: string;
  problemTitle: string;
  problemKey: string;
  problemNo?: number;
  /** The 问题 cell as written, when it carried its own numbering. */
  problemHeading?: string;
  measureTitle: string;
  measureNo?: number;
  code?: CodeQuery;
  codeText: string;
  kind: Kind;
  status: Status;
  /** The status cell as written when it said more than a status word ("完成进度60%"): kept as the first note. */
  statusNote?: string;
  /** The 整改进展 narrative, kept as the measure's progress note. */
  progress?: string;
  /** 佐证材料, one evidence note per line. */
  evidence?: string[];
  remark?: string;
  /** Why the office should check this row's status (a narrative naming no status, or an unsure one). */
  confirm?: string;
  sheet?: SheetPlace;
  deadline: Deadline;
  leaders: string[];
  departments: string[];
  owners: string[];
}

const CN = '[〇零一二三四五六七八九十两]+';
// "（一）", "一、", "第一方面：", "第一部分", "一是": the numbering ledgers write before an aspect.
const ASPECT_PREFIX = new RegExp(`^(?:[(（](${CN})[)）]|(${CN})[、.．]|第(${CN})(?:方面|部分)[：:、，,.．]?|(${CN})是)\\s*`);
const PROBLEM_PREFIX = /^(?:[(（]([0-9０-９]+)[)）]|([0-9０-９]+)[.．、](?![0-9０-９]))\s*/;
const MEASURE_PREFIX = /^[(（]([0-9０-９]+)[)）]\s*/;
/** Arabic digits, full-width or not, as a number. */
const digits = (s: string) => Number(s.normalize('NFKC'));

/** A split heading: its number, its bare title, and the cell as written when it carried the number. */
export interface SplitHeading { no?: number; title: string; heading?: string }

/** Splits "一、聚焦…" / "(二)聚焦…" / "第二方面：…" into its numeral and title, keeping the text as written. */
export function splitAspectText(text: string): SplitHeading {
  const m = text.match(ASPECT_PREFIX);
  const no = m ? parseNumeral(m[1] ?? m[2] ?? m[3] ?? m[4]) : null;
  return no ? { no, title: tidyTitle(text.slice(m![0].length)), heading: asWritten(text) } : { title: tidyTitle(text) };
}

/** Splits "3.履行职责使命不到位。" / "(3)…" into its number and title, keeping the text as written. */
export function splitProblemText(text: string): SplitHeading {
  const m = text.match(PROBLEM_PREFIX);
  return m ? { no: digits(m[1] ?? m[2]), title: tidyTitle(text.slice(m[0].length)), heading: asWritten(text) } : { title: tidyTitle(text) };
}

/** The cell as written, numbering and punctuation kept; only runs of spaces and line breaks become one space. */
function asWritten(s: string): string {
  return s.replace(/[\s\u3000]+/g, ' ').trim();
}

/** Splits "(2)定期开展案件评查…" into its number and text. */
export function splitMeasureText(text: string): { no?: number; title: string } {
  const m = text.match(MEASURE_PREFIX);
  return m ? { no: digits(m[1]), title: text.slice(m[0].length).trim() } : { title: text.trim() };
}

/** Collapses whitespace and drops a closing full stop (headings in notices end with 。). */
function tidyTitle(s: string): string {
  return s.replace(/[\s\u3000]+/g, ' ').trim().replace(/[。.]$/, '').trim();
}

/** Comparison key: width/space-insensitive, so "履行职责 使命" and "履行职责使命" are one problem. */
export function textKey(title: string): string {
  return normalizeInput(title).replace(/\s/g, '');
}

/**
 * True when the 编号 column is a plain running serial (1, 2, 3 … in row
 * order), as many ledgers' 序号 column is; such a column says nothing about
 * problems and measures and is ignored.
 */
export function isRunningSerial(codes: string[]): boolean {
  if (codes.length < 2) return false;
  return codes.every((c, i) => normalizeInput(c) === String(i + 1));
}

/**
 * Checks rows one by one. Empty 方面/问题 cells take the value from the row
 * above (spreadsheets save vertically merged cells that way); an empty
 * 整改措施, an unknown 类别/状态, a date that is not a date or an unreadable
 * 编号 is an error on that row.
 */
export function parseRows(raw: RawLedgerRow[], today: string, useCodes: boolean, baseYear?: number):
  { rows: ParsedRow[]; errors: ImportError[]; statusNotes: number[] } {
  const rows: ParsedRow[] = [];
  const errors: ImportError[] = [];
  const statusNotes: number[] = [];
  let aspect = '';
  let problem = '';
  const keyed = (x: SplitHeading) => ({ ...x, key: textKey(x.title) });
  let lastAspect: string | undefined;
  let lastProblem: string | undefined;
  let a = keyed({ title: '' });
  let p = a;
  for (const r of raw) {
    const bad = (message: string, f?: LedgerField) => {
      const column = f ? r.sheet?.labels[f] : undefined;
      errors.push({ row: r.row, message, ...(r.sheet?.name ? { sheet: r.sheet.name } : {}), ...(column ? { column } : {}) });
    };
    const before = errors.length;
    if (r.aspect && r.aspect !== aspect) [aspect, problem] = [r.aspect, ''];
    if (r.problem) problem = r.problem;
    if (!aspect) bad('缺少“方面”，上面也没有可沿用的方面。', 'aspect');
    if (!problem) bad('缺少“问题”，上面也没有可沿用的问题。', 'problem');
    if (!r.measure) bad('缺少“整改措施”。', 'measure');
    const kind = !r.kind && r.sheet?.kind ? r.sheet.kind : parseKind(r.kind);
    if (!kind) bad(`无法识别的类别“${r.kind}”，应为反馈问题、整改意见、举一反三、推动改革促进发展、信访件或问题线索。`, 'kind');
    let status = r.status ? parseStatus(r.status) : '未启动';
    let statusNote: string | undefined;
    if (!status && r.status) {
      // The same lexicon as chat: "完成一半" is 推进中, "完成，待验收" is 待销号; an unclear cell takes the lower reading.
      const read = readStatus(r.status);
      if (read.kind === 'status' || read.kind === 'unsure') {
        status = read.kind === 'status' ? read.status : read.readings[0];
        // A percentage is kept as the first note ("完成进度60%"); other words only decide the status.
        if (read.kind === 'status' && read.percent !== undefined) statusNote = normalizeInput(r.status);
        statusNotes.push(r.row);
      }
    }
    if (!status) bad(`无法识别的状态“${r.status}”，可写未启动、推进中、阶段性完成、基本完成、已完成、已完成并长期坚持、待销号或已销号。`, 'status');
    const progress = r.progress ? normalizeInput(r.progress).trim() : '';
    let confirm: string | undefined;
    // No 状态 cell: the narrative says where the measure stands, read by the same lexicon as chat.
    if (!r.status && progress && status) {
      const read = readStatus(progress);
      if (read.kind === 'status') status = read.status;
      else if (read.kind === 'unsure') [status, confirm] = [read.readings[0], `整改进展可理解为“${read.readings[0]}”或“${read.readings[1]}”，暂记为“${read.readings[0]}”`];
      else confirm = `整改进展没有写明状态，暂记为“${status}”`;
    }
    const dl = r.deadline ? readDeadline(r.deadline, today, baseYear) : null;
    if (!r.deadline) bad('缺少“完成时限”。可写具体日期（如2025年1月3日）、期限（如年底前）、立行立改或长期坚持。', 'deadline');
    else if (dl && !dl.ok) bad(dl.reason, 'deadline');
    const deadline = dl?.ok ? dl.deadline : null;
    const code = useCodes && r.code ? parseCode(r.code) : undefined;
    if (useCodes && r.code && !code) bad(`无法识别的编号“${r.code}”，应写成如3.2、二.3.2或(二)3(2)。`, 'code');
    else if (code && code.problem === undefined) bad(`编号“${r.code}”只写到方面，缺少问题序号。`, 'code');
    if (errors.length > before) continue;
    // Consecutive rows of one problem share its texts: split and key them once (a big file's memory).
    if (aspect !== lastAspect) [lastAspect, a] = [aspect, keyed(splitAspectText(aspect))];
    if (problem !== lastProblem) [lastProblem, p] = [problem, keyed(splitProblemText(problem))];
    // A measure number in 编号 wins; the text is then kept whole, even if it starts with "(1)".
    const m = code?.measure !== undefined ? { no: undefined, title: r.measure.trim() } : splitMeasureText(r.measure);
    rows.push({
      row: r.row, aspectTitle: a.title, aspectKey: a.key, aspectNo: a.no,
      problemTitle: p.title, problemKey: p.key, problemNo: p.no, measureTitle: m.title, measureNo: m.no,
      ...(a.heading ? { aspectHeading: a.heading } : {}),
      ...(p.heading ? { problemHeading: p.heading } : {}),
      code: code ?? undefined, codeText: r.code, kind: kind!, status: status!, deadline: deadline!,
      leaders: splitNames(r.leaders), departments: splitNames(r.departments), owners: splitNames(r.owners),
      ...(statusNote ? { statusNote } : {}),
      ...(progress ? { progress } : {}),
      ...(r.evidence ? { evidence: r.evidence.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) } : {}),
      ...(r.remark ? { remark: r.remark.trim() } : {}),
      ...(confirm ? { confirm } : {}),
      ...(r.sheet ? { sheet: r.sheet } : {}),
    });
  }
  return { rows, errors, statusNotes };
}
