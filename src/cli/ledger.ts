import type { Command } from 'commander';

/** `ledger import|export` and `users import` (wired to src/reports/ parsers). */
export function registerLedgerCli(_program: Command): void {
  // Filled in once the file-format parsers land.
}
