/**
 * Splits long WeCom content under a byte limit at item boundaries: whole
 * paragraphs (blank-line separated) first, then whole lines, and only a line
 * longer than the limit on its own is cut (at a code-point boundary).
 */

/** UTF-8 byte length: WeCom's limits count bytes, not characters. */
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Cuts one over-long line into pieces of at most `limit` bytes without breaking a character. */
function cutLine(line: string, limit: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of line) {
    if (bytes(cur) + bytes(ch) > limit) {
      out.push(cur);
      cur = '';
    }
    cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** Greedily packs `units` joined by `sep` into chunks of at most `limit` bytes. */
function pack(units: string[], sep: string, limit: number, fallback: (u: string) => string[]): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  for (const u of units) {
    const pieces = bytes(u) > limit ? fallback(u) : [u];
    for (const p of pieces) {
      if (cur !== null && bytes(cur) + bytes(sep) + bytes(p) <= limit) cur += sep + p;
      else {
        if (cur !== null) out.push(cur);
        cur = p;
      }
    }
  }
  if (cur !== null) out.push(cur);
  return out;
}

/**
 * Splits `content` into parts of at most `limit` UTF-8 bytes each. When more
 * than one part is needed, each later part starts with `（续 i/n）` so readers
 * see it belongs to the previous message; the marker is counted in the limit.
 */
export function splitByBytes(content: string, limit: number): string[] {
  if (limit < 64) throw new RangeError('limit too small');
  const text = content.replace(/\r\n/g, '\n').trim();
  if (bytes(text) <= limit) return [text];
  // Reserve room for the continuation marker on every part.
  const room = limit - 32;
  const paragraphs = text.split(/\n{2,}/);
  const lines = (p: string) => pack(p.split('\n'), '\n', room, (l) => cutLine(l, room));
  const parts = pack(paragraphs, '\n\n', room, lines);
  if (parts.length === 1) return parts;
  return parts.map((p, i) => (i === 0 ? p : `（续 ${i + 1}/${parts.length}）\n${p}`));
}

/** Truncates to `limit` bytes at a line boundary when possible, marking the cut. */
export function truncateBytes(content: string, limit: number, marker = '\n…（内容过长，已截断）'): string {
  if (bytes(content) <= limit) return content;
  const room = limit - bytes(marker);
  const first = splitByBytes(content, room)[0] ?? '';
  return first + marker;
}

/** Packs whole words (e.g. `<@userid>` tags) joined by spaces into lines of at most `limit` bytes each. */
export function packWords(words: string[], limit: number): string[] {
  return pack(words.filter(Boolean), ' ', limit, (w) => cutLine(w, limit));
}

export { bytes as utf8Bytes };
