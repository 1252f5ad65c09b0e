import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, Reply } from '../../src/core/message.js';
import type { InboundService } from '../../src/inbound/index.js';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { testInbound } from '../helpers/inbound.js';
import { inboundKeys, partitionOf } from '../../src/store/inbound-store.js';
import { testTarget, TARGETS } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { makeWorld } from '../helpers/world.js';

const msg = (chatId: string, text: string, over: Partial<IncomingMessage> = {}): IncomingMessage => ({
  platform: 'console', chatId, chatType: 'group', messageId: randomUUID(), senderId: 'office', text, ...over,
});
const answer = (text: string): Reply => ({ title: 't', markdown: text, text, mentions: [] });
const route = { passive: false, data: {} };

describe.each(TARGETS)('durable inbound queue (%s)', (target) => {
  const open: Array<{ stop(): Promise<void> }> = [];
  const clients: RedisClient[] = [];
  const client = async () => {
    const r = connectRedis(testTarget(target));
    await waitReady(r);
    clients.push(r);
    return r;
  };
  const start = async (o: Parameters<typeof testInbound>[0] extends infer P ? Omit<P & object, 'redis' | 'target'> & { redis?: RedisClient } : never) => {
    const q = await testInbound({ ...o, redis: o.redis ?? (await client()), target: testTarget(target) });
    open.push(q);
    return q;
  };
  afterEach(async () => {
    for (const q of open.splice(0)) await q.stop().catch(() => undefined);
    for (const c of clients.splice(0)) c.disconnect();
  });

  it('applies one chat\'s messages one at a time, in arrival order, and answers each once', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const q = await start({
      run: async (m) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        seen.push(m.text);
        inFlight--;
        return answer(`收到 ${m.text}`);
      },
    });
    const sent: string[] = [];
    q.onDeliver('console', async (_r, reply) => { sent.push(reply.text); });
    const texts = Array.from({ length: 40 }, (_, i) => `进展 一.1.1 第${i}条`);
    for (const t of texts) expect(await q.submit(msg('chat-order', t), route)).toBe('accepted');
    await q.drain();
    expect(seen).toEqual(texts);
    expect(maxInFlight).toBe(1);
    expect(sent.sort()).toEqual(texts.map((t) => `收到 ${t}`).sort());
  });

  it('keeps a retried message once and remembers its answer', async () => {
    let runs = 0;
    const q = await start({ run: async () => { runs++; return answer('好的'); } });
    q.onDeliver('console', async () => undefined);
    const m = msg('chat-dup', '进度');
    expect(await q.submit(m, route)).toBe('accepted');
    expect(await q.submit(m, route)).toBe('duplicate');
    await q.drain();
    expect(await q.submit(m, route)).toBe('duplicate');
    await q.drain();
    expect(runs).toBe(1);
    expect(await q.store.record('console', m.chatId, m.messageId)).toMatchObject({ s: 'done', reply: { text: '好的' } });
  });

  it('refuses as full only when the partition backlog is really at its bound, and keeps nothing then', async () => {
    const q = await start({ run: async () => null, work: false, maxBacklog: 3 });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await q.submit(msg('chat-full', `进度${i}`), route));
    expect(results).toEqual(['accepted', 'accepted', 'accepted', 'full']);
    expect(await q.store.backlog()).toBe(3);
  });

  it('a message taken by an instance that dies is applied by the next holder of its partition', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const doomedClient = await client();
    let started = false;
    // Instance A takes the message and hangs in it; then its Redis connection is cut (the process "dies").
    // Not in `open`: a dead instance is never stopped, its hung work never finishes.
    const a = await testInbound({
      namespace, redis: doomedClient, target: testTarget(target), leaseMs: 600,
      run: async () => { started = true; return new Promise<Reply>(() => undefined); },
    });
    const m = msg('chat-crash', '完成 一.1.1 已印发');
    expect(await a.submit(m, route)).toBe('accepted');
    await waitFor(() => started, { what: 'A took the message' });
    doomedClient.disconnect();
    await a.replies.close(); // its reply sender goes with it
    const ran: string[] = [];
    const b = await start({ namespace, leaseMs: 600, autoStart: false, run: async (x) => { ran.push(x.messageId); return answer('已记录'); } });
    const sent: string[] = [];
    b.onDeliver('console', async (_r, reply) => { sent.push(reply.text); });
    await b.start();
    await waitFor(() => sent.length === 1, { timeoutMs: 10_000, what: 'B answered the pending message' });
    expect(ran).toEqual([m.messageId]);
    await b.drain();
    expect(sent).toEqual(['已记录']);
  });

  it('a lost stream (Redis restarted without AOF, a flush, a failover) is made again with its group: new messages are still applied', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const ran: string[] = [];
    const q = await start({ namespace, run: async (m) => { ran.push(m.text); return answer('好'); } });
    q.onDeliver('console', async () => undefined);
    await q.submit(msg('chat-lost', '进度'), route);
    await q.drain();
    const r = await client();
    const streamKey = inboundKeys(namespace).stream(partitionOf('console', 'chat-lost'));
    expect(await r.del(streamKey)).toBe(1);
    await q.submit(msg('chat-lost', '逾期'), route);
    await waitFor(() => ran.includes('逾期'), { timeoutMs: 10_000, what: 'the message after the stream was lost' });
    expect(ran).toEqual(['进度', '逾期']);
  });

  it('a holder whose lease was taken stops reading that partition and cannot finish its entries', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const ran: string[] = [];
    const q = await start({ namespace, leaseMs: 900, run: async (m) => { ran.push(m.text); return answer('好'); } });
    q.onDeliver('console', async () => undefined);
    const n = partitionOf('console', 'chat-fence');
    const lease = inboundKeys(namespace).lease(n);
    const r = await client();
    await waitFor(async () => (await r.get(lease)) !== null, { timeoutMs: 10_000, what: 'the queue to hold the partition' });
    await r.set(lease, 'another-instance', 'PX', 3_000); // someone else holds it now
    await waitFor(() => !q.worker!.owned().includes(n), { timeoutMs: 5_000, what: 'the holder to give the partition up' });
    await q.submit(msg('chat-fence', '进度'), route);
    await new Promise((res) => setTimeout(res, 1_000)); // explicit: proves nothing runs while another instance holds it
    expect(ran).toEqual([]);
    await waitFor(() => ran.length === 1, { timeoutMs: 10_000, what: 'the message once the lease is free again' });
    expect(ran).toEqual(['进度']);
  });

  it('a passive answer taken in time is not sent again; one not taken goes out through the queue', async () => {
    const q = await start({ run: async (m) => { if (m.text === '慢') await new Promise((r) => setTimeout(r, 300)); return answer(`答:${m.text}`); } });
    const sent: string[] = [];
    q.onDeliver('console', async (_r, reply) => { sent.push(reply.text); });
    const fast = msg('chat-passive', '快');
    await q.submit(fast, { passive: true, budgetMs: 200, data: {} });
    expect(await q.takeAnswer(fast, 2_000)).toMatchObject({ text: '答:快' });
    expect(await q.takeAnswer(fast, 100)).toMatchObject({ text: '答:快' }); // a retry of the callback: same answer
    const slow = msg('chat-passive', '慢');
    await q.submit(slow, { passive: true, budgetMs: 100, data: {} });
    expect(await q.takeAnswer(slow, 100)).toBeNull();
    await q.drain();
    expect(sent).toEqual(['答:慢']);
    // Once sent late, a retried callback does not answer passively as well.
    expect(await q.takeAnswer(slow, 100)).toBeNull();
  });

  it('a write run again with the same message id (its answer lost in a crash) changes nothing and confirms the state', async () => {
    const world = await makeWorld({ target });
    try {
      const m = msg(world.chatId, '进展 一.1.1 已召开专题会议', { senderId: 'office' });
      const before = (await world.open.services.ledgers.events(world.ledgerId)).length;
      const first = await world.pipeline.run(m);
      const again = await world.pipeline.run(m);
      expect(first!.text).toContain('一.1.1');
      expect(again!.text).toContain('一.1.1');
      expect(again!.text).not.toContain('处理过了');
      expect((await world.open.services.ledgers.events(world.ledgerId)).length - before).toBe(1);
    } finally {
      await world.close();
    }
  });

  it('50 concurrent writers to one item (50 chats of one ledger) all land: no "busy" refusal', async () => {
    const world = await makeWorld({ target });
    try {
      const chats = Array.from({ length: 50 }, (_, i) => `w50-${world.ledgerId}-${i}`);
      for (const chatId of chats) {
        await world.open.services.directory.bind({ platform: 'console', chatId, ledgerId: world.ledgerId, channel: {}, boundAt: new Date().toISOString() });
      }
      const q = await start({ run: (m) => world.pipeline.run(m) });
      const replies: string[] = [];
      q.onDeliver('console', async (_r, reply) => { replies.push(reply.text); });
      const before = (await world.open.services.ledgers.events(world.ledgerId)).length;
      await Promise.all(chats.map((chatId, i) => q.submit(msg(chatId, `进展 一.1.1 第${i}次推进`), route)));
      await q.drain(30_000);
      const events = (await world.open.services.ledgers.events(world.ledgerId)).slice(before);
      expect(events.filter((e) => e.code === '一.1.1')).toHaveLength(50);
      expect(replies).toHaveLength(50);
      expect(replies.filter((t) => /繁忙|多人同时修改|出错/.test(t))).toEqual([]);
    } finally {
      await world.close();
    }
  });
});
