/**
 * CSV plumbing shared by the ledger and user-directory formats: byte decoding
 * (UTF-8 with or without BOM, GBK/GB18030 as saved by Chinese Excel), parsing
 * into rows numbered the way a spreadsheet shows them, and writing.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { parse as parseStream } from 'csv-parse';

/** One parsed record with its spreadsheet row number (the first line of the file is row 1). */
export interface SheetRow {
  row: number;
  cells: string[];
}

/** A row-numbered problem found while reading a file; row 0 means "the file as a whole". */
export interface ImportError {
  row: number;
  message: string;
  /** The worksheet, when the workbook has several. */
  sheet?: string;
  /** Where in the row, e.g. "H列（完成时限）". */
  column?: string;
}

/**
 * Decodes file bytes to text. UTF-8 (a BOM is dropped) is tried first and
 * strictly; bytes that are not valid UTF-8 are read as GB18030, the superset
 * of GBK that Excel on Chinese Windows writes. Uses Node's built-in ICU, so
 * no iconv dependency is needed.
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** Drops a leading UTF-8 byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses CSV text into records. A quoted cell spanning several lines is one
 * record, so record i (0-based) is spreadsheet row i + 1 — including blank
 * lines, which a spreadsheet also shows as rows. Throws a Chinese message on
 * malformed quoting (callers turn it into an {@link ImportError}).
 */
export function readCsv(text: string): SheetRow[] {
  const records = parse(stripBom(text), {
    relax_column_count: true,
    skip_empty_lines: false,
    trim: false,
    bom: true,
  }) as string[][];
  return records.map((cells, i) => ({ row: i + 1, cells }));
}

function quoteError(e: unknown): { ok: false; errors: ImportError[] } {
  const line = (e as { lines?: number }).lines;
  const where = typeof line === 'number' ? `第${line}行附近` : '文件中';
  return { ok: false, errors: [{ row: typeof line === 'number' ? line : 0, message: `${where}的引号不配对，无法按 CSV 读取。请用表格软件另存为 CSV 后重试。` }] };
}

/** Like {@link readCsv} but returns a file-level error instead of throwing. */
export function tryReadCsv(text: string): { ok: true; rows: SheetRow[] } | { ok: false; errors: ImportError[] } {
  try {
    return { ok: true, rows: readCsv(text) };
  } catch (e) {
    return quoteError(e);
  }
}

/** The file's text encoding by the rule of {@link decodeText}, checked chunk by chunk (the file is never held whole). */
async function fileEncoding(path: string): Promise<'utf-8' | 'gb18030'> {
  const d = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path)) d.decode(chunk as Buffer, { stream: true });
    d.decode();
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

async function* decoded(path: string, encoding: string): AsyncGenerator<string> {
  const d = new TextDecoder(encoding);
  for await (const chunk of createReadStream(path)) yield d.decode(chunk as Buffer, { stream: true });
  yield d.decode();
}

/**
 * {@link tryReadCsv} for a file, streamed: the bytes are decoded and parsed
 * chunk by chunk, and only the rows' cell texts are kept.
 */
export async function readCsvFile(path: string): Promise<{ ok: true; rows: SheetRow[] } | { ok: false; errors: ImportError[] }> {
  const encoding = await fileEncoding(path);
  const parser = Readable.from(decoded(path, encoding)).pipe(parseStream({ relax_column_count: true, skip_empty_lines: false, trim: false, bom: true }));
  const rows: SheetRow[] = [];
  try {
    for await (const cells of parser as AsyncIterable<string[]>) rows.push({ row: rows.length + 1, cells });
  } catch (e) {
    return quoteError(e);
  }
  return { ok: true, rows };
}

/** True when every cell of a row is blank. */
export function isBlankRow(cells: readonly string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) || /^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/**
 * Writes rows as RFC 4180 CSV with CRLF line ends and a UTF-8 BOM, so that
 * Excel opens the Chinese text correctly by double-click.
 */
export function writeCsv(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  return '\ufeff' + rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}
