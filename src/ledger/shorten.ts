import { memoize } from '../core/memo.js';

/**
 * Standard formulations (规范提法) a shortened title never cuts into:
 * "学习贯彻习近平新时代中国特色社会…" is a political error, not an ellipsis.
 */
export const PROTECTED_PHRASES = [
  '习近平新时代中国特色社会主义思想', '习近平总书记重要讲话精神', '习近平总书记', '习近平法治思想', '中国特色社会主义',
  '党中央决策部署', '中央八项规定精神', '中央八项规定', '全面从严治党', '“第一议题”', '第一议题', '“三会一课”', '三会一课',
  '“两个确立”', '“两个维护”', '“四个意识”', '“四个自信”', '“四风”', '一岗双责', '“三重一大”', '三重一大',
  '“三个规定”', '党风廉政建设', '意识形态工作责任制', '民主集中制',
];

const PUNCT = /[，。；、：,;:！？!?）)」』”]/;

/** Spans [start, end) of protected phrases in `chars`. */
function spans(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const chars = [...text];
  const joined = chars.join('');
  for (const p of PROTECTED_PHRASES) {
    for (let i = joined.indexOf(p); i !== -1; i = joined.indexOf(p, i + 1)) {
      const start = [...joined.slice(0, i)].length;
      out.push([start, start + [...p].length]);
    }
  }
  return out;
}

/**
 * Shortens a title to about `max` characters: at the last punctuation mark
 * within reach, else at `max` moved out of any protected phrase (to its end
 * when that is close, else before it). Adds "…" when something was cut.
 */
export function shortTitle(text: string, max: number): string {
  if (text.length <= max) return text; // UTF-16 length ≥ character count
  return shortened(`${max}|${text}`);
}

/** shortTitle's work, remembered per `max|text` (every answer shortens the same aspect and problem titles). */
const shortened = memoize((key: string): string => {
  const bar = key.indexOf('|');
  return cut(key.slice(bar + 1), Number(key.slice(0, bar)));
});

function cut(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  for (let i = Math.min(max, chars.length) - 1; i >= Math.floor(max / 2); i--) {
    if (PUNCT.test(chars[i])) {
      const head = chars.slice(0, i + (/[）)」』”]/.test(chars[i]) ? 1 : 0)).join('');
      if (!spans(text).some(([a, b]) => a < i && i < b)) return `${head}…`;
    }
  }
  let cut = max;
  for (const [a, b] of spans(text)) {
    if (a < cut && cut < b) cut = b - max <= 8 || a < 4 ? b : a;
  }
  return cut >= chars.length ? text : `${chars.slice(0, cut).join('')}…`;
}
