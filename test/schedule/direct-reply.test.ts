import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../helpers/redis.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import { schedWorld, type SchedWorld } from './harness.js';

const sh = (s: string) => new Date(`${s}+08:00`);

/** The user directory is global: accounts other test files left under the demo names would be reached too. */
async function flushTestDb(): Promise<void> {
  const r = new Redis(testRedisUrl());
  await r.flushdb();
  r.disconnect();
}

describe('answering a 1:1 reminder right there (real Redis, console platform)', () => {
  let w: SchedWorld | undefined;
  beforeEach(flushTestDb);
  afterEach(async () => {
    await w?.closeAll();
    w = undefined;
  });

  it('the 1:1 reminder says to reply here; the reply in the 1:1 chat is recorded on the reminder’s ledger, though the person has two', async () => {
    w = await schedWorld({ at: '2021-08-31T02:00:00Z', config: { robotLimit: 600 } });
    // A second ledger: the demo owner (an all-ledgers 责任人) now takes part in two.
    await w.open.services.ledgers.saveDoc(buildDemoDoc(`${w.ledgerId}-b`));
    await w.service.subscribe((await w.open.services.directory.getBinding('console', w.chatId))!, '0 9 * * 1', { name: '王静' });
    await w.service.reachSettings.setMode(w.ledgerId, 'direct', { name: '王静' });
    w.startWorker();
    w.clock.set(sh('2021-09-10T09:30:01'));
    await w.scheduler('a').tick();
    await w.waitLog((es) => es.some((e) => e.kind === 'direct' && e.status === 'sent' && e.to === 'owner'));
    const reminder = w.console.sent.find((s) => s.chatId === '@owner')!;
    expect(reminder.markdown).toContain('可直接在这里回复我：发送“进展 二.1.1 说明”');
    expect(reminder.markdown).not.toContain('工作群');
    expect(await w.open.services.directory.privateLedger('console', 'owner')).toBe(w.ledgerId);

    const r = await w.pipeline.handle({
      platform: 'console', chatId: '@owner', chatType: 'private', messageId: randomUUID(), senderId: 'owner', text: '进展 二.1.1 已报区委组织部审批',
    });
    expect(r?.outcome?.kind).toBe('changed');
    const itemId = (await w.open.services.ledgers.resolveAlias(w.ledgerId, aliasOf(parseCode('二.1.1')!)))[0]!;
    expect((await w.open.services.ledgers.history(w.ledgerId, itemId)).at(-1)).toMatchObject({ action: '进展', actor: { userId: 'owner' } });
  });
});
