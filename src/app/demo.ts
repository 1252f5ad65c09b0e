import type { Services } from '../commands/types.js';
import { buildDemoDoc, DEMO_LEDGER_ID, DEMO_USERS } from '../ledger/demo.js';
import type { User } from '../store/directory.js';

/** Loads the demo ledger (seed 003), its users and the console chat `demo`; a reset starts it afresh, history included. */
export async function loadDemo(services: Services, opts: { reset?: boolean } = {}): Promise<'loaded' | 'exists'> {
  const exists = await services.ledgers.getLedger(DEMO_LEDGER_ID);
  if (exists && !opts.reset) return 'exists';
  await services.ledgers.saveDoc(buildDemoDoc(), { actor: 'demo', note: '载入演示台账' }, { wipeHistory: true });
  await services.directory.putUsers(DEMO_USERS.map((u) => ({ ...u })) as User[]);
  const prev = await services.directory.getBinding('console', 'demo');
  await services.directory.bind({
    platform: 'console', chatId: 'demo', ledgerId: DEMO_LEDGER_ID, channel: {}, schedule: prev?.schedule,
    boundAt: services.clock.now().toISOString(), boundBy: 'demo',
  });
  return 'loaded';
}
