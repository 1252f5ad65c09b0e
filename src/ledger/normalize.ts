/**
 * Forgiving input normalisation: full-width → half-width (NFKC), ideographic
 * spaces and runs of whitespace collapsed, zero-width characters dropped.
 */
export function normalizeInput(s: string): string {
  return s
    .normalize('NFKC')
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
