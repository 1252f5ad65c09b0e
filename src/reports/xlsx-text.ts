/** Text measurements for laying out exported sheets (row heights of wrapped Chinese text). */

/** Display width of a text in Excel character units: a CJK character (or full-width sign) is two. */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

/**
 * Lines a text takes in a column of `width` units when wrapped. Excel and
 * LibreOffice do not grow a row for wrapped text on opening a file, so the
 * export sets each row's height from its longest cell.
 */
export function wrappedLines(text: string, width: number): number {
  const usable = Math.max(1, width - 1.5);
  return text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(textWidth(line) / usable)), 0);
}

