import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { buildNotice } from '../../src/notice/model.js';
import { renderNoticeDocx, textWidthChars } from '../../src/notice/docx.js';
import { docxToPdf, findSoffice, pdfText, pdfToPngs } from '../../src/notice/pdf.js';
import { testRedisUrl } from '../helpers/redis.js';

// No skip: CI installs LibreOffice, poppler-utils and the CJK fonts (.ci/run); a missing one fails here.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-notice-pdf-'));

describe('PDF preview of the notice (LibreOffice + the shipped fontconfig aliases)', () => {
  it('LibreOffice and poppler are installed', () => {
    expect(findSoffice(), 'install libreoffice-writer-nogui').not.toBeNull();
    expect(spawnSync('pdftotext', ['-v']).error, 'install poppler-utils').toBeUndefined();
  });

  it('lays the demo notice out as GB/T 9704 asks: 22 lines of at most 28 characters, "— N —" right on odd and left on even pages', async () => {
    const n = buildNotice(buildDemoDoc(), '2021-07-09');
    const pdf = path.join(tmp, 'notice.pdf');
    writeFileSync(pdf, await docxToPdf(await renderNoticeDocx(n)));
    const pages = await pdfText(pdf);
    expect(pages.length).toBe(5);
    const all = pages.join('').replace(/—\s*\d+\s*—/g, '').replace(/\s/g, '');
    expect(all).toContain(n.headline.replace(/\s/g, ''));
    expect(all).toContain('整改情况：（1）纠正司法行政人员违规入额现象');
    let widest = 0;
    pages.forEach((page, i) => {
      const lines = page.split('\n').filter((l) => l.trim());
      const footer = lines.pop()!;
      expect(footer.replace(/\s/g, '')).toBe(`—${i + 1}—`);
      const lead = footer.length - footer.trimStart().length;
      if ((i + 1) % 2) expect(lead).toBeGreaterThan(20); // odd: right
      else expect(lead).toBeLessThan(5); // even: left
      if (i < pages.length - 1) expect(lines.length).toBe(i === 0 ? 21 : 22); // page 1: two title lines, a blank, 19 body lines
      for (const l of lines) {
        // 28 full-width characters a line; half-width digits are narrower, so a line may carry one or two more.
        const g = l.replace(/\s/g, '');
        const full = [...g].filter((c) => !/[\x20-\x7e]/.test(c)).length;
        expect(full, g).toBeLessThanOrEqual(28);
        expect(textWidthChars(g), g).toBeLessThanOrEqual(29);
        widest = Math.max(widest, full);
      }
    });
    expect(widest).toBe(28); // the Word character grid would give 19 in LibreOffice
    expect(pages[0].split('\n').filter((l) => l.trim()).slice(0, 2).map((l) => l.trim())).toEqual(n.titleLines);
    expect(pages[4]).toMatch(/株洲市芦淞区人民法院\s*\n\s*2021\s*年\s*7\s*月\s*9\s*日/);
    const pngs = await pdfToPngs(pdf, tmp, 30);
    expect(pngs.length).toBe(5);
    expect(readFileSync(pngs[0]).subarray(1, 4).toString()).toBe('PNG');
  }, 120000);

  it('rectify notice --format pdf writes the preview', () => {
    const url = testRedisUrl().replace(/\/\d+$/, '/55');
    const env = { ...process.env, REDIS_URL: url, LOG_LEVEL: 'silent' };
    const bin = path.resolve('bin/rectify.js');
    expect(spawnSync(process.execPath, [bin, 'demo', '--reset'], { env, encoding: 'utf8' }).status).toBe(0);
    const out = path.join(tmp, 'cli.pdf');
    const r = spawnSync(process.execPath, [bin, 'notice', '--ledger', 'demo', '--as-of', '2021-07-09', '--format', 'pdf', '--out', out], { env, encoding: 'utf8', timeout: 120000 });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
  }, 120000);
});
