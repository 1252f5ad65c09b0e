/**
 * The JSON ledger format: a LedgerDoc as exported, validated with zod and
 * checked for internal consistency (ids, codes, references) on import. It
 * keeps everything — notes, versions, timestamps — so it serves as a backup.
 */
import { z } from 'zod';
import type { LedgerDoc } from '../ledger/types.js';
import { KINDS, STATUSES } from '../ledger/types.js';
import { displayCode, itemId } from '../ledger/codes.js';
import { rollUp } from '../ledger/status.js';
import type { LedgerImportResult, LedgerMeta } from './ledger-build.js';

/** Format tag written into exported JSON. */
export const LEDGER_JSON_FORMAT = 'rectify-ledger';
export const LEDGER_JSON_VERSION = 1;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const names = z.array(z.string());
const status = z.enum(STATUSES);
const kind = z.enum(KINDS);
const pos = z.number().int().positive();

const deadline = z.discriminatedUnion('type', [
  z.object({ type: z.literal('date'), date }),
  z.object({ type: z.literal('immediate'), date: date.optional() }),
  z.object({ type: z.literal('longterm') }),
]);
const note = z.object({ at: z.string(), by: z.string(), text: z.string(), evidence: z.boolean().optional() });
const base = { id: z.string(), code: z.string(), title: z.string().min(1), aspect: pos };

/** zod schema of the exported JSON (format/version tags optional on import). */
export const ledgerDocSchema = z.object({
  format: z.literal(LEDGER_JSON_FORMAT).optional(),
  version: z.literal(LEDGER_JSON_VERSION).optional(),
  ledger: z.object({
    id: z.string(), title: z.string(), org: z.string(), inspectionType: z.enum(['巡视', '巡察']),
    inspectionGroup: z.string(), feedbackDate: date, numbering: z.enum(['per-aspect', 'global']),
    yellowDays: z.number().int().min(0), requireReview: z.boolean(), measureNoun: z.enum(['具体问题', '整改措施']).optional(),
    immediateDays: z.number().int().min(0).max(366).optional(), createdAt: z.string(),
  }),
  aspects: z.array(z.object({ ...base, level: z.literal('aspect'), heading: z.string().min(1).optional() })),
  problems: z.array(z.object({ ...base, level: z.literal('problem'), number: pos, kind, status, heading: z.string().min(1).optional() })),
  measures: z.array(z.object({
    ...base, level: z.literal('measure'), problemId: z.string(), number: pos, kind, leaders: names,
    departments: names, owners: names, deadline, status, notes: z.array(note), remark: z.string().optional(),
    extension: z.object({ date, reason: z.string(), by: z.string(), at: z.string() }).optional(),
    extended: z.number().int().min(0).optional(), createdAt: z.string(),
    updatedAt: z.string(), version: z.number().int().min(0),
  })).min(1),
});

/** Checks ids, codes and references against the numbering; returns Chinese messages. */
function consistency(doc: LedgerDoc): string[] {
  const out: string[] = [];
  const n = doc.ledger.numbering;
  const ids = new Set<string>();
  const once = (id: string, what: string) => (ids.has(id) ? out.push(`${what}的id“${id}”重复。`) : ids.add(id));
  const aspects = new Set(doc.aspects.map((a) => a.aspect));
  for (const a of doc.aspects) {
    once(a.id, `方面“${a.title}”`);
    if (a.id !== itemId(a.aspect) || a.code !== displayCode(n, a.aspect)) out.push(`方面“${a.title}”的id或编号与其序号${a.aspect}不符。`);
  }
  const problems = new Map(doc.problems.map((p) => [p.id, p]));
  for (const p of doc.problems) {
    once(p.id, `问题“${p.title}”`);
    if (!aspects.has(p.aspect)) out.push(`问题“${p.title}”所属的第${p.aspect}个方面不存在。`);
    if (p.id !== itemId(p.aspect, p.number) || p.code !== displayCode(n, p.aspect, p.number)) out.push(`问题“${p.title}”的id或编号与其序号不符。`);
  }
  for (const m of doc.measures) {
    once(m.id, `措施“${m.title}”`);
    const p = problems.get(m.problemId);
    if (!p) out.push(`措施${m.code}所属的问题${m.problemId}不存在。`);
    else if (m.aspect !== p.aspect || m.id !== itemId(p.aspect, p.number, m.number) || m.code !== displayCode(n, p.aspect, p.number, m.number)) {
      out.push(`措施“${m.title}”的id或编号与所属问题${p.code}不符。`);
    }
  }
  return out;
}

/**
 * Parses and validates an exported JSON ledger. `meta.ledgerId` replaces the
 * file's ledger id; other metadata given on the command line override the
 * file's. Problem statuses are rolled up again from their measures.
 */
export function parseLedgerJson(text: string, meta: LedgerMeta): LedgerImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return { ok: false, errors: [{ row: 0, message: `不是有效的 JSON：${(e as Error).message}` }] };
  }
  const r = ledgerDocSchema.safeParse(data, { error: z.locales.zhCN().localeError });
  if (!r.success) {
    return { ok: false, errors: r.error.issues.slice(0, 50).map((i) => ({ row: 0, message: `${i.path.join('.') || '（根）'}：${i.message}` })) };
  }
  const { format: _f, version: _v, ...parsed } = r.data;
  const doc: LedgerDoc = structuredClone(parsed);
  const problems = consistency(doc);
  if (problems.length) return { ok: false, errors: problems.map((message) => ({ row: 0, message })) };
  const warnings: string[] = [];
  const { ledgerId, now: _now, numbering: _n, ...overrides } = meta;
  doc.ledger = { ...doc.ledger, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)), id: ledgerId };
  for (const p of doc.problems) {
    const s = rollUp(doc.measures.filter((m) => m.problemId === p.id).map((m) => m.status));
    if (s !== p.status) {
      warnings.push(`问题${p.code}的状态由“${p.status}”按措施重新汇总为“${s}”。`);
      p.status = s;
    }
  }
  return { ok: true, doc, warnings };
}
