import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeText } from '../../reports/csv.js';
import { parseNoticeDocx, parseNoticeText, type NoticeParse } from './index.js';

/**
 * A spreadsheet saved as text: the first line splits into three or more short
 * cells on tabs or commas. Notices use commas too (the seeds use half-width
 * ","), but in sentences, never as a row of short headings.
 */
export function looksLikeSheet(text: string): boolean {
  const first = text.replace(/^\ufeff/, '').split(/\r?\n/).find((l) => l.trim()) ?? '';
  const cells = first.split(/[\t,]/);
  return cells.length >= 3 && cells.every((c) => c.trim().length <= 16);
}

/**
 * `ledger import FILE`: the notice reading of FILE when it is one — any .docx,
 * or a .txt that is not a sheet; null sends the file to the ledger readers.
 */
export async function readNoticeFile(file: string): Promise<NoticeParse | null> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.docx') return parseNoticeDocx(await readFile(file));
  if (ext !== '.txt') return null;
  const text = decodeText(await readFile(file));
  return looksLikeSheet(text) ? null : parseNoticeText(text);
}
