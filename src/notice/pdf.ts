/**
 * PDF preview of a notice .docx for checking layout: LibreOffice headless with
 * the shipped fontconfig file (assets/fonts/notice-fonts.conf) that maps the
 * official typeface names to Debian fonts. Needs the Debian packages
 * libreoffice-writer(-nogui), fonts-noto-cjk, fonts-arphic-ukai, fonts-arphic-gkai00mp.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DomainError } from '../core/errors.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The fontconfig file that maps 方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体 to installed fonts. */
export const NOTICE_FONTCONFIG = path.join(root, 'assets/fonts/notice-fonts.conf');

/** The LibreOffice binary, or null when it is not installed. */
export function findSoffice(): string | null {
  for (const p of [process.env.SOFFICE, '/usr/bin/soffice', '/usr/bin/libreoffice', '/usr/lib/libreoffice/program/soffice']) {
    if (p && existsSync(p)) return p;
  }
  return null;
}

/** Environment for LibreOffice and poppler: our fontconfig file, a private profile and HOME. */
function previewEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, FONTCONFIG_FILE: NOTICE_FONTCONFIG, HOME: dir, SAL_USE_VCLPLUGIN: 'svp' };
}

/** Converts .docx bytes to PDF bytes. A private LibreOffice profile per call lets conversions run side by side. */
export async function docxToPdf(docx: Buffer, timeoutMs = 120_000): Promise<Buffer> {
  const soffice = findSoffice();
  if (!soffice) throw new DomainError('no_libreoffice', '未安装 LibreOffice，无法生成 PDF 预览。', '请安装：apt-get install -y libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai fonts-arphic-gkai00mp');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-notice-'));
  try {
    const src = path.join(dir, 'notice.docx');
    writeFileSync(src, docx);
    await run(soffice, [
      `-env:UserInstallation=${pathToFileURL(path.join(dir, 'profile')).href}`,
      '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', dir, src,
    ], { env: previewEnv(dir), timeout: timeoutMs });
    const out = path.join(dir, 'notice.pdf');
    if (!existsSync(out)) throw new Error('LibreOffice did not write a PDF');
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders PDF pages to PNG files (pdftoppm) in `outDir`; returns their paths in page order. */
export async function pdfToPngs(pdf: string, outDir: string, dpi = 60): Promise<string[]> {
  await run('pdftoppm', ['-r', String(dpi), '-png', pdf, path.join(outDir, 'page')], { env: { ...process.env, FONTCONFIG_FILE: NOTICE_FONTCONFIG } });
  return readdirSync(outDir).filter((f) => /^page-\d+\.png$/.test(f)).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0])).map((f) => path.join(outDir, f));
}

/** The PDF's text, page by page (pdftotext -layout; pages split at form feeds). */
export async function pdfText(pdf: string): Promise<string[]> {
  const { stdout } = await run('pdftotext', ['-layout', pdf, '-'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\f').filter((p, i, all) => i < all.length - 1 || p.trim());
}
