/**
 * Breaks a notice title into lines the way GB/T 9704 §7.3.3 asks: words kept
 * whole, lines balanced (a trapezoid or diamond, never a long line over a
 * stub), each line within the type area (20 characters of 2号 type in 156 mm).
 */

/** 2号 (22 pt ≈ 7.76 mm) characters that fit the 156 mm type area. */
export const TITLE_LINE_CHARS = 20;

const segmenter = new Intl.Segmenter('zh-CN', { granularity: 'word' });

/** Word pieces; a break is allowed only between them. Quotes and brackets stay with their words. */
export function titleWords(title: string): string[] {
  const raw = [...segmenter.segment(title)].map((s) => s.segment);
  const out: string[] = [];
  for (const w of raw) {
    const prev = out[out.length - 1];
    // Closing punctuation and 的 never start a line; opening quotes never end one.
    if (prev !== undefined && (/^[”’）》〉」』、，。：；的]/.test(w) || /[“‘（《〈「『]$/.test(prev))) out[out.length - 1] = prev + w;
    else out.push(w);
  }
  return out;
}

/** Extra cost for a break before this word (prefer breaking before 关于, after an organisation name). */
function breakCost(before: string, after: string): number {
  if (after.startsWith('关于')) return -6;
  if (/^(巡视|巡察|整改|进展|情况|的)/.test(after) && /(关于|的)$/.test(before)) return 8;
  if (/^(意见|整改|情况|工作)/.test(after)) return 6; // 反馈|意见, 巡察|整改 read as one term
  if (/[省市区县]$/.test(before)) return 4; // keep 株洲市芦淞区 together where possible
  return 0;
}

/**
 * The title's lines. One line when it fits; otherwise the fewest lines that
 * fit, choosing word boundaries that minimise the spread of line lengths.
 */
export function breakTitle(title: string, max = TITLE_LINE_CHARS): string[] {
  const len = [...title].length;
  if (len <= max) return [title];
  const words = titleWords(title);
  const wl = words.map((w) => [...w].length);
  for (let lines = Math.ceil(len / max); lines <= words.length; lines++) {
    const target = len / lines;
    // best[i][k]: cheapest way to put words[0..i) on k lines.
    const best: Array<Array<{ cost: number; from: number } | undefined>> = [[{ cost: 0, from: -1 }]];
    for (let i = 1; i <= words.length; i++) {
      best[i] = [];
      for (let k = 1; k <= lines; k++) {
        let chars = 0;
        for (let j = i - 1; j >= 0; j--) {
          chars += wl[j];
          if (chars > max) break;
          const prev = best[j]?.[k - 1];
          if (!prev) continue;
          const edge = j > 0 ? breakCost(words[j - 1], words[j]) : 0;
          const cost = prev.cost + (chars - target) ** 2 + edge;
          if (!best[i][k] || cost < best[i][k]!.cost) best[i][k] = { cost, from: j };
        }
      }
    }
    const end = best[words.length][lines];
    if (!end) continue;
    const out: string[] = [];
    let i = words.length;
    for (let k = lines; k > 0; k--) {
      const j = best[i][k]!.from;
      out.unshift(words.slice(j, i).join(''));
      i = j;
    }
    return out;
  }
  return [title];
}
