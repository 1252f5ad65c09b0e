import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, Reply } from '../../src/core/message.js';
import type { InboundService } from '../../src/inbound/index.js';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { inboundKeys, partitionOf } from '../../src/store/inbound-store.js';
import { testInbound } from '../helpers/inbound.js';
import { testTarget, TARGETS } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const msg = (chatId: string, text: string): IncomingMessage => ({
  platform: 'console', chatId, chatType: 'group', messageId: randomUUID(), senderId: 'office', text,
});
const answer = (text: string): Reply => ({ title: 't', markdown: text, text, mentions: [] });
const held = { passive: false, admit: true, data: {} };

/** A promise we can watch: whether it has settled, and with what. */
function watch<T>(p: Promise<T>) {
  const w = { settled: false, value: undefined as T | undefined, p };
  p.then((v) => { w.settled = true; w.value = v; }, () => { w.settled = true; });
  return w;
}

/** Runs that block until the test lets each go, in order. */
function gatedRuns() {
  const waiting: Array<() => void> = [];
  const ran: string[] = [];
  return {
    ran,
    waiting,
    run: async (m: IncomingMessage) => {
      await new Promise<void>((r) => waiting.push(r));
      ran.push(m.messageId);
      return answer(`收到 ${m.text}`);
    },
    release: () => waiting.shift()!(),
  };
}

describe.each(TARGETS)('acknowledgement backpressure (%s)', (target) => {
  const open: InboundService[] = [];
  const clients: RedisClient[] = [];
  const client = async () => {
    const r = connectRedis(testTarget(target));
    await waitReady(r);
    clients.push(r);
    return r;
  };
  const start = async (o: Omit<Parameters<typeof testInbound>[0], 'redis' | 'target'>) => {
    const q = await testInbound({ ...o, redis: await client(), target: testTarget(target) });
    open.push(q);
    return q;
  };
  afterEach(async () => {
    for (const q of open.splice(0)) await q.stop().catch(() => undefined);
    for (const c of clients.splice(0)) c.disconnect();
  });

  /** What Redis holds for a queue: stream length, finished counter, each message's record state. */
  const state = async (namespace: string, chat: string, ids: string[]) => {
    const r = await client();
    const k = inboundKeys(namespace);
    const n = partitionOf('console', chat);
    const records = await Promise.all(ids.map(async (id) => JSON.parse((await r.get(k.record(n, 'console', id))) ?? 'null')?.s ?? null));
    return { length: await r.xlen(k.stream(n)), done: Number((await r.get(k.done(n))) ?? 0), records };
  };

  it('holds the acknowledgements over the backlog bound until the partition has worked down to it, losing and doubling nothing', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const g = gatedRuns();
    const q = await start({ namespace, run: g.run, admitBacklog: 2, admitWaitMs: 60_000 });
    const sent: string[] = [];
    q.onDeliver('console', async (_r, reply) => { sent.push(reply.text); });
    const ms = Array.from({ length: 5 }, (_, i) => msg('chat-burst', `进展 一.1.${i + 1} 推进`));
    const acks = [];
    for (const m of ms) {
      const a = watch(q.submit(m, held));
      acks.push(a);
      // Each persisted before the next is sent (its position in the partition is then known).
      await waitFor(async () => (await state(namespace, 'chat-burst', [m.messageId])).records[0] === 'queued', { what: 'the message kept' });
    }
    // Two or fewer waiting before them: acknowledged at once; three and four waiting: held.
    await Promise.all(acks.slice(0, 3).map((a) => a.p));
    expect(acks.map((a) => a.settled)).toEqual([true, true, true, false, false]);
    // All five are kept in Redis while two acknowledgements are held; nothing is finished yet.
    expect(await state(namespace, 'chat-burst', ms.map((m) => m.messageId))).toEqual({ length: 5, done: 0, records: Array(5).fill('queued') });

    await waitFor(() => g.waiting.length === 1, { what: 'the first run' });
    g.release();
    // One finished: the fourth had three ahead, now two: released; the fifth still has three.
    expect(await acks[3]!.p).toBe('accepted');
    expect(acks[4]!.settled).toBe(false);
    expect((await state(namespace, 'chat-burst', [])).done).toBe(1);

    await waitFor(() => g.waiting.length === 1, { what: 'the second run' });
    g.release();
    expect(await acks[4]!.p).toBe('accepted');
    for (let i = 0; i < 3; i++) {
      await waitFor(() => g.waiting.length === 1, { what: 'the next run' });
      g.release();
    }
    await q.drain();
    expect(acks.map((a) => a.value)).toEqual(Array(5).fill('accepted'));
    expect(g.ran).toEqual(ms.map((m) => m.messageId));
    expect(sent).toEqual(ms.map((m) => `收到 ${m.text}`));
    expect(await state(namespace, 'chat-burst', ms.map((m) => m.messageId))).toEqual({ length: 0, done: 5, records: Array(5).fill('done') });
    expect(q.gate.held).toEqual({ released: 2, timeout: 0 });
  });

  it('lets a held acknowledgement go after the longest wait, the message kept and applied once later', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const ran: string[] = [];
    const q = await start({ namespace, autoStart: false, admitBacklog: 1, admitWaitMs: 150, run: async (m) => { ran.push(m.messageId); return answer('好'); } });
    q.onDeliver('console', async () => undefined);
    const ms = Array.from({ length: 3 }, (_, i) => msg('chat-wait', `进度${i}`));
    const results = [];
    for (const m of ms) results.push(await q.submit(m, held));
    // Nobody applies the partition: the third waited its longest and was acknowledged anyway.
    expect(results).toEqual(['accepted', 'accepted', 'accepted']);
    expect(q.gate.held).toEqual({ released: 0, timeout: 1 });
    expect(await state(namespace, 'chat-wait', ms.map((m) => m.messageId))).toEqual({ length: 3, done: 0, records: Array(3).fill('queued') });
    await q.start();
    await q.drain();
    expect(ran).toEqual(ms.map((m) => m.messageId));
    expect(await state(namespace, 'chat-wait', ms.map((m) => m.messageId))).toEqual({ length: 0, done: 3, records: Array(3).fill('done') });
  });

  it('an instance that does not apply the partition is released by the counter another instance advances', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const g = gatedRuns();
    const worker = await start({ namespace, run: g.run });
    worker.onDeliver('console', async () => undefined);
    const front = await start({ namespace, work: false, admitBacklog: 1, admitWaitMs: 60_000, run: async () => null });
    const ms = Array.from({ length: 3 }, (_, i) => msg('chat-remote', `进展 一.1.${i + 1} 推进`));
    expect(await front.submit(ms[0]!, held)).toBe('accepted');
    expect(await front.submit(ms[1]!, held)).toBe('accepted');
    const third = watch(front.submit(ms[2]!, held));
    await waitFor(async () => (await state(namespace, 'chat-remote', [ms[2]!.messageId])).records[0] === 'queued', { what: 'the third kept' });
    await waitFor(() => g.waiting.length === 1, { what: 'the first run' });
    expect(third.settled).toBe(false);
    g.release();
    expect(await third.p).toBe('accepted');
    expect(front.gate.held).toEqual({ released: 1, timeout: 0 });
    for (let i = 0; i < 2; i++) {
      await waitFor(() => g.waiting.length === 1, { what: 'the next run' });
      g.release();
    }
    await worker.drain();
    expect(g.ran).toEqual(ms.map((m) => m.messageId));
    expect(await state(namespace, 'chat-remote', ms.map((m) => m.messageId))).toEqual({ length: 0, done: 3, records: Array(3).fill('done') });
  });

  it('never holds a route that does not allow it, and refuses as full at the hard bound', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const q = await start({ namespace, work: false, maxBacklog: 4, admitBacklog: 1, admitWaitMs: 60_000, run: async () => null });
    const ms = Array.from({ length: 5 }, (_, i) => msg('chat-full', `进度${i}`));
    const results = [];
    for (const m of ms) results.push(await q.submit(m, { passive: false, data: {} }));
    expect(results).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'full']);
    expect(q.gate.held).toEqual({ released: 0, timeout: 0 });
    expect(await state(namespace, 'chat-full', ms.map((m) => m.messageId))).toEqual({ length: 4, done: 0, records: ['queued', 'queued', 'queued', 'queued', null] });
    // At the hard bound a route that may be held is refused at once as well, and nothing kept.
    const extra = msg('chat-full', '进度5');
    expect(await q.submit(extra, held)).toBe('full');
    expect(await state(namespace, 'chat-full', [extra.messageId])).toEqual({ length: 4, done: 0, records: [null] });
  });
});
