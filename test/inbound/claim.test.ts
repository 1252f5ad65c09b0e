import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, Reply } from '../../src/core/message.js';
import { GROUP, InboundStore, inboundKeys, partitionOf, type InboundEntry } from '../../src/store/inbound-store.js';
import { testBed, testInbound } from '../helpers/inbound.js';
import { testTarget, TARGETS } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const msg = (chatId: string, text: string): IncomingMessage => ({
  platform: 'console', chatId, chatType: 'group', messageId: randomUUID(), senderId: 'office', text,
});
const entry = (m: IncomingMessage): InboundEntry => ({ msg: m as unknown as InboundEntry['msg'], route: { to: m.messageId }, at: Date.now(), passive: false });
const answer = (text: string): Reply => ({ title: 't', markdown: text, text, mentions: [] });
const route = { passive: false, data: {} };

/**
 * The holder of a partition takes the entries its own submits persist in hand in the same script
 * (no read back); entries other instances submit still come through its reader. Stream order,
 * exactly-once and recovery hold across both ways.
 */
describe.each(TARGETS)('entries claimed by the holder\'s own submits (%s)', (target) => {
  const bed = testBed(() => testTarget(target));
  const { open, client } = bed;
  afterEach(bed.close);

  it('a submit by the lease holder takes its entry and the unread ones before it, after the last delivered id; others take nothing', async () => {
    const redis = await client();
    const ns = `t${randomUUID().slice(0, 8)}:`;
    const store = new InboundStore(redis, { namespace: ns });
    const chat = `chat-${randomUUID().slice(0, 6)}`;
    const n = partitionOf('console', chat);
    const k = inboundKeys(ns);
    await store.ensureGroup(n, redis);
    expect(await store.tryLease(n, 'me', 5_000)).toBe(true);
    const first = entry(msg(chat, '进度'));
    const before = await store.submit(first);
    expect(before.state === 'accepted' && before.claimed).toBeFalsy();
    // Not the holder: persisted, nothing taken.
    const other = await store.submit(entry(msg(chat, '逾期')), undefined, undefined, { owner: 'someone-else', count: 32 });
    expect(other.state === 'accepted' && other.claimed).toBeFalsy();
    const own = entry(msg(chat, '查看 一.1'));
    const r = await store.submit(own, undefined, undefined, { owner: 'me', count: 32 });
    if (r.state !== 'accepted' || !r.claimed) throw new Error(`not claimed: ${JSON.stringify(r)}`);
    expect(r.claimed.prev).toBe('0-0');
    expect(r.claimed.entries.map((x) => (x.entry.msg as unknown as IncomingMessage).text)).toEqual(['进度', '逾期', '查看 一.1']);
    // The caller's own entry is its own object (no text came back for it); the others are read from the stream.
    expect(r.claimed.entries[2]!.entry).toBe(own);
    expect(r.claimed.entries[0]!.entry).toEqual(JSON.parse(JSON.stringify(first)));
    // All three are in the one consumer's pending list, as a reader's read leaves them.
    const pending = (await redis.xpending(k.stream(n), GROUP)) as [number, string, string, Array<[string, string]>];
    expect(pending[0]).toBe(3);
    expect(await store.lastDelivered(redis, n)).toBe(r.claimed.id);
    const next = await store.submit(entry(msg(chat, '我的')), undefined, undefined, { owner: 'me', count: 32 });
    if (next.state !== 'accepted' || !next.claimed) throw new Error('not claimed');
    expect(next.claimed.prev).toBe(r.claimed.id);
    expect(next.claimed.entries.map((x) => x.id)).toEqual([next.claimed.id]);
  });

  it('one chat\'s messages submitted in turn by the holder and by an instance that only submits are applied in arrival order, each once', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const seen: string[] = [];
    const holder = await testInbound({
      namespace, redis: await client(), target: testTarget(target),
      run: async (m) => {
        await new Promise((r) => setTimeout(r, Math.random() * 2));
        seen.push(m.text);
        return answer(`收到 ${m.text}`);
      },
    });
    open.push(holder);
    const sent: string[] = [];
    holder.onDeliver('console', async (_r, reply) => { sent.push(reply.text); });
    const other = await testInbound({ namespace, redis: await client(), target: testTarget(target), work: false, run: async () => null });
    open.push(other);
    const chat = `chat-mix-${randomUUID().slice(0, 6)}`;
    await waitFor(() => holder.worker!.claimer(partitionOf('console', chat)) !== null, { what: 'the holder claims' });
    const texts = Array.from({ length: 60 }, (_, i) => `进展 一.1.1 第${i}条`);
    for (const [i, t] of texts.entries()) expect(await (i % 3 === 0 ? other : holder).submit(msg(chat, t), route)).toBe('accepted');
    await holder.drain();
    expect(seen).toEqual(texts);
    expect(sent).toEqual(texts.map((t) => `收到 ${t}`));
  });

  it('an entry claimed by a holder that dies while applying it is applied by the next holder', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const doomed = await client();
    let started = false;
    const a = await testInbound({
      namespace, redis: doomed, target: testTarget(target), leaseMs: 600,
      run: async () => { started = true; return new Promise<Reply>(() => undefined); },
    });
    const chat = `chat-die-${randomUUID().slice(0, 6)}`;
    await waitFor(() => a.worker!.claimer(partitionOf('console', chat)) !== null, { what: 'A claims' });
    const m = msg(chat, '完成 一.1.1 已印发');
    expect(await a.submit(m, route)).toBe('accepted');
    await waitFor(() => started, { what: 'A took the message in hand' });
    doomed.disconnect();
    await a.replies.close();
    const ran: string[] = [];
    const b = await testInbound({ namespace, redis: await client(), target: testTarget(target), leaseMs: 600, autoStart: false, run: async (x) => { ran.push(x.messageId); return answer('已记录'); } });
    open.push(b);
    const sent: string[] = [];
    b.onDeliver('console', async (_r, reply) => { sent.push(reply.text); });
    await b.start();
    await waitFor(() => sent.length === 1, { timeoutMs: 10_000, what: 'B answered the claimed message' });
    await b.drain();
    expect(ran).toEqual([m.messageId]);
    expect(sent).toEqual(['已记录']);
  });
});
