import JSZip from 'jszip';

/** A real 1×1 PNG (red pixel). */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

/** A PNG of about `bytes` bytes: the 1×1 image followed by padding (viewers ignore data after IEND). */
export function pngOfSize(bytes: number): Buffer {
  return Buffer.concat([PNG_1X1, Buffer.alloc(Math.max(0, bytes - PNG_1X1.length), 7)]);
}

export const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);

export const PDF_MIN = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** A minimal OOXML package with `dir`/ (word or xl). */
export async function ooxml(dir: 'word' | 'xl'): Promise<Buffer> {
  const z = new JSZip();
  z.file('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  z.file(dir === 'word' ? 'word/document.xml' : 'xl/workbook.xml', '<?xml version="1.0"?><x/>');
  return z.generateAsync({ type: 'nodebuffer' });
}

/** A plain ZIP without OOXML parts. */
export async function plainZip(): Promise<Buffer> {
  const z = new JSZip();
  z.file('notes.txt', 'hello');
  return z.generateAsync({ type: 'nodebuffer' });
}

/** The first sector of an OLE compound file with one directory entry named `stream` (UTF-16LE). */
export function ole(stream: string | null): Buffer {
  const b = Buffer.alloc(1536);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(b, 0);
  Buffer.from('Root Entry', 'utf16le').copy(b, 1024);
  if (stream) Buffer.from(stream, 'utf16le').copy(b, 1152);
  return b;
}
