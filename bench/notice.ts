import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildNotice } from '../src/notice/model.js';
import { renderNoticeDocx } from '../src/notice/docx.js';
import { docxToPdf, findSoffice } from '../src/notice/pdf.js';
import { parseNoticeText } from '../src/notice/parse/index.js';
import { noticeToDoc } from '../src/notice/parse/draft.js';
import { syntheticDoc } from './synthetic.js';

const ms = (t: number) => +(performance.now() - t).toFixed(1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Notice benchmark (pure, no Redis): the Word notice of a 500-measure ledger
 * (model + docx, target ≤ 2 s) and parsing seed 001 (96 KB) into a draft
 * ledger (target ≤ 1 s); first run and median of the following ones. With
 * LibreOffice installed, one PDF preview of the 500-measure notice as well.
 */
export async function benchNotice(): Promise<Record<string, unknown>> {
  const doc = syntheticDoc('notice500', 5, 10, 10, '2026-11-22');
  for (const m of doc.measures) {
    m.notes = [{ at: '2026-11-01T02:00:00.000Z', by: '王静', text: '已制定工作方案并印发，组织专题学习两次，相关制度已报党组会审议通过。' }];
  }
  const docxRuns: number[] = [];
  let bytes = 0;
  let pages: Buffer | undefined;
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    const buf = await renderNoticeDocx(buildNotice(doc, '2026-11-22'));
    docxRuns.push(ms(t));
    bytes = buf.length;
    pages = buf;
  }
  let pdf: Record<string, unknown> = { skipped: 'LibreOffice not installed' };
  if (findSoffice() && pages) {
    const t = performance.now();
    const out = await docxToPdf(pages);
    pdf = { ms: ms(t), bytes: out.length };
  }
  const file = path.resolve('test/fixtures/notice/seed001.txt');
  const text = readFileSync(file, 'utf8');
  const parseRuns: number[] = [];
  let found: Record<string, number> = {};
  for (let i = 0; i < 11; i++) {
    const t = performance.now();
    const p = parseNoticeText(text);
    const { doc: draft } = noticeToDoc(p, { ledgerId: 'bench-001', now: '2026-01-01T00:00:00.000Z' }, '2026-01-01');
    parseRuns.push(ms(t));
    found = { aspects: draft.aspects.length, problems: draft.problems.length, measures: draft.measures.length };
  }
  return {
    docx_500: { measures: doc.measures.length, first_ms: docxRuns[0], median_ms: median(docxRuns.slice(1)), bytes, target: '≤ 2000 ms' },
    pdf_500: pdf,
    parse_seed001: { kb: +(Buffer.byteLength(text) / 1024).toFixed(1), first_ms: parseRuns[0], median_ms: median(parseRuns.slice(1)), ...found, target: '≤ 1000 ms' },
  };
}
