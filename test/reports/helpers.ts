import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LedgerMeta } from '../../src/reports/ledger-build.js';

/** Bytes of a fixture under test/fixtures/reports. */
export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/reports/${name}`, import.meta.url)));
}

export const TODAY = '2025-01-10';
export const NOW = '2025-01-10T02:00:00.000Z';
export const meta = (ledgerId = 't1', extra: Partial<LedgerMeta> = {}): LedgerMeta => ({ ledgerId, now: NOW, ...extra });

/** A ledger CSV from a header and data lines (header is row 1). */
export const csv = (...lines: string[]) => lines.join('\n') + '\n';
export const HEAD = '编号,方面,问题,整改措施,类别,责任领导,责任部门,责任人,完成时限,状态';
