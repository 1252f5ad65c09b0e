import type { Services } from '../commands/types.js';
import { statusReport } from '../commands/status-report.js';
import { DomainError } from '../core/errors.js';
import { buildNotice, type NoticeModel, type NoticeOptions } from './model.js';

/**
 * The notice for a stored ledger at a date. The figures are the store's own
 * `statusReport` (counters and the deadline index), the very numbers
 * `rectify status --json` prints and the digest's headline uses.
 */
export async function loadNotice(
  services: Pick<Services, 'ledgers'>, ledgerId: string, asOf: string, o: Omit<NoticeOptions, 'status' | 'events'> = {},
): Promise<NoticeModel> {
  const doc = await services.ledgers.loadDoc(ledgerId);
  if (!doc) throw new DomainError('no_ledger', `台账 ${ledgerId} 不存在。`);
  const [status, events] = await Promise.all([
    statusReport(services, ledgerId, asOf, { ledger: doc.ledger, counters: await services.ledgers.counters(ledgerId) }),
    services.ledgers.events(ledgerId),
  ]);
  return buildNotice(doc, asOf, { ...o, status, events });
}
