/**
 * `ledger export --format csv|json`: a LedgerDoc as a table with the
 * canonical Chinese headers (one row per measure, in document order) or as
 * JSON. Exported CSV imports back to the same document.
 */
import type { LedgerDoc } from '../ledger/types.js';
import { formatDeadline } from '../ledger/dates.js';
import { aspectHeading, problemHeading } from '../ledger/codes.js';
import { writeCsv } from './csv.js';
import { LEDGER_HEADERS } from './ledger-columns.js';
import { LEDGER_JSON_FORMAT, LEDGER_JSON_VERSION } from './ledger-json.js';
import { renderEvidence, renderProgress } from './ledger-notes.js';

/** The canonical header row: 编号, 方面, 问题, 整改措施, 类别, 责任领导, 责任部门, 责任人, 完成时限, 状态, 整改进展, 佐证材料, 备注. */
export const LEDGER_HEADER_ROW: readonly string[] = LEDGER_HEADERS.map(([, h]) => h);

/**
 * One row per measure in document order (aspect, problem, measure number).
 * 方面 and 问题 are written as the ledger wrote them ("（一）…", "（3）…"),
 * or with the common numbering ("一、…", "3.…"); 编号 is the measure's display code.
 */
export function ledgerTable(doc: LedgerDoc): string[][] {
  const aspects = new Map(doc.aspects.map((a) => [a.aspect, a]));
  const problems = new Map(doc.problems.map((p) => [p.id, p]));
  const order = (id: string) => id.split('.').map(Number);
  const measures = [...doc.measures].sort((x, y) => {
    const [a, b] = [order(x.id), order(y.id)];
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  });
  const rows: string[][] = [];
  for (const m of measures) {
    const p = problems.get(m.problemId);
    const a = aspects.get(m.aspect);
    rows.push([
      m.code,
      a ? aspectHeading(a) : '',
      p ? problemHeading(p) : '',
      m.title,
      m.kind,
      m.leaders.join('、'),
      m.departments.join('、'),
      m.owners.join('、'),
      formatDeadline(m.deadline),
      m.status,
      renderProgress(m.notes),
      renderEvidence(m.notes),
      m.remark ?? '',
    ]);
  }
  return rows;
}

/** The ledger as CSV (UTF-8 with BOM, CRLF): the title row (when the ledger has a title of its own), then the header. */
export function exportLedgerCsv(doc: LedgerDoc): string {
  const title = doc.ledger.title && doc.ledger.title !== doc.ledger.id ? [[doc.ledger.title]] : [];
  return writeCsv([...title, [...LEDGER_HEADER_ROW], ...ledgerTable(doc)]);
}

/** The ledger as pretty-printed JSON with a format tag; {@link parseLedgerJson} reads it back. */
export function exportLedgerJson(doc: LedgerDoc): string {
  return JSON.stringify({ format: LEDGER_JSON_FORMAT, version: LEDGER_JSON_VERSION, ...doc }, null, 2) + '\n';
}
