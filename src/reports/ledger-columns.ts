/**
 * The ledger sheet's columns: canonical Chinese headers, the aliases real
 * ledgers use, locating the header row, and the 类别 (Kind) vocabulary.
 */
import type { Kind } from '../ledger/types.js';
import { KINDS } from '../ledger/types.js';
import { normalizeInput } from '../ledger/normalize.js';
import type { ImportError, SheetRow } from './csv.js';

/** Logical fields of one ledger row (one measure). */
export type LedgerField =
  | 'code' | 'aspect' | 'problem' | 'measure' | 'kind'
  | 'leaders' | 'departments' | 'owners' | 'deadline' | 'status'
  | 'progress' | 'evidence' | 'remark';

/** Canonical headers in export order. */
export const LEDGER_HEADERS: ReadonlyArray<readonly [LedgerField, string]> = [
  ['code', '编号'], ['aspect', '方面'], ['problem', '问题'], ['measure', '整改措施'], ['kind', '类别'],
  ['leaders', '责任领导'], ['departments', '责任部门'], ['owners', '责任人'], ['deadline', '完成时限'], ['status', '状态'],
  ['progress', '整改进展'], ['evidence', '佐证材料'], ['remark', '备注'],
];

const ALIASES: Record<LedgerField, string[]> = {
  code: ['编号', '序号', '代码', '问题编号', '措施编号', '事项编号'],
  aspect: ['方面', '反馈方面', '所属方面', '问题领域'],
  problem: ['问题', '存在问题', '问题表现', '具体问题', '反馈问题', '问题描述', '主要问题', '问题清单'],
  measure: ['整改措施', '措施', '整改举措', '具体措施', '整改任务', '整改目标及措施'],
  kind: ['类别', '类型', '事项类别', '事项类型', '问题类型'],
  leaders: ['责任领导', '牵头领导', '分管领导', '责任院领导', '责任校领导', '领导'],
  departments: ['责任部门', '牵头部门', '责任单位', '牵头单位', '责任科室', '责任部室', '整改部门'],
  owners: ['责任人', '具体责任人', '经办人', '联系人'],
  deadline: ['完成时限', '整改时限', '完成时间', '整改期限', '完成期限', '时限', '整改时间'],
  status: ['状态', '整改状态', '整改进度', '整改完成进度', '进度', '完成状态'],
  progress: ['整改进展', '完成情况', '进展情况', '整改进展情况', '整改完成情况', '整改落实情况', '落实情况', '推进情况', '工作进展'],
  evidence: ['佐证材料', '佐证', '佐证资料', '证明材料', '支撑材料', '整改佐证材料'],
  remark: ['备注', '说明'],
};

/** Columns the export writes that an import does not need (computed again): ignored without a warning. */
const DERIVED = new Set(['灯', '亮灯', '预警', '最后更新', '更新时间']);

/** Headers offices use both for the aspect and for the kind: decided by the column's values. */
const EITHER = new Set(['问题类别', '问题方面', '问题分类']);

const BY_ALIAS = new Map<string, LedgerField>();
for (const [field, names] of Object.entries(ALIASES) as Array<[LedgerField, string[]]>) {
  for (const n of names) BY_ALIAS.set(n, field);
}

/** Header text without spaces, line breaks, "(年月日)"-style remarks and trailing colons. */
export function headerKey(cell: string): string {
  return normalizeInput(cell).replace(/\s/g, '').replace(/\(.*?\)$/, '').replace(/[:：*]+$/, '').replace(/^[*]+/, '');
}

/** Maps one header cell to its field, or null. */
export function fieldOfHeader(cell: string): LedgerField | null {
  return BY_ALIAS.get(headerKey(cell)) ?? null;
}

/** Where each field sits in the sheet, plus the header row's number. */
export interface ColumnMap {
  headerRow: number;
  columns: Partial<Record<LedgerField, number>>;
  /** "H列（完成时限）", for error messages. */
  labels: Partial<Record<LedgerField, string>>;
}

/** 0-based column index → spreadsheet letters (0 → A, 26 → AA). */
export function columnLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** An aspect heading ("一、…方面", "(二)…") rather than a 类别 word: decides the 问题类别/问题方面 columns. */
function valuesAreKinds(rows: SheetRow[], headerRow: number, col: number): boolean {
  const vals = rows.filter((r) => r.row > headerRow).map((r) => (r.cells[col] ?? '').trim()).filter(Boolean).slice(0, 200);
  if (!vals.length) return false;
  return vals.filter((v) => parseKind(v)).length * 2 > vals.length;
}

const REQUIRED: LedgerField[] = ['aspect', 'problem', 'measure', 'deadline'];

/**
 * Finds the header row among the first ten rows (ledgers often carry a title
 * row above it) and maps its cells. Unknown and repeated headers are warned
 * about; missing required columns are errors on the header row.
 */
export function mapLedgerHeader(rows: SheetRow[]):
  | { ok: true; map: ColumnMap; warnings: string[] }
  | { ok: false; errors: ImportError[] } {
  const candidates = rows.slice(0, 10);
  let best: SheetRow | undefined;
  let bestHits = 0;
  for (const r of candidates) {
    const hits = r.cells.filter((c) => fieldOfHeader(c) || EITHER.has(headerKey(c))).length;
    if (hits > bestHits) [best, bestHits] = [r, hits];
  }
  if (!best || bestHits < 2) {
    return { ok: false, errors: [{ row: 1, message: '没有找到表头。第一行应为：编号、方面、问题、整改措施、类别、责任领导、责任部门、责任人、完成时限、状态。' }] };
  }
  const columns: Partial<Record<LedgerField, number>> = {};
  const labels: Partial<Record<LedgerField, string>> = {};
  const warnings: string[] = [];
  const headerRow = best.row;
  // 问题类别/问题方面 is the aspect when its values are headings, the kind when they are 类别 words.
  const either = (i: number): LedgerField => {
    const other = best!.cells.some((c, j) => j !== i && fieldOfHeader(c) === 'aspect');
    return other || valuesAreKinds(rows, headerRow, i) ? 'kind' : 'aspect';
  };
  best.cells.forEach((cell, i) => {
    if (!cell.trim() || DERIVED.has(headerKey(cell))) return;
    const f = EITHER.has(headerKey(cell)) ? either(i) : fieldOfHeader(cell);
    if (f) labels[f] ??= `${columnLetter(i)}列（${cell.trim()}）`;
    if (!f) warnings.push(`第${best.row}行的列“${cell.trim()}”无法识别，已忽略。`);
    else if (columns[f] !== undefined) warnings.push(`第${best.row}行的列“${cell.trim()}”与前面的列重复，已忽略。`);
    else columns[f] = i;
  });
  const missing = REQUIRED.filter((f) => columns[f] === undefined);
  if (missing.length) {
    const names = missing.map((f) => LEDGER_HEADERS.find(([x]) => x === f)![1]).join('、');
    return { ok: false, errors: [{ row: best.row, message: `表头缺少必需的列：${names}。` }] };
  }
  return { ok: true, map: { headerRow: best.row, columns, labels }, warnings };
}

/** Reads one field of a row (trimmed; '' when the column is absent). */
export function cellOf(row: SheetRow, map: ColumnMap, f: LedgerField): string {
  const i = map.columns[f];
  return i === undefined ? '' : (row.cells[i] ?? '').trim();
}

const KIND_WORDS: Array<[string, Kind]> = [
  ['反馈问题', '反馈问题'], ['巡察反馈问题', '反馈问题'], ['巡视反馈问题', '反馈问题'], ['问题', '反馈问题'],
  ['整改意见', '整改意见'], ['意见建议', '整改意见'], ['整改建议', '整改意见'], ['巡察整改意见', '整改意见'], ['巡视整改意见', '整改意见'],
  ['举一反三', '举一反三'], ['举一反三事项', '举一反三'], ['举一反三问题', '举一反三'],
  ['推动改革促进发展', '推动改革促进发展'], ['推动改革', '推动改革促进发展'], ['促进发展', '推动改革促进发展'], ['改革发展', '推动改革促进发展'],
  ['信访件', '信访件'], ['信访', '信访件'], ['信访举报', '信访件'], ['信访件办理', '信访件'],
  ['问题线索', '问题线索'], ['线索', '问题线索'], ['移交问题线索', '问题线索'],
];
const KIND_MAP = new Map(KIND_WORDS);

/** Maps a 类别 cell to a Kind: '' → 反馈问题; punctuation inside is ignored (推动改革、促进发展). Null when unknown. */
export function parseKind(cell: string): Kind | null {
  const w = normalizeInput(cell).replace(/[\s、,，;；/和与及]/g, '');
  if (!w) return '反馈问题';
  if ((KINDS as readonly string[]).includes(w)) return w as Kind;
  return KIND_MAP.get(w) ?? null;
}
