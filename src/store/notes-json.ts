import type { Note } from '../ledger/types.js';

/**
 * A measure's notes as the text stored in its hash (a JSON array, latest
 * first), worked on as text on the write path: a note is prepended without
 * decoding the list, and the notes are decoded only if someone reads them.
 */

/**
 * Makes `o.notes` decode `json` on first read (and keep the array; assigning
 * replaces it). Enumerable like the plain field, so copies and JSON see it.
 * (Redefining a field costs about a microsecond; hashToItem's lazyNotes builds
 * the accessor in the object literal instead.)
 */
export function lazyNotes<T extends { notes: Note[] }>(o: T, json: string): T {
  let notes: Note[] | undefined;
  Object.defineProperty(o, 'notes', {
    get: () => (notes ??= JSON.parse(json) as Note[]),
    set: (v: Note[]) => { Object.defineProperty(o, 'notes', { value: v, writable: true, enumerable: true, configurable: true }); },
    enumerable: true,
    configurable: true,
  });
  return o;
}

const COMMA = 44, QUOTE = 34, BACKSLASH = 92, LBRACKET = 91, RBRACKET = 93, LBRACE = 123, RBRACE = 125;

/**
 * Where the element at `index` of a JSON array text begins, counted at the top
 * level (the offset of the comma before it), or -1 if the array is shorter.
 */
function elementComma(json: string, index: number): number {
  let depth = 0, commas = 0, inString = false;
  for (let i = 1; i < json.length - 1; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === LBRACE || c === LBRACKET) depth++;
    else if (c === RBRACE || c === RBRACKET) depth--;
    else if (c === COMMA && depth === 0 && ++commas === index) return i;
  }
  return -1;
}

/**
 * The notes text `[note, ...list].slice(0, max)`: `noteJson` (one encoded
 * note) before the elements of `listJson`, the oldest dropped past `max`;
 * `dropped` is the text of the array of those dropped ('[]' if none).
 * A list not in JSON.stringify's compact form is decoded and encoded again.
 */
export function prependNote(noteJson: string, listJson: string, max: number): { json: string; dropped: string } {
  const { json, dropped } = prependParts(noteJson, listJson, max);
  return { json, dropped };
}

/**
 * How a write turns the stored list into the new one without sending the list back: the field
 * becomes `prefix`, then bytes `from`..`to` of its current value (1-based, inclusive, as Lua's
 * string.sub; `to` -1: to the end), then `suffix`. Only valid while the stored text is the one the
 * splice was computed from, so the write must be guarded by the hash's version.
 */
export interface Splice { prefix: string; from: number; to: number; suffix: string }

/** prependNote, and the splice that makes its `json` out of the stored `listJson` (null: send `json` whole). */
export function prependParts(noteJson: string, listJson: string, max: number): { json: string; dropped: string; splice: Splice | null } {
  const compact = listJson.length >= 2 && listJson.charCodeAt(0) === LBRACKET && listJson.charCodeAt(listJson.length - 1) === RBRACKET
    && (listJson.length === 2 || listJson.charCodeAt(1) === LBRACE);
  if (!compact || max < 2) {
    const all = [JSON.parse(noteJson) as Note, ...(JSON.parse(listJson) as Note[])];
    return { json: JSON.stringify(all.slice(0, max)), dropped: JSON.stringify(all.slice(max)), splice: null };
  }
  if (listJson.length === 2) return { json: `[${noteJson}]`, dropped: '[]', splice: null };
  const cut = elementComma(listJson, max - 1);
  const prefix = `[${noteJson},`;
  if (cut < 0) return { json: prefix + listJson.slice(1), dropped: '[]', splice: { prefix, from: 2, to: -1, suffix: '' } };
  const kept = listJson.slice(1, cut);
  return {
    json: `${prefix}${kept}]`, dropped: `[${listJson.slice(cut + 1)}`,
    splice: { prefix, from: 2, to: 1 + Buffer.byteLength(kept), suffix: ']' },
  };
}
