/**
 * Second pass: groups checked rows into aspects, problems and measures and
 * gives each its number — from the 编号 column, from the numbering written in
 * the texts, or else from row order — refusing contradictions.
 */
import type { Numbering } from '../ledger/types.js';
import { toChineseNumeral } from '../ledger/numerals.js';
import type { ImportError } from './csv.js';
import type { ParsedRow } from './ledger-rows.js';

interface Group {
  key: string;
  title: string;
  /** The first row's text as written (see ParsedRow.aspectHeading). */
  heading?: string;
  first: ParsedRow;
  no?: number;
  noAt?: ParsedRow;
}

/** An aspect, its problems and their measures (rows), numbered. */
export interface Structure {
  numbering: Numbering;
  aspects: Array<{ no: number; title: string; heading?: string }>;
  problems: Array<{ aspect: number; no: number; title: string; heading?: string; rows: Array<{ no: number; row: ParsedRow }> }>;
}

type Bad = (at: ParsedRow, message: string) => void;
/** "第3行", or "“反馈问题”表第3行" when the workbook has several sheets. */
type Loc = (r: ParsedRow) => string;

function claim(g: Group, n: number | undefined, at: ParsedRow, what: string, show: (n: number) => string, bad: Bad, loc: Loc): void {
  if (n === undefined) return;
  if (g.no === undefined) [g.no, g.noAt] = [n, at];
  else if (g.no !== n) bad(at, `${what}“${g.title}”在${loc(g.noAt!)}编为${show(g.no)}，这里却编为${show(n)}，前后矛盾。`);
}

/** Gives unnumbered groups the next free number after the one before them; reports clashes. */
function fill(groups: Group[], clash: (g: Group, other: Group) => void): void {
  const seen = new Map<number, Group>();
  for (const g of groups) {
    if (g.no === undefined) continue;
    const other = seen.get(g.no);
    if (other) clash(g, other);
    else seen.set(g.no, g);
  }
  let last = 0;
  for (const g of groups) {
    if (g.no === undefined) {
      let n = last + 1;
      while (seen.has(n)) n++;
      g.no = n;
      seen.set(n, g);
    }
    last = g.no;
  }
}

function getOrAdd<G extends Group>(m: Map<string, G>, key: string, make: () => G): G {
  let g = m.get(key);
  if (!g) m.set(key, (g = make()));
  return g;
}

/**
 * Problems restarting in a later aspect (a number not above every number of
 * the aspect before) mean per-aspect numbering, as in seed 003; numbers
 * running on mean global numbering, as in seed 002. A single aspect whose
 * 编号 names the aspect (一.3.2) is per-aspect too.
 */
export function detectNumbering(explicit: Array<{ aspect: number; no: number }>, oneAspectCodesNameIt: boolean): Numbering {
  const by = new Map<number, number[]>();
  for (const p of explicit) by.set(p.aspect, [...(by.get(p.aspect) ?? []), p.no]);
  const sorted = [...by.entries()].sort((a, b) => a[0] - b[0]).map(([, ns]) => ns);
  for (let i = 1; i < sorted.length; i++) {
    if (Math.min(...sorted[i]) <= Math.max(...sorted[i - 1])) return 'per-aspect';
  }
  return oneAspectCodesNameIt ? 'per-aspect' : 'global';
}

/** Numbers aspects, problems and measures; errors name the rows at fault. */
export function buildStructure(rows: ParsedRow[], fixed?: Numbering): { ok: true; s: Structure } | { ok: false; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const bad: Bad = (at, message) => errors.push({ row: at.row, message, ...(at.sheet?.name ? { sheet: at.sheet.name } : {}) });
  const several = new Set(rows.map((r) => r.sheet?.name)).size > 1;
  const loc: Loc = (r) => (several && r.sheet ? `“${r.sheet.name}”表第${r.row}行` : `第${r.row}行`);
  const cn = (n: number) => toChineseNumeral(n);
  const arabic = (n: number) => `第${n}号`;

  const aspects = new Map<string, Group>();
  for (const r of rows) {
    const g = getOrAdd(aspects, r.aspectKey, () => ({ key: r.aspectKey, title: r.aspectTitle, heading: r.aspectHeading, first: r }));
    const fromCode = r.code?.aspect;
    if (r.aspectNo && fromCode && r.aspectNo !== fromCode) {
      bad(r, `编号“${r.codeText}”属于第${cn(fromCode)}个方面，而“方面”栏写的是第${cn(r.aspectNo)}个方面。`);
    } else claim(g, r.aspectNo ?? fromCode, r, '方面', cn, bad, loc);
  }
  fill([...aspects.values()], (g, o) => bad(g.noAt!, `方面“${g.title}”与${loc(o.first)}的方面“${o.title}”都编为${cn(g.no!)}。`));

  type PGroup = Group & { aspect: number; rows: Array<Group & { row: ParsedRow }> };
  const problems = new Map<string, PGroup>();
  for (const r of rows) {
    const aspect = aspects.get(r.aspectKey)!.no!;
    const g = getOrAdd(problems, `${r.aspectKey}\n${r.problemKey}`, () => ({ key: r.problemKey, title: r.problemTitle, heading: r.problemHeading, first: r, aspect, rows: [] }));
    const fromCode = r.code?.problem;
    if (r.problemNo && fromCode && r.problemNo !== fromCode) {
      bad(r, `编号“${r.codeText}”属于第${fromCode}个问题，而“问题”栏写的是第${r.problemNo}个问题。`);
    } else claim(g, r.problemNo ?? fromCode, r, '问题', arabic, bad, loc);
    const m: Group & { row: ParsedRow } = { key: String(r.row), title: r.measureTitle, first: r, row: r };
    claim(m, r.code?.measure ?? r.measureNo, r, '措施', arabic, bad, loc);
    g.rows.push(m);
  }
  const all = [...problems.values()];
  const explicit = all.filter((p) => p.no !== undefined).map((p) => ({ aspect: p.aspect, no: p.no! }));
  const numbering = fixed ?? detectNumbering(explicit, aspects.size === 1 && rows.some((r) => r.code?.aspect !== undefined));
  const clashP = (g: Group, o: Group) => bad(g.noAt!, `问题“${g.title}”与${loc(o.first)}的问题“${o.title}”编号相同（${g.no}）。`);
  if (numbering === 'global') fill(all, clashP);
  else for (const a of aspects.values()) fill(all.filter((p) => p.aspect === a.no), clashP);
  for (const p of all) {
    fill(p.rows, (g, o) => bad(g.first, `编号与${loc(o.first)}重复：都是第${p.no}个问题的第${g.no}条措施。`));
  }
  if (errors.length) return { ok: false, errors };
  const s: Structure = {
    numbering,
    aspects: [...aspects.values()].map((a) => ({ no: a.no!, title: a.title, ...(a.heading ? { heading: a.heading } : {}) })).sort((x, y) => x.no - y.no),
    problems: all
      .map((p) => ({ aspect: p.aspect, no: p.no!, title: p.title, ...(p.heading ? { heading: p.heading } : {}), rows: p.rows.map((m) => ({ no: m.no!, row: m.row })).sort((x, y) => x.no - y.no) }))
      .sort((x, y) => x.aspect - y.aspect || x.no - y.no),
  };
  return { ok: true, s };
}
