import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { countAll } from '../../src/ledger/counters.js';
import type { LedgerDoc } from '../../src/ledger/types.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { parseLedgerCsv } from '../../src/reports/ledger-import.js';
import { exportLedgerCsv } from '../../src/reports/ledger-export.js';
import { TARGETS, testTarget } from '../helpers/redis.js';
import { TODAY, fixture, meta } from './helpers.js';

const imported = (name: string, ledgerId: string): LedgerDoc => {
  const r = parseLedgerCsv(fixture(name), meta(ledgerId), TODAY);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
};

/** Imports go all the way into Redis and come back out unchanged, on a single server and on a cluster. */
describe.each(TARGETS)('ledger import into %s Redis', (target) => {
  let open: OpenServices;
  beforeAll(async () => { open = await openServices({ redisUrl: testTarget(target) }); });
  afterAll(async () => { await open.close(); });

  it.each(['seed003-per-aspect.csv', 'seed002-global.csv', 'seed002-serial.csv'])('%s: save → load gives the same document, counters and list', async (name) => {
    const L = `rt-${randomUUID().slice(0, 8)}`;
    const doc = imported(name, L);
    await open.services.ledgers.saveDoc(doc, { actor: 'cli', note: name });
    expect(await open.services.ledgers.loadDoc(L)).toEqual(doc);
    expect(await open.services.ledgers.counters(L)).toEqual(countAll(doc.problems, doc.measures));
    expect(await open.services.ledgers.listLedgers()).toContain(L);
    // The exported CSV of what Redis holds imports to the same document again.
    const again = parseLedgerCsv(exportLedgerCsv((await open.services.ledgers.loadDoc(L))!), meta(L), TODAY);
    expect(again.ok && again.doc).toEqual(doc);
  });

  it('a re-import of the demo ledger replaces the previous one completely', async () => {
    const L = `rt-${randomUUID().slice(0, 8)}`;
    await open.services.ledgers.saveDoc(imported('seed002-global.csv', L));
    const demo = buildDemoDoc(L);
    await open.services.ledgers.saveDoc(demo);
    expect(await open.services.ledgers.loadDoc(L)).toEqual(demo);
  });
});
