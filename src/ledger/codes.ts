import type { Aspect, Measure, Numbering, Problem } from './types.js';
import { normalizeInput } from './normalize.js';
import { parseNumeral, toChineseNumeral } from './numerals.js';

/**
 * An item code as a cadre writes it, parsed. `aspect` is only set when the
 * writer named the aspect (二.3, (二)3); a bare "3" or "3.2" names a problem
 * number (and measure) as the ledger numbers them.
 */
export interface CodeQuery {
  aspect?: number;
  problem?: number;
  measure?: number;
}

const CN = '[〇零一二三四五六七八九十两]+';
const SEP = '[.、,．。·\\-]?';
const PATTERNS: Array<[RegExp, (m: RegExpMatchArray) => CodeQuery | null]> = [
  // 第3项 / 第三项 / 第3条 / 第3个问题
  [new RegExp(`^第(\\d+|${CN})(?:项|条|个问题|个|号|问题)?$`), (m) => num(m[1], (n) => ({ problem: n }))],
  // (二)3 / 二.3 / 二3 / 二、3 / 二.3.2 / (二)3(2) / 二.3.(2)
  [
    new RegExp(`^\\(?(${CN})\\)?${SEP}(\\d+)(?:${SEP}\\(?(\\d+)\\)?)?$`),
    (m) => num(m[1], (a) => ({ aspect: a, problem: Number(m[2]), measure: m[3] ? Number(m[3]) : undefined })),
  ],
  // 二 / (二) — an aspect alone
  [new RegExp(`^\\(?(${CN})\\)?$`), (m) => num(m[1], (a) => ({ aspect: a }))],
  // 1.3.2 — aspect.problem.measure in Arabic digits
  [/^(\d+)[.．。](\d+)[.．。](\d+)$/, (m) => ({ aspect: Number(m[1]), problem: Number(m[2]), measure: Number(m[3]) })],
  // 3 / 3.2 / 3(2) / 3-2
  [
    /^(\d+)(?:[.．。\-、](\d+)|\((\d+)\))?$/,
    (m) => ({ problem: Number(m[1]), measure: m[2] ? Number(m[2]) : m[3] ? Number(m[3]) : undefined }),
  ],
];

function num(s: string, f: (n: number) => CodeQuery): CodeQuery | null {
  const n = parseNumeral(s);
  return n && n > 0 ? f(n) : null;
}

/** Parses a code token; null when the text is not a code. */
export function parseCode(input: string): CodeQuery | null {
  const s = normalizeInput(input).replace(/\s/g, '').replace(/[。.]$/, (x) => (/\d[.。]$/.test(input) ? '' : x))
    // "问题5", "问题5.2", "措施5.2", "事项3": the word names the level the number already names.
    .replace(/^(?:问题|整改措施|措施|事项|编号)(?=[\d(〇零一二三四五六七八九十两])/, '');
  for (const [re, f] of PATTERNS) {
    const m = s.match(re);
    if (m) {
      const q = f(m);
      if (q) return q;
    }
  }
  return null;
}

/** The lookup key for a parsed code: "A2.3.1" when the aspect is named, "3.1" otherwise. */
export function aliasOf(q: CodeQuery): string {
  const tail = [q.problem, q.measure].filter((x) => x !== undefined).join('.');
  if (q.aspect !== undefined) return tail ? `A${q.aspect}.${tail}` : `A${q.aspect}`;
  return tail;
}

/** Every alias under which an item can be found. */
export function aliasesFor(item: Aspect | Problem | Measure, problemNumber?: number): string[] {
  if (item.level === 'aspect') return [`A${item.aspect}`];
  if (item.level === 'problem') return [`A${item.aspect}.${item.number}`, `${item.number}`];
  const p = problemNumber ?? 0;
  return [`A${item.aspect}.${p}.${item.number}`, `${p}.${item.number}`];
}

/** Display codes the way the ledger writes them. */
export function displayCode(
  numbering: Numbering,
  aspect: number,
  problem?: number,
  measure?: number,
): string {
  const a = toChineseNumeral(aspect);
  if (problem === undefined) return a;
  const p = numbering === 'global' ? `${problem}` : `${a}.${problem}`;
  return measure === undefined ? p : `${p}.${measure}`;
}

/** Internal ids: "1", "1.3", "1.3.2". */
export function itemId(aspect: number, problem?: number, measure?: number): string {
  return [aspect, problem, measure].filter((x) => x !== undefined).join('.');
}

/**
 * An aspect's heading for display: as the ledger wrote it ("（一）政治建设方面")
 * when it had its own numbering, else the ledgers' common form "一、政治建设方面".
 */
export function aspectHeading(a: Pick<Aspect, 'aspect' | 'title' | 'heading'>): string {
  return a.heading ?? `${toChineseNumeral(a.aspect)}、${a.title}`;
}

/**
 * A problem's heading for display and export: as written ("（3）关于…问题")
 * when it had its own numbering, else "3.关于…问题".
 */
export function problemHeading(p: Pick<Problem, 'number' | 'title' | 'heading'>): string {
  return p.heading ?? `${p.number}.${p.title}`;
}

/**
 * A problem with its code, for headings in chat ("二.3 （3）关于…"): the
 * code is left out when the heading already starts with it (global numbering).
 */
export function problemWithCode(p: Pick<Problem, 'code' | 'number' | 'title' | 'heading'>): string {
  if (!p.heading) return `${p.code} ${p.title}`;
  return p.code === String(p.number) ? p.heading : `${p.code} ${p.heading}`;
}
