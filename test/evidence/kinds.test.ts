import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanName, defaultLimits, refusal, sniff } from '../../src/evidence/kinds.js';
import { LocalEvidenceStorage } from '../../src/evidence/local-storage.js';
import { isSafeKey, keySegment, newEvidenceKey } from '../../src/evidence/storage-key.js';
import { JPEG_HEAD, ole, ooxml, PDF_MIN, plainZip, PNG_1X1 } from './samples.js';

describe('evidence type sniffing', () => {
  it('reads the type from the bytes, not the name', async () => {
    const table: Array<[Buffer, string | undefined, string | null]> = [
      [PNG_1X1, 'a.jpg', 'image/png'],
      [JPEG_HEAD, undefined, 'image/jpeg'],
      [Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'x', 'image/gif'],
      [Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(8)]), undefined, 'image/webp'],
      [PDF_MIN, 'report.docx', 'application/pdf'],
      [await ooxml('word'), 'x.xlsx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      [await ooxml('xl'), undefined, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      [ole('WordDocument'), 'x.xls', 'application/msword'],
      [ole('Workbook'), undefined, 'application/vnd.ms-excel'],
      // An OLE file without a recognizable stream: the extension decides, and only between doc and xls.
      [ole(null), 'old.xls', 'application/vnd.ms-excel'],
      [ole(null), 'old.doc', 'application/msword'],
      [ole(null), 'old.ppt', null],
      [await plainZip(), 'a.docx', null],
      [Buffer.from('plain text'), 'a.pdf', null],
      [Buffer.from('MZ\x90\x00', 'latin1'), 'a.png', null],
    ];
    for (const [bytes, name, mime] of table) expect((await sniff(bytes, name))?.mime ?? null, `${name} → ${mime}`).toBe(mime);
  });

  it('keeps the sent name, fixing a misleading extension and stripping paths', async () => {
    const png = (await sniff(PNG_1X1))!;
    expect(cleanName('IMG_1.JPG', png, 'f')).toBe('IMG_1.png');
    expect(cleanName('../../etc/passwd', png, 'f')).toBe('passwd.png');
    expect(cleanName('C:\\Users\\a\\照片 一.png', png, 'f')).toBe('照片 一.png');
    expect(cleanName(undefined, png, '佐证材料7')).toBe('佐证材料7.png');
    expect(cleanName(`${'长'.repeat(300)}.png`, png, 'f')).toHaveLength(120);
    const jpg = (await sniff(JPEG_HEAD))!;
    expect(cleanName('scan.jpeg', jpg, 'f')).toBe('scan.jpeg');
  });

  it('refuses with a sentence naming the limit or the allowed kinds', async () => {
    const lim = defaultLimits(20);
    expect(lim.maxBytes).toBe(20 * 1024 * 1024);
    expect(refusal(21 * 1024 * 1024, null, lim, '照片.png')).toBe('“照片.png”大小为 21.0 MB，超过佐证材料 20 MB 的上限，未保存。请压缩后重新发送，或拆分成几个文件。');
    expect(refusal(10, null, lim)).toContain('可以发送：图片（PNG、JPG、GIF、WebP）、PDF、Word（doc、docx）、Excel（xls、xlsx）');
    expect(refusal(0, null, lim)).toContain('空文件');
    expect(refusal(10, (await sniff(PDF_MIN))!, { ...lim, kinds: ['image'] })).toContain('可以发送：图片');
    expect(refusal(10, (await sniff(PDF_MIN))!, lim)).toBeNull();
  });
});

describe('local evidence storage', () => {
  it('keeps keys inside its directory and writes atomically (no temporary file left)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rb-evk-'));
    try {
      const s = new LocalEvidenceStorage(dir);
      const key = newEvidenceKey('台账/../x', '2.1.1', 'png');
      expect(isSafeKey(key)).toBe(true);
      expect(key.startsWith(`${keySegment('台账/../x')}/2.1.1/`)).toBe(true);
      expect(keySegment('..')).toBe('%2E.');
      await s.put(key, PNG_1X1, 'image/png');
      expect(await s.get(key)).toEqual(PNG_1X1);
      const all = await readdir(dir, { recursive: true, withFileTypes: true });
      expect(all.filter((d) => d.isFile()).map((d) => d.name)).toEqual([key.split('/').pop()]);
      for (const bad of ['../x', 'a/../../b', '/etc/passwd', 'a\\..\\b', '.', 'a//b']) {
        await expect(s.put(bad, PNG_1X1, 'image/png')).rejects.toThrow(/unsafe/);
        await expect(s.get(bad)).rejects.toThrow(/unsafe/);
      }
      await s.remove(key);
      expect(await s.get(key)).toBeNull();
      await s.remove(key);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
