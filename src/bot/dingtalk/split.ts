/** UTF-8 bytes a string takes once embedded in a JSON document (quotes and escapes included). */
export function jsonBytes(s: string): number {
  return Buffer.byteLength(JSON.stringify(s), 'utf8');
}

/** Cuts one over-long block at code-point boundaries so each piece fits `budget` JSON bytes. */
function hardSplit(block: string, budget: number): string[] {
  const out: string[] = [];
  let cur = '';
  let curBytes = 2;
  for (const ch of block) {
    const b = jsonBytes(ch) - 2;
    if (curBytes + b > budget && cur) {
      out.push(cur);
      cur = '';
      curBytes = 2;
    }
    cur += ch;
    curBytes += b;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Packs blank-line-separated blocks (paragraphs, list items) into chunks whose
 * JSON size stays within `budget` bytes, breaking between blocks where it can,
 * then between lines, and inside a line only when one line alone is too long.
 */
export function splitBlocks(text: string, budget: number): string[] {
  // A UTF-16 unit takes at most 6 JSON bytes (a \u escape; 3 as UTF-8): a text within that bound needs no measuring.
  if (text.length * 6 + 2 <= budget || jsonBytes(text) <= budget) return [text];
  const pieces: string[] = [];
  for (const block of text.split('\n\n')) {
    if (jsonBytes(block) <= budget) pieces.push(block);
    else for (const line of block.split('\n')) pieces.push(...(jsonBytes(line) <= budget ? [line] : hardSplit(line, budget)));
  }
  const chunks: string[] = [];
  let cur = '';
  for (const p of pieces) {
    const next = cur ? `${cur}\n\n${p}` : p;
    if (cur && jsonBytes(next) > budget) {
      chunks.push(cur);
      cur = p;
    } else {
      cur = next;
    }
  }
  if (cur) chunks.push(cur);
  return chunks;
}
