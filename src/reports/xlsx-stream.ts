/**
 * A streaming reader for the first worksheet of an .xlsx file: cell texts
 * row by row, merged ranges, Excel dates. exceljs's own streaming reader
 * decodes each inflated chunk separately and so garbles Chinese characters
 * that straddle a chunk boundary; here the zip entries are read with random
 * access (unzipper, which exceljs itself uses) and decoded with a streaming
 * TextDecoder into saxes (exceljs's XML parser), so nothing is held but the
 * shared strings and the rows' cell texts.
 */
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';

const fromExcelJs = createRequire(createRequire(import.meta.url).resolve('exceljs'));

interface ZipEntry { path: string; stream(): NodeJS.ReadableStream }
interface ZipDir { files: ZipEntry[] }
const unzipper = fromExcelJs('unzipper') as { Open: { file(p: string): Promise<ZipDir>; buffer(b: Buffer): Promise<ZipDir> } };

interface SaxNode { name: string; attributes: Record<string, string> }
interface Sax {
  on(ev: 'opentag' | 'closetag', f: (n: SaxNode) => void): void;
  on(ev: 'text', f: (t: string) => void): void;
  on(ev: 'error', f: (e: Error) => void): void;
  write(s: string): void;
  close(): void;
}
const { SaxesParser } = fromExcelJs('saxes') as { SaxesParser: new () => Sax };

/** Where the workbook comes from. */
export type XlsxInput = { path: string } | { buffer: Buffer };

/** Runs one zip entry through saxes, decoding UTF-8 across chunk boundaries. */
async function parseEntry(entry: ZipEntry, on: (sax: Sax) => void): Promise<void> {
  const sax = new SaxesParser();
  let error: Error | undefined;
  sax.on('error', (e) => { error ??= e; });
  on(sax);
  const d = new TextDecoder('utf-8');
  for await (const chunk of entry.stream().pipe(new PassThrough()) as AsyncIterable<Buffer>) {
    sax.write(d.decode(chunk, { stream: true }));
    if (error) throw error;
  }
  sax.write(d.decode());
  sax.close();
  if (error) throw error;
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57]);

/** True for a number format that shows a date or time (quoted text and colours ignored). */
function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
  return /[ymdhs]/i.test(bare) && !/^[#0.,%\s]*$/.test(bare);
}

/** Excel serial day number → YYYY-MM-DD (1900 or 1904 date system). */
function serialDate(serial: number, date1904: boolean): string {
  const ms = (serial - (date1904 ? 24107 : 25569)) * 86400_000;
  return new Date(Math.round(ms / 1000) * 1000).toISOString().slice(0, 10);
}

/** Column letters of a cell reference → 1-based column number. */
function colOf(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n;
}

/** One row of the sheet: its Excel number and cell texts (column A first). */
export interface XlsxRow { row: number; cells: string[] }

/** What one worksheet holds. */
export interface XlsxSheet {
  /** The worksheet's tab name. */
  name: string;
  rows: XlsxRow[];
  merges: Array<[r1: number, c1: number, r2: number, c2: number]>;
}

const MAX_COLUMNS = 64;

/** Reads the first worksheet (in workbook order). Throws when the bytes are not an xlsx workbook. */
export async function readFirstSheet(input: XlsxInput): Promise<XlsxSheet | null> {
  return (await readSheets(input, 1))[0] ?? null;
}

/** Reads the worksheets (at most `max`, in workbook order; hidden ones too). Throws when the bytes are not an xlsx workbook. */
export async function readSheets(input: XlsxInput, max = Infinity): Promise<XlsxSheet[]> {
  const dir = 'path' in input ? await unzipper.Open.file(input.path) : await unzipper.Open.buffer(input.buffer);
  const entry = (p: string) => dir.files.find((f) => f.path === p || f.path === `/${p}`);
  const workbook = entry('xl/workbook.xml');
  if (!workbook) throw new Error('not an xlsx workbook');

  const listed: Array<{ name: string; rid: string }> = [];
  let date1904 = false;
  await parseEntry(workbook, (sax) => sax.on('opentag', (n) => {
    if (n.name === 'sheet') listed.push({ name: n.attributes.name ?? `Sheet${listed.length + 1}`, rid: n.attributes['r:id'] });
    if (n.name === 'workbookPr') date1904 = n.attributes.date1904 === '1' || n.attributes.date1904 === 'true';
  }));
  if (!listed.length) return [];
  const targets = new Map<string, string>();
  const rels = entry('xl/_rels/workbook.xml.rels');
  if (rels) {
    await parseEntry(rels, (sax) => sax.on('opentag', (n) => {
      if (n.name === 'Relationship') targets.set(n.attributes.Id, n.attributes.Target);
    }));
  }
  const sheets = listed.slice(0, max).map((l, i) => {
    const target = targets.get(l.rid);
    const path = target ? (target.startsWith('/') ? target.slice(1) : `xl/${target}`) : `xl/worksheets/sheet${i + 1}.xml`;
    return { name: l.name, entry: entry(path) };
  }).filter((x): x is { name: string; entry: ZipEntry } => !!x.entry);
  if (!sheets.length) return [];

  // Styles: which cell formats show dates.
  const dateStyle: boolean[] = [];
  const styles = entry('xl/styles.xml');
  if (styles) {
    const custom = new Map<number, string>();
    let inXfs = false;
    await parseEntry(styles, (sax) => {
      sax.on('opentag', (n) => {
        if (n.name === 'numFmt') custom.set(Number(n.attributes.numFmtId), n.attributes.formatCode ?? '');
        else if (n.name === 'cellXfs') inXfs = true;
        else if (n.name === 'xf' && inXfs) {
          const id = Number(n.attributes.numFmtId ?? 0);
          dateStyle.push(BUILTIN_DATE_FORMATS.has(id) || (custom.has(id) && isDateFormat(custom.get(id)!)));
        }
      });
      sax.on('closetag', (n) => { if (n.name === 'cellXfs') inXfs = false; });
    });
  }

  // Shared strings: rich runs joined, phonetic runs (rPh) left out.
  const shared: string[] = [];
  const sst = entry('xl/sharedStrings.xml');
  if (sst) {
    let cur = '';
    let inT = false;
    let inPh = false;
    await parseEntry(sst, (sax) => {
      sax.on('opentag', (n) => {
        if (n.name === 'si') cur = '';
        else if (n.name === 'rPh') inPh = true;
        else if (n.name === 't' && !inPh) inT = true;
      });
      sax.on('text', (t) => { if (inT) cur += t; });
      sax.on('closetag', (n) => {
        if (n.name === 't') inT = false;
        else if (n.name === 'rPh') inPh = false;
        else if (n.name === 'si') shared.push(cur);
      });
    });
  }

  const out: XlsxSheet[] = [];
  for (const s of sheets) out.push({ name: s.name, ...(await readRows(s.entry, shared, dateStyle, date1904)) });
  return out;
}

/** The rows and merged ranges of one worksheet entry. */
async function readRows(sheet: ZipEntry, shared: string[], dateStyle: boolean[], date1904: boolean): Promise<Omit<XlsxSheet, 'name'>> {
  const rows: XlsxRow[] = [];
  const merges: XlsxSheet['merges'] = [];
  let row: XlsxRow | null = null;
  let col = 0;
  let type = '';
  let style = 0;
  let value = '';
  let inValue = false;
  let hasValue = false;
  await parseEntry(sheet, (sax) => {
    sax.on('opentag', (n) => {
      switch (n.name) {
        case 'row':
          row = { row: Number(n.attributes.r ?? (rows.length ? rows[rows.length - 1].row + 1 : 1)), cells: [] };
          col = 0;
          break;
        case 'c':
          col = n.attributes.r ? colOf(n.attributes.r) : col + 1;
          type = n.attributes.t ?? 'n';
          style = Number(n.attributes.s ?? 0);
          value = '';
          hasValue = false;
          break;
        case 'v':
        case 't':
          inValue = true;
          hasValue = true;
          break;
        case 'mergeCell': {
          const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(n.attributes.ref ?? '');
          if (m) merges.push([Number(m[2]), colOf(m[1]), Number(m[4]), colOf(m[3])]);
          break;
        }
      }
    });
    sax.on('text', (t) => { if (inValue) value += t; });
    sax.on('closetag', (n) => {
      if (n.name === 'v' || n.name === 't') inValue = false;
      else if (n.name === 'c' && row && hasValue && col >= 1 && col <= MAX_COLUMNS) {
        let text = value;
        if (type === 's') text = shared[Number(value)] ?? '';
        else if (type === 'b') text = value === '1' ? 'true' : 'false';
        else if (type === 'e') text = '';
        else if (type === 'd') text = value.slice(0, 10); // ISO 8601 date cell
        else if (type === 'n') {
          const num = Number(value);
          text = dateStyle[style] && Number.isFinite(num) ? serialDate(num, date1904) : String(num);
        }
        while (row.cells.length < col - 1) row.cells.push('');
        row.cells[col - 1] = text;
      } else if (n.name === 'row' && row) {
        rows.push(row);
        row = null;
      }
    });
  });
  return { rows, merges };
}
