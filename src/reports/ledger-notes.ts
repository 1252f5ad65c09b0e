/**
 * Notes ↔ the sheet's narrative columns. 整改进展 holds progress notes and
 * 佐证材料 evidence notes, latest first, one per line; a note written in chat
 * is shown as "2026年11月20日 王静：…", one from an import as its bare text,
 * so an exported sheet imports back to the same notes (and a re-import of
 * it adds none twice).
 */
import type { Note } from '../ledger/types.js';

import { IMPORT_AUTHOR } from '../ledger/deadline-truth.js';

/** Who an imported narrative is attributed to (defined beside the completion date it must not set). */
export { IMPORT_AUTHOR };

const LINE = /^(\d{4})年(\d{1,2})月(\d{1,2})日 ([^\s：:]{1,20})：(.+)$/;
const pad = (n: string) => n.padStart(2, '0');

function renderLine(n: Note): string {
  if (n.by === IMPORT_AUTHOR) return n.text;
  // The Shanghai calendar day of the note.
  const d = new Date(Date.parse(n.at) + 8 * 3600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${n.by}：${n.text}`;
}

/** The 整改进展 cell: progress notes, latest first, one per line. */
export function renderProgress(notes: Note[]): string {
  return notes.filter((n) => !n.evidence).map(renderLine).join('\n');
}

/** The 佐证材料 cell: evidence notes, latest first, one per line. */
export function renderEvidence(notes: Note[]): string {
  return notes.filter((n) => n.evidence).map(renderLine).join('\n');
}

/** The export's line counting uploaded evidence files; an import skips it (the files live in the bot, not the sheet). */
export const FILES_LINE = /^（已上传佐证文件\d+个）$/;

/** The 佐证材料 cell with the count of uploaded evidence files (src/evidence) after the notes. */
export function renderEvidenceWithFiles(notes: Note[], files = 0): string {
  const text = renderEvidence(notes);
  if (!files) return text;
  return `${text ? `${text}\n` : ''}（已上传佐证文件${files}个）`;
}

/**
 * Notes from one narrative cell: when every line reads as an exported note
 * ("2026年11月20日 王静：…") each becomes that note again; otherwise the cell is
 * one note (progress) or one note per line (evidence), attributed to the import.
 */
export function notesFromCell(cell: string, at: string, evidence: boolean): Note[] {
  const lines = cell.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !(evidence && FILES_LINE.test(l)));
  if (!lines.length) return [];
  const ev = evidence ? { evidence: true } : {};
  const parsed = lines.map((l) => l.match(LINE));
  if (parsed.some(Boolean)) {
    return lines.map((l, i) => {
      const m = parsed[i];
      if (!m) return { at, by: IMPORT_AUTHOR, text: l, ...ev };
      return { at: new Date(`${m[1]}-${pad(m[2])}-${pad(m[3])}T00:00:00+08:00`).toISOString(), by: m[4], text: m[5], ...ev };
    });
  }
  return evidence ? lines.map((text) => ({ at, by: IMPORT_AUTHOR, text, evidence: true })) : [{ at, by: IMPORT_AUTHOR, text: lines.join('\n') }];
}

/** A measure's notes from its row: the status cell's narrative, 整改进展, 佐证材料 (no text twice), latest first. */
export function rowNotes(r: { statusNote?: string; progress?: string; evidence?: string[] }, at: string): Note[] {
  const out: Note[] = [];
  const seen = new Set<string>();
  const add = (n: Note) => {
    const key = `${n.evidence ? 'e' : 'n'}:${n.text}`;
    if (!seen.has(key)) { seen.add(key); out.push(n); }
  };
  if (r.progress) notesFromCell(r.progress, at, false).forEach(add);
  if (r.statusNote) add({ at, by: IMPORT_AUTHOR, text: r.statusNote });
  if (r.evidence?.length) notesFromCell(r.evidence.join('\n'), at, true).forEach(add);
  // Stable sort: lines keep their order within one instant.
  return out.map((n, i) => [n, i] as const).sort((a, b) => (a[0].at < b[0].at ? 1 : a[0].at > b[0].at ? -1 : a[1] - b[1])).map(([n]) => n);
}
