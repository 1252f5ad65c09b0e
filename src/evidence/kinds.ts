/**
 * What a file is, from its bytes: magic numbers for images and PDF, the
 * entries of a ZIP (OOXML: word/ → docx, xl/ → xlsx) and the directory names
 * of an OLE compound file (WordDocument → doc, Workbook/Book → xls). The name's
 * extension only decides between what the bytes allow (an OLE file without a
 * recognizable stream); it never makes an unknown file acceptable. A name whose
 * extension disagrees with the content gets the content's extension, so a
 * download opens in the right program.
 */
import type JSZipType from 'jszip';
import type { EvidenceKind, EvidenceLimits } from './types.js';

/** Default largest accepted file (EVIDENCE_MAX_MB overrides). */
export const DEFAULT_MAX_MB = 20;
export const ALL_KINDS: EvidenceKind[] = ['image', 'pdf', 'word', 'excel'];

export const defaultLimits = (maxMb = DEFAULT_MAX_MB): EvidenceLimits => ({ maxBytes: Math.round(maxMb * 1024 * 1024), kinds: [...ALL_KINDS] });

/** A recognized file type. */
export interface Sniffed {
  kind: EvidenceKind;
  mime: string;
  /** Canonical extension without the dot. */
  ext: string;
}

const T = {
  png: { kind: 'image', mime: 'image/png', ext: 'png' },
  jpg: { kind: 'image', mime: 'image/jpeg', ext: 'jpg' },
  gif: { kind: 'image', mime: 'image/gif', ext: 'gif' },
  webp: { kind: 'image', mime: 'image/webp', ext: 'webp' },
  pdf: { kind: 'pdf', mime: 'application/pdf', ext: 'pdf' },
  docx: { kind: 'word', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' },
  xlsx: { kind: 'excel', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' },
  doc: { kind: 'word', mime: 'application/msword', ext: 'doc' },
  xls: { kind: 'excel', mime: 'application/vnd.ms-excel', ext: 'xls' },
} satisfies Record<string, Sniffed>;

/** Extensions that name each type (the first is canonical). */
const EXT: Record<string, Sniffed> = {
  png: T.png, jpg: T.jpg, jpeg: T.jpg, jpe: T.jpg, gif: T.gif, webp: T.webp, pdf: T.pdf,
  docx: T.docx, xlsx: T.xlsx, doc: T.doc, xls: T.xls,
};

export const KIND_LABEL: Record<EvidenceKind, string> = { image: '图片', pdf: 'PDF', word: 'Word', excel: 'Excel' };

const starts = (b: Buffer, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const utf16 = (s: string) => Buffer.from(s, 'utf16le');

export function extensionOf(name: string | undefined): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name ?? '');
  return m ? m[1].toLowerCase() : '';
}

async function zipKind(bytes: Buffer): Promise<Sniffed | null> {
  try {
    // jszip (~10 MB resident) loads with the first ZIP-shaped file, not at start.
    const { default: JSZip } = (await import('jszip')) as { default: typeof JSZipType };
    const zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
    const names = Object.keys(zip.files);
    if (names.some((n) => n.startsWith('word/'))) return T.docx;
    if (names.some((n) => n.startsWith('xl/'))) return T.xlsx;
  } catch { /* not a readable ZIP */ }
  return null;
}

function oleKind(bytes: Buffer, ext: string): Sniffed | null {
  // Directory entries hold stream names in UTF-16LE; they are never compressed.
  const word = bytes.includes(utf16('WordDocument'));
  const excel = bytes.includes(utf16('Workbook')) || bytes.includes(utf16('Book\0'));
  if (word && !excel) return T.doc;
  if (excel && !word) return T.xls;
  // Both or neither: the extension decides, when it names one of the two.
  if (ext === 'doc') return T.doc;
  if (ext === 'xls') return T.xls;
  return null;
}

/** The file's type from its content (the name's extension only breaks an OLE tie); null: not a kind we know. */
export async function sniff(bytes: Buffer, name?: string): Promise<Sniffed | null> {
  const ext = extensionOf(name);
  if (starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return T.png;
  if (starts(bytes, [0xff, 0xd8, 0xff])) return T.jpg;
  if (starts(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return T.gif;
  if (starts(bytes, [0x52, 0x49, 0x46, 0x46]) && starts(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return T.webp;
  // PDF: "%PDF-" within the first KB (some writers put junk before it, which readers accept).
  const head = bytes.subarray(0, 1024);
  if (head.includes(Buffer.from('%PDF-'))) return T.pdf;
  if (starts(bytes, [0x50, 0x4b, 0x03, 0x04])) return zipKind(bytes);
  if (starts(bytes, OLE)) return oleKind(bytes, ext);
  return null;
}

/** `name` without directories or control characters, ≤ 120 chars, ending in the content's extension. */
export function cleanName(name: string | undefined, t: Sniffed, fallbackStem: string): string {
  let base = (name ?? '').split(/[\\/]/).pop() ?? '';
  base = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '').replace(/\s+/g, ' ').trim().replace(/^\.+/, '');
  const ext = extensionOf(base);
  const same = EXT[ext] === t || (ext && EXT[ext]?.mime === t.mime);
  let stem = ext ? base.slice(0, -(ext.length + 1)) : base;
  if (!stem) stem = fallbackStem;
  const suffix = same ? base.slice(-ext.length) : t.ext;
  const max = 120 - suffix.length - 1;
  return `${[...stem].slice(0, max).join('')}.${suffix}`;
}

/** Human size: 812 B, 35.2 KB, 3.4 MB. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const mb = (bytes: number) => {
  const v = bytes / 1024 / 1024;
  return Number.isInteger(v) ? `${v}` : v.toFixed(1);
};

/** The allowed kinds in words: 图片（PNG/JPG/GIF/WebP）、PDF、Word、Excel. */
export function allowedWords(kinds: EvidenceKind[]): string {
  return kinds.map((k) => (k === 'image' ? '图片（PNG、JPG、GIF、WebP）' : k === 'word' ? 'Word（doc、docx）' : k === 'excel' ? 'Excel（xls、xlsx）' : 'PDF')).join('、');
}

/** Why a file is refused, in words the sender understands; null: it passes. */
export function refusal(size: number, t: Sniffed | null, limits: EvidenceLimits, name?: string): string | null {
  const what = name ? `“${name.split(/[\\/]/).pop()}”` : '该文件';
  if (size === 0) return `${what}是空文件，未保存为佐证材料。`;
  if (size > limits.maxBytes) {
    return `${what}大小为 ${formatSize(size)}，超过佐证材料 ${mb(limits.maxBytes)} MB 的上限，未保存。请压缩后重新发送，或拆分成几个文件。`;
  }
  if (!t || !limits.kinds.includes(t.kind)) {
    return `${what}不是可接收的佐证材料类型，未保存。可以发送：${allowedWords(limits.kinds)}，单个文件不超过 ${mb(limits.maxBytes)} MB。`;
  }
  return null;
}
