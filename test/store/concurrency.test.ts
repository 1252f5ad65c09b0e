import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { countAll } from '../../src/ledger/counters.js';
import { isClosed } from '../../src/ledger/status.js';
import { dayNumber } from '../../src/ledger/dates.js';
import { makeWorld, type World } from '../helpers/world.js';
import { TARGETS } from '../helpers/redis.js';

describe.each(TARGETS)('%s Redis', (target) => {
  let w: World;
  beforeAll(async () => { w = await makeWorld({ target }); });
  afterAll(async () => { await w.close(); });

  async function recountMatches() {
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const want = countAll(doc.problems, doc.measures);
    const have = await w.open.services.ledgers.counters(w.ledgerId);
    for (const [f, v] of Object.entries(want)) expect(have[f] ?? 0, f).toBe(v);
    for (const [f, v] of Object.entries(have)) expect(v, f).toBe(want[f] ?? 0);
    // Status sets and the deadline index agree with the items too.
    const g = await w.open.services.ledgers.generation(w.ledgerId);
    for (const m of doc.measures) {
      expect(await w.open.redis.sismember(g.byStatus(m.status), m.id)).toBe(1);
      const score = await w.open.redis.zscore(g.due, m.id);
      if (isClosed(m.status) || m.deadline.type === 'longterm') expect(score).toBeNull();
      else expect(Number(score)).toBe(dayNumber((m.deadline as { date: string }).date));
    }
    return doc;
  }

  const actor = { platform: 'console', userId: 'office', name: '王静' };

  describe('concurrent updates', () => {
    it('50 concurrent updates of different items: counters equal a recount, one audit event each', async () => {
      const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
      const before = (await w.open.services.ledgers.events(w.ledgerId)).length;
      const targets = Array.from({ length: 50 }, (_, i) => doc.measures[i % doc.measures.length]);
      const statuses = ['推进中', '待销号', '已完成', '基本完成', '阶段性完成'] as const;
      const results = await Promise.all(targets.map((m, i) =>
        w.open.services.changes.apply(w.ledgerId, m.id, actor, randomUUID(), () => ({ action: '进展', status: statuses[i % 5], note: `并发${i}` }))));
      expect(results.every((r) => r !== 'duplicate')).toBe(true);
      const after = await w.open.services.ledgers.events(w.ledgerId);
      expect(after.length - before).toBe(50);
      await recountMatches();
    });

    it('50 concurrent updates of one item: all applied in some order, versions strictly increase', async () => {
      const id = '2.1.1';
      const before = (await w.open.services.ledgers.history(w.ledgerId, id)).length;
      const v0 = (await w.open.services.ledgers.getItem(w.ledgerId, id)) as { version: number };
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        w.open.services.changes.apply(w.ledgerId, id, actor, randomUUID(), (m) => ({ action: '进展', status: i % 2 ? '推进中' : '基本完成', note: `n${i}:${m.version}` }))));
      const hist = await w.open.services.ledgers.history(w.ledgerId, id);
      expect(hist.length - before).toBe(50);
      const v1 = (await w.open.services.ledgers.getItem(w.ledgerId, id)) as { version: number };
      expect(v1.version - v0.version).toBe(50);
      // Each accepted change saw a distinct version: no lost update.
      const seen = new Set(results.map((r) => (r === 'duplicate' ? -1 : r.before.version)));
      expect(seen.size).toBe(50);
      // The chain of from→to statuses is continuous.
      const tail = hist.slice(before);
      for (let i = 1; i < tail.length; i++) expect(tail[i].from).toBe(tail[i - 1].to);
      await recountMatches();
    });

    it('a replayed message id changes nothing', async () => {
      const id = '1.3.1';
      const msgId = randomUUID();
      const first = await w.open.services.changes.apply(w.ledgerId, id, actor, msgId, () => ({ action: '退回', status: '推进中', note: 'x' }));
      expect(first).not.toBe('duplicate');
      const counters = await w.open.services.ledgers.counters(w.ledgerId);
      const again = await w.open.services.changes.apply(w.ledgerId, id, actor, msgId, () => ({ action: '完成', status: '待销号', note: 'y' }));
      expect(again).toBe('duplicate');
      expect(await w.open.services.ledgers.counters(w.ledgerId)).toEqual(counters);
      expect(((await w.open.services.ledgers.getItem(w.ledgerId, id)) as { status: string }).status).toBe('推进中');
    });
  });

  describe('the pipeline dedupes platform retries', () => {
    it('the same message id three times: applied once, answered once', async () => {
      const msg = { platform: 'console' as const, chatId: w.chatId, chatType: 'group' as const, messageId: `retry-${randomUUID()}`, senderId: 'office', text: '进展 三.1.1 第三次支部书记培训' };
      const before = (await w.open.services.ledgers.history(w.ledgerId, '3.1.1')).length;
      const replies = await Promise.all([w.pipeline.handle(msg), w.pipeline.handle(msg), w.pipeline.handle(msg)]);
      expect(replies.filter(Boolean).length).toBe(1);
      expect((await w.open.services.ledgers.history(w.ledgerId, '3.1.1')).length - before).toBe(1);
    });
  });
});
