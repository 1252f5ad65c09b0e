/** Chinese numerals as used in ledger numbering (一、二、…、二十一). */

const DIGITS: Record<string, number> = {
  〇: 0, 零: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};

export const CN_NUMERAL_CHARS = '〇零一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百';

/** Parses 一…九十九 (and 一百) or Arabic digits; null when not a number. */
export function parseNumeral(s: string): number | null {
  const t = s.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (!t || /[^〇零一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百]/.test(t)) return null;
  if (t === '一百' || t === '百') return 100;
  const norm = t.replace(/拾/g, '十');
  const i = norm.indexOf('十');
  if (i === -1) {
    if (norm.length !== 1) {
      // "二一" style digit strings are not used in numbering.
      return null;
    }
    return DIGITS[norm] ?? null;
  }
  if (norm.indexOf('十', i + 1) !== -1) return null;
  const tensPart = norm.slice(0, i);
  const onesPart = norm.slice(i + 1);
  const tens = tensPart === '' ? 1 : DIGITS[tensPart];
  const ones = onesPart === '' ? 0 : DIGITS[onesPart];
  if (tens === undefined || ones === undefined || tensPart.length > 1 || onesPart.length > 1) return null;
  return tens * 10 + ones;
}

const SMALL = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 21 → 二十一. */
export function toChineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99) return String(n);
  if (n < 10) return SMALL[n];
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : SMALL[tens]}十${ones ? SMALL[ones] : ''}`;
}
