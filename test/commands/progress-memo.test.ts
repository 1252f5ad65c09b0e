import { afterEach, describe, expect, it } from 'vitest';
import { sayUnremembered, textOf, worldsPerTest, type World } from '../helpers/world.js';
import { TARGETS, testTarget, type Target } from '../helpers/redis.js';
import { openServices } from '../../src/app/services.js';
import { createPipeline } from '../../src/pipeline/pipeline.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { dayNumber } from '../../src/ledger/dates.js';

// 进度 remembers its answer with the digest of the figures it was built from (SHA-1 in the read script) and
// uses it again only when the store says, in the same round trip, that the digest is unchanged.
describe.each(TARGETS)('进度 answered again from memory only while the ledger is unchanged (%s)', (target) => {
  const world = worldsPerTest(target, afterEach);

  const text = textOf;
  const fresh = sayUnremembered;

  it('the answer is remembered and used again only when the store confirms its figures are unchanged', async () => {
    const w = await world();
    const answers = w.open.services.answers!;
    const t1 = await text(w, 'viewer', '进度');
    expect(t1).toContain('共8个问题、21条整改措施');
    expect(answers.size).toBe(1);
    const t2 = await text(w, 'viewer', '进度');
    expect(t2).toBe(t1);
    expect(answers.size).toBe(1);
    expect(t1).toBe(await fresh(w)('viewer', '进度'));
    // The store confirms the remembered version without sending the figures again.
    const today = dayNumber('2021-09-25');
    const read = await w.open.services.ledgers.progressFigures(w.ledgerId, today - 1, today, today + 10);
    expect('version' in read && read.version).toMatch(/^[0-9a-f]{40}$/);
    const version = (read as { version: string }).version;
    await expect(w.open.services.ledgers.progressFigures(w.ledgerId, today - 1, today, today + 10, version))
      .resolves.toEqual({ unchanged: true, version });
    // Other deadline bounds are other figures.
    await expect(w.open.services.ledgers.progressFigures(w.ledgerId, today + 10, today, today + 10, version))
      .resolves.toMatchObject({ red: 1 });
  });

  it('figures changed behind the store’s back (no audit event, no new generation) are still seen', async () => {
    const w = await world();
    const t1 = await text(w, 'viewer', '进度');
    const g = (await w.open.services.ledgers.generation(w.ledgerId)).gen;
    const prefix = g > 0 ? `rb:{${w.ledgerId}}:g${g}:` : `rb:{${w.ledgerId}}:`;
    // An aspect's title, then a counter, as any other writer could change them.
    await w.open.redis.hset(`${prefix}i:2`, 'title', '聚焦群众身边的突出问题');
    const t2 = await text(w, 'viewer', '进度');
    expect(t2).not.toBe(t1);
    expect(t2).toContain('聚焦群众身边的突出问题');
    await w.open.redis.hincrby(`${prefix}cnt`, 'x:pending', 2);
    const t3 = await text(w, 'viewer', '进度');
    expect(t3).toContain('申请延期待审批 **2** 项'.replaceAll('**', ''));
    expect(t3).toBe(await fresh(w)('viewer', '进度'));
  });

  it('a change by this instance or by another one is in the next 进度', async () => {
    const w = await world();
    await text(w, 'owner', '进展 二.1.1 任免手续已报区委组织部');
    const before = await text(w, 'viewer', '进度');
    expect(before).toContain('完成率 95.2%');
    expect(await text(w, 'owner', '完成 二.1.1 任免手续已办结')).toMatch(/已完成|待销号/);
    const afterOwn = await text(w, 'viewer', '进度');
    expect(afterOwn).not.toBe(before);
    expect(afterOwn).toBe(await fresh(w)('viewer', '进度'));
    // Another instance (its own services on the same Redis) sends the measure back.
    const peer = await makePeer(w, target);
    try {
      const r = await peer('office', '退回 二.1.1 材料不全，请补充');
      expect(r).toContain('退回');
      const afterPeer = await text(w, 'viewer', '进度');
      expect(afterPeer).not.toBe(afterOwn);
      expect(afterPeer).toBe(await fresh(w)('viewer', '进度'));
    } finally {
      await peer.close();
    }
  });

  it('a re-import (a new generation) and the next day are answered afresh', async () => {
    const w = await world();
    await text(w, 'owner', '进展 二.1.1 任免手续已报区委组织部');
    const t1 = await text(w, 'viewer', '进度');
    expect(t1).toContain('10天内到期 1 项');
    // The next calendar days: the measure due 2021-09-30 turns overdue.
    w.clock.advance(6 * 86_400_000);
    const later = await text(w, 'viewer', '进度');
    expect(later).toContain('逾期 **1** 项'.replaceAll('**', ''));
    expect(later).toBe(await fresh(w)('viewer', '进度'));
    w.clock.advance(-6 * 86_400_000);
    expect(await text(w, 'viewer', '进度')).toBe(t1);
    // A re-import with another title: a new generation, so nothing remembered is used.
    const doc = buildDemoDoc(w.ledgerId);
    doc.ledger.title = `${doc.ledger.title}（复核版）`;
    await w.open.services.ledgers.saveDoc(doc);
    const after = await text(w, 'viewer', '进度');
    expect(after).toContain('（复核版）');
    expect(after).toBe(await fresh(w)('viewer', '进度'));
  });

  it('a remembered answer cannot be changed by whoever receives it', async () => {
    const w = await world();
    await text(w, 'viewer', '进度');
    const [entry] = [...w.open.services.answers!.values()];
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry!.mentions)).toBe(true);
  });
});

/** A second instance's pipeline on the same Redis as `w` (its own services, hence its own memory). */
async function makePeer(w: World, target: Target) {
  const open = await openServices({ redisUrl: testTarget(target), clock: w.clock });
  const p = createPipeline({ services: open.services, logger: silentLogger(), metrics: new Metrics(), claim: open.claim });
  const say = async (who: string, msg: string) => (await p.handle({ platform: 'console', chatId: w.chatId, chatType: 'group', messageId: `p-${Math.random()}`, senderId: who, text: msg }))?.text ?? '';
  return Object.assign(say, { close: () => open.close() });
}
