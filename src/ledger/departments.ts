import { normalizeInput } from './normalize.js';

/** Department aliases of one ledger: short name → the name its cells use. */
export type DeptAliases = Record<string, string>;

/** The name the ledger uses for a department written as an alias (审管办 → 审判管理办公室). */
export function canonicalDept(name: string, aliases: DeptAliases): string {
  const n = normalizeInput(name);
  return aliases[n] ?? n;
}

/**
 * Reads alias pairs as the CLI and alias files write them: "审管办=审判管理办公室",
 * "审管办：审判管理办公室", or two CSV cells. An alias that names itself or
 * chains to another alias is refused, so a lookup is always one step.
 */
export function parseAliasPairs(lines: string[]): { ok: true; aliases: DeptAliases } | { ok: false; error: string } {
  const out: DeptAliases = {};
  for (const raw of lines) {
    const line = normalizeInput(raw);
    if (!line || /^(?:简称|别名|alias)(?:[\s,，=:：]|$)/i.test(line)) continue;
    const m = line.match(/^([^=:：,，\s]+)\s*[=:：,，\s]\s*(.+)$/);
    if (!m) return { ok: false, error: `无法识别“${line}”，请写成 简称=全称，如：审管办=审判管理办公室。` };
    const [alias, full] = [m[1].trim(), m[2].trim()];
    if (alias === full) return { ok: false, error: `“${alias}”不能作为自身的简称。` };
    out[alias] = full;
  }
  for (const [a, f] of Object.entries(out)) {
    if (out[f]) return { ok: false, error: `“${a}”指向的“${f}”本身也是简称，请直接写全称。` };
  }
  return { ok: true, aliases: out };
}
