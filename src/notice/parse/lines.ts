/**
 * A published notice as paragraphs with their heading markers. Markers are
 * ranked by type, not by depth: real notices jump from 二、 straight to
 * "1.关于“…”问题的整改" or to 一是/二是, so the structure step decides what
 * each marker type means in this document.
 */
import { parseNumeral } from '../../ledger/numerals.js';

/** 一、 | （一） | 1. | （1） | 一是 | none. */
export type Marker = 'cn' | 'pcn' | 'num' | 'pnum' | 'shi' | 'none';

export interface Para {
  /** 0-based paragraph index in the document. */
  index: number;
  /** The paragraph as written, trimmed. */
  text: string;
  marker: Marker;
  /** The marker's number (一 → 1, (3) → 3). */
  no: number;
  /** The text after the marker. */
  rest: string;
}

const CN = '〇零一二两三四五六七八九十百';
const RX: Array<[Marker, RegExp]> = [
  ['pcn', new RegExp(`^[（(]\\s*([${CN}]{1,3})\\s*[）)]\\s*(.*)$`)],
  ['pnum', /^[（(]\s*(\d{1,3})\s*[）)]\s*(.*)$/],
  ['cn', new RegExp(`^([${CN}]{1,3})\\s*[、.．，,]\\s*(.*)$`)],
  // 1. 1． 1、 — not a date or a decimal (2021.1, 95.2%).
  ['num', /^(\d{1,3})\s*[.．、](?!\d)\s*(.*)$/],
  ['shi', new RegExp(`^([${CN}]{1,3})是(.*)$`)],
];

/** Classifies one paragraph's leading marker. */
export function classify(text: string, index = 0): Para {
  const t = text.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
  for (const [marker, rx] of RX) {
    const m = t.match(rx);
    if (!m) continue;
    const no = parseNumeral(m[1]);
    if (no === null || no < 1) continue;
    if (marker === 'shi' && !m[2]) continue;
    return { index, text: t, marker, no, rest: m[2].trim() };
  }
  return { index, text: t, marker: 'none', no: 0, rest: t };
}

/** Plain text → non-empty paragraphs (one per line), markers classified. */
export function paragraphsOfText(text: string): Para[] {
  return text.replace(/\r\n?/g, '\n').split('\n')
    .map((l) => l.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, ''))
    .filter(Boolean)
    .map((l, i) => classify(l, i));
}

/**
 * Splits an enumeration inside one paragraph: (1)…(2)… or 一是…二是….
 * Numbers must run 1, 2, 3 … so "芦巡发(2020)1号" or "一是一" inside a
 * sentence never starts a measure. Returns the text before the first marker
 * (if any) and the items.
 */
export function splitEnumeration(text: string): { preface: string; items: string[] } {
  for (const kind of ['pnum', 'shi'] as const) {
    const rx = kind === 'pnum' ? /[（(]\s*(\d{1,3})\s*[）)]/g : new RegExp(`([${CN}]{1,3})是`, 'g');
    const cuts: number[] = [];
    let next = 1;
    for (const m of text.matchAll(rx)) {
      const n = parseNumeral(m[1]);
      if (n !== next) continue;
      // 一是 must start a sentence (start, or after 。；;：: or a closing bracket).
      if (kind === 'shi' && m.index! > 0 && !/[。；;：:，,）)\s]$/.test(text.slice(0, m.index!))) continue;
      cuts.push(m.index!);
      next++;
    }
    if (cuts.length >= 1 && (cuts.length >= 2 || cuts[0] === 0)) {
      const items = cuts.map((c, i) => text.slice(c, cuts[i + 1] ?? text.length).trim());
      return { preface: text.slice(0, cuts[0]).trim(), items };
    }
  }
  return { preface: '', items: [text.trim()].filter(Boolean) };
}

/** Strips an enumeration marker from the start of a measure: "(2)…" / "二是…" → "…". */
export function stripItemMarker(s: string): string {
  return s.replace(/^[（(]\s*\d{1,3}\s*[）)]\s*/, '').replace(new RegExp(`^[${CN}]{1,3}是`), '').trim();
}
