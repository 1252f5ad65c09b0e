/** Chinese prose punctuation that stays as written: cadres' notes should read as they typed them. */
const PROSE = /[，；：！？]+/g;

/**
 * Forgiving input normalisation: full-width letters, digits and code
 * punctuation → half-width (NFKC: "３．２" → "3.2", "（二）" → "(二)", "①" → "1"),
 * ideographic spaces and runs of whitespace collapsed, zero-width characters
 * dropped. ，；：！？ are kept, so free text keeps its Chinese punctuation;
 * parsers accept both widths of those.
 */
export function normalizeInput(s: string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(PROSE)) {
    out += s.slice(last, m.index).normalize('NFKC') + m[0];
    last = m.index! + m[0].length;
  }
  return (out + s.slice(last).normalize('NFKC'))
    .replace(/[\u200b-\u200f\u2060\ufeff]/g, '')
    .replace(/[\s\u3000]+/g, ' ')
    .trim();
}

/** Splits a cell of several names: 、，, ; ／ / and spaces between Chinese names. */
export function splitNames(cell: string | undefined | null): string[] {
  if (!cell) return [];
  return normalizeInput(cell)
    .split(/[、,，;；/／\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}
