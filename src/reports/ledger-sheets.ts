/**
 * A workbook's ledger sheets read together: each sheet's header is found
 * below its title and blank rows, the title row names the ledger, a
 * "截至2026年10月31日" line above the header dates the sheet, and a sheet
 * named after a 类别 ("举一反三问题") gives that 类别 to its rows. Sheets with
 * no ledger header (a 说明 or 汇总 sheet) are skipped with a warning.
 */
import type { Kind } from '../ledger/types.js';
import { normalizeInput } from '../ledger/normalize.js';
import { parseDate } from '../ledger/dates.js';
import type { ImportError, SheetRow } from './csv.js';
import { isBlankRow } from './csv.js';
import { cellOf, LEDGER_HEADERS, mapLedgerHeader } from './ledger-columns.js';
import type { RawLedgerRow, SheetPlace } from './ledger-rows.js';

/** Sheets kept next to a ledger that are not part of it. */
const SIDE_SHEET = /汇总|统计|说明|目录|封面/;

/** What the rows above a sheet's header say. */
export interface SheetHead {
  title?: string;
  /** YYYY-MM-DD of "截至…"/"截止…"/"统计时间…". */
  asOf?: string;
}

const AS_OF = /(?:截至|截止|统计时间|填报时间|填报日期)[:：]?\s*(\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?)/;
/** Lines above a header that are not its title. */
const NOT_TITLE = /^(?:填报单位|填报人|单位|制表|附件|附表)|^(?:截至|截止)/;

/** Title and as-of date from the rows above the header. */
export function readSheetHead(rows: SheetRow[], headerRow: number, today: string): SheetHead {
  const head: SheetHead = {};
  for (const r of rows) {
    if (r.row >= headerRow) break;
    const texts = [...new Set(r.cells.map((c) => normalizeInput(c).trim()).filter(Boolean))];
    for (const t of texts) {
      const m = t.match(AS_OF);
      if (m && !head.asOf) head.asOf = parseDate(m[1].replace(/\s/g, ''), today) ?? undefined;
      if (!head.title && !NOT_TITLE.test(t) && !/^附件\s*\d*$/.test(t)) head.title = t.replace(AS_OF, '').replace(/[（(]\s*[)）]$/, '').trim() || undefined;
    }
  }
  return head;
}

const KIND_IN_NAME: Array<[RegExp, Kind]> = [
  [/举一反三/, '举一反三'], [/信访/, '信访件'], [/线索/, '问题线索'], [/整改意见|意见建议/, '整改意见'],
  [/推动改革|促进发展/, '推动改革促进发展'], [/反馈问题/, '反馈问题'],
];

/** The 类别 a sheet's name stands for, if any. */
export function kindOfSheetName(name: string): Kind | undefined {
  return KIND_IN_NAME.find(([re]) => re.test(name))?.[1];
}

/** Every sheet's data rows, header mapped; all header errors at once when no sheet has a ledger header. */
export function sheetsToRawRows(sheets: Array<{ name?: string; rows: SheetRow[] }>, today: string):
  | { ok: true; raw: RawLedgerRow[]; warnings: string[]; head: SheetHead; errors: ImportError[] }
  | { ok: false; errors: ImportError[] } {
  const raw: RawLedgerRow[] = [];
  const warnings: string[] = [];
  const errors: ImportError[] = [];
  const broken: ImportError[] = [];
  const head: SheetHead = {};
  const several = sheets.length > 1;
  let used = 0;
  for (const s of sheets) {
    const header = mapLedgerHeader(s.rows);
    const name = s.name ?? '';
    if (!header.ok) {
      const es = header.errors.map((e) => (several ? { ...e, sheet: name } : e));
      // A ledger header missing a required column is an error of the file; a sheet with no ledger header at all is skipped.
      if (several && !SIDE_SHEET.test(name) && es.some((e) => e.message.startsWith('表头缺少'))) broken.push(...es);
      else errors.push(...es);
      continue;
    }
    used++;
    const { map } = header;
    const h = readSheetHead(s.rows, map.headerRow, today);
    head.title ??= h.title;
    head.asOf ??= h.asOf;
    warnings.push(...header.warnings.map((w) => (several ? `工作表“${name}”${w}` : w)));
    const place: SheetPlace | undefined = several ? { name, labels: map.labels, kind: kindOfSheetName(name) } : { name, labels: map.labels };
    for (const r of s.rows) {
      if (r.row <= map.headerRow || isBlankRow(r.cells)) continue;
      const out = { row: r.row } as RawLedgerRow;
      for (const [f] of LEDGER_HEADERS) out[f] = cellOf(r, map, f);
      // A one-sheet file keeps plain row numbers in its messages; columns are named either way.
      out.sheet = place;
      raw.push(out);
    }
  }
  if (!used) return { ok: false, errors: [...broken, ...errors] };
  // A summary or instructions sheet is expected next to the ledger; any other sheet without a header is named.
  for (const e of errors) if (!SIDE_SHEET.test(e.sheet ?? '')) warnings.push(`工作表“${e.sheet}”没有整改台账的表头，已跳过。`);
  return { ok: true, raw, warnings, head, errors: broken };
}
