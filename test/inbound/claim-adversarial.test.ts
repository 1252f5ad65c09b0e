import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, Reply } from '../../src/core/message.js';
import { inboundKeys, partitionOf } from '../../src/store/inbound-store.js';
import { testBed, testInbound } from '../helpers/inbound.js';
import { testRedisUrl, testTarget, TARGETS } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const msg = (chatId: string, text: string): IncomingMessage => ({
  platform: 'console', chatId, chatType: 'group', messageId: randomUUID(), senderId: 'office', text,
});
const answer = (text: string): Reply => ({ title: 't', markdown: text, text, mentions: [] });
const route = { passive: false, data: {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A TCP relay in front of the suite's redis-server that can hold back the next write of one of its
 * connections (what follows keeps its order behind it), as a slow network or a frozen client socket
 * does: a command sent there reaches Redis late, after its caller's command timeout, and still runs.
 */
async function relay(): Promise<{ url: string; hold(conn: number, ms: number): void; holdAnswers(from: number, ms: number): void; close(): Promise<void> }> {
  const target = new URL(testRedisUrl());
  const holds = new Map<number, number>();
  // Answers (Redis to client) held back on every connection from this index on.
  const answers = { from: Number.MAX_SAFE_INTEGER, ms: 0 };
  const sockets: net.Socket[] = [];
  let count = 0;
  const server = net.createServer((down) => {
    const i = count++;
    const up = net.connect(Number(target.port), target.hostname);
    sockets.push(down, up);
    let chain = Promise.resolve();
    down.on('data', (chunk) => {
      // One write held back (the one sent next); what follows waits behind it, as on one TCP stream,
      // without a hold of its own (a heartbeat sent meanwhile must not add another).
      const ms = holds.get(i) ?? 0;
      holds.delete(i);
      chain = chain.then(() => (ms ? sleep(ms) : undefined)).then(() => { up.write(chunk); });
    });
    let back = Promise.resolve();
    up.on('data', (chunk) => {
      const ms = i >= answers.from ? answers.ms : 0;
      back = back.then(() => (ms ? sleep(ms) : undefined)).then(() => { down.write(chunk); });
    });
    const end = () => { down.destroy(); up.destroy(); };
    down.on('close', end);
    up.on('close', end);
    down.on('error', end);
    up.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    hold: (conn, ms) => holds.set(conn, ms),
    holdAnswers: (from, ms) => { answers.from = from; answers.ms = ms; },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Adversarial cases for the holder's claiming submits (src/inbound/partition-loop.ts,
 * stream-order.ts): a claim whose answer never comes back, many reads of one chat behind a
 * failing write, and the loop's wake-ups.
 */
describe('claiming submits, adversarial (single)', () => {
  const bed = testBed(() => testTarget('single'));
  const { open, closers, client } = bed;
  afterEach(bed.close);

  // Found in review of 1c4faef: a claiming submit that failed left its entries in the pending list, unseen
  // by the loop. Now it fails the loop, and a fence on the main connection precedes the recovery read.
  it.each([1_500, 3_000])('a claiming submit whose answer is lost (timed out, the script ran %i ms later) still has its entry applied, in order, while the holder goes on', async (late) => {
    const net1 = await relay();
    closers.push(net1.close);
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const ran: string[] = [];
    // The holder's main connection is the relay's first connection; its readers (duplicates) come after.
    const main = await client(net1.url);
    const holder = await testInbound({ namespace, redis: main, target: testTarget('single'), run: async (m) => { ran.push(m.text); return answer('好'); } });
    open.push(holder);
    holder.onDeliver('console', async () => undefined);
    const other = await testInbound({ namespace, redis: await client(), target: testTarget('single'), work: false, run: async () => null });
    open.push(other);
    const chat = `chat-lost-claim-${randomUUID().slice(0, 6)}`;
    const n = partitionOf('console', chat);
    await waitFor(() => holder.worker!.claimer(n) !== null, { what: 'the holder claims' });
    const first = msg(chat, '完成 一.1.1 第一条');
    // The submit's script reaches Redis after the client gave it up (command timeout: 1 s).
    net1.hold(0, late);
    await expect(holder.submit(first, route)).rejects.toThrow(/timed out/i);
    const direct = await client();
    const stream = inboundKeys(namespace).stream(n);
    // The late script ran: its entry is pending, or (the holder's recovery was quick) already applied.
    await waitFor(async () => ran.includes(first.text) || (await direct.xpending(stream, 'g') as [number])[0] === 1, { timeoutMs: late + 5_000, what: 'the late script took the entry in hand' });
    // The platform retries it (a duplicate now) and the chat goes on through another instance.
    expect(await other.submit(first, route)).toBe('duplicate');
    expect(await other.submit(msg(chat, '完成 一.1.1 第二条'), route)).toBe('accepted');
    // Applied (ran) comes before finished (no longer pending): wait for both, then look.
    const pendingNow = async () => (await direct.xpending(stream, 'g') as [number])[0];
    await waitFor(async () => ran.length >= 2 && (await pendingNow()) === 0, { timeoutMs: 8_000, what: 'both messages applied and finished' }).catch(() => undefined);
    expect({ ran, pending: (await direct.xpending(stream, 'g') as [number])[0] }).toEqual({ ran: ['完成 一.1.1 第一条', '完成 一.1.1 第二条'], pending: 0 });
  }, 30_000);

  // A claim answered before the reader's answer for an entry before it must wait for that answer
  // without keeping the event loop busy (a first version spun on it until the 2 s order limit).
  it('a claim that waits for the reader\'s slower answer neither blocks the event loop nor delays the chat', async () => {
    const net1 = await relay();
    closers.push(net1.close);
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const ran: string[] = [];
    const main = await client(net1.url);
    // Connection 0 is the holder's main connection (claims); its readers' answers arrive 250 ms late.
    net1.holdAnswers(1, 250);
    const holder = await testInbound({ namespace, redis: main, target: testTarget('single'), run: async (m) => { ran.push(m.text); return answer('好'); } });
    open.push(holder);
    holder.onDeliver('console', async () => undefined);
    const other = await testInbound({ namespace, redis: await client(), target: testTarget('single'), work: false, run: async () => null });
    open.push(other);
    const chat = `chat-slow-reader-${randomUUID().slice(0, 6)}`;
    await waitFor(() => holder.worker!.claimer(partitionOf('console', chat)) !== null, { timeoutMs: 10_000, what: 'the holder claims' });
    let gap = 0;
    let last = performance.now();
    const tick = setInterval(() => { const t = performance.now(); gap = Math.max(gap, t - last); last = t; }, 5);
    try {
      const texts: string[] = [];
      const t0 = performance.now();
      for (let i = 0; i < 6; i++) {
        // Another instance's message reaches the holder's reader (its answer held back), then the
        // holder's own submit claims the next one, answered at once.
        texts.push(`完成 一.1.1 第${i}条甲`, `完成 一.1.1 第${i}条乙`);
        expect(await other.submit(msg(chat, texts.at(-2)!), route)).toBe('accepted');
        expect(await holder.submit(msg(chat, texts.at(-1)!), route)).toBe('accepted');
        await waitFor(() => ran.length === texts.length, { timeoutMs: 5_000, what: `round ${i} applied` });
      }
      expect(ran).toEqual(texts);
      // Each round waits at most about one held-back read (250 ms) plus a blocked read (400 ms), never the 2 s limit.
      expect(performance.now() - t0).toBeLessThan(6 * 1_500);
      expect(gap).toBeLessThan(500);
    } finally {
      clearInterval(tick);
    }
  }, 30_000);

  // Found in review: the collapsed Promise.all of a lane's reads (partition-loop.ts dispatch) rejected unhandled.
  it('a chat with a write and 17 reads in hand whose write fails: no unhandled rejection, each applied once, in order', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
    process.on('unhandledRejection', onUnhandled);
    closers.push(async () => { process.off('unhandledRejection', onUnhandled); });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let failedOnce = false;
    const ran: string[] = [];
    const holder = await testInbound({
      namespace, redis: await client(), target: testTarget('single'),
      readOnly: (m) => String(m.text).startsWith('进度'),
      run: async (m) => {
        if (m.text === '完成 写' && !failedOnce) {
          await gate;
          failedOnce = true;
          // Redis dropped the connection during the write: the entry stays pending and is tried again.
          throw new Error('Connection is closed.');
        }
        ran.push(m.text);
        return answer('好');
      },
    });
    open.push(holder);
    holder.onDeliver('console', async () => undefined);
    const chat = `chat-many-reads-${randomUUID().slice(0, 6)}`;
    await waitFor(() => holder.worker!.claimer(partitionOf('console', chat)) !== null, { what: 'the holder claims' });
    const texts = ['完成 写', ...Array.from({ length: 17 }, (_, i) => `进度 ${i}`)];
    for (const t of texts) expect(await holder.submit(msg(chat, t), route)).toBe('accepted');
    release();
    await holder.drain(15_000);
    await sleep(50);
    expect(unhandled.map((e) => (e as Error).message)).toEqual([]);
    expect(ran[0]).toBe('完成 写');
    expect(ran.slice(1).sort()).toEqual(texts.slice(1).sort());
    expect(ran).toHaveLength(texts.length);
  }, 30_000);

  // Found in review: the readiness race's pause(5_000) timer later cleared the wake of the loop's nudged().
  it('a message submitted about five seconds after its loop started is applied without a stall (no wake-up lost)', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const ranAt = new Map<string, number>();
    const holder = await testInbound({ namespace, redis: await client(), target: testTarget('single'), run: async (m) => { ranAt.set(m.messageId, Date.now()); return answer('好'); } });
    const started = Date.now();
    open.push(holder);
    holder.onDeliver('console', async () => undefined);
    const chat = `chat-wake-${randomUUID().slice(0, 6)}`;
    await waitFor(() => holder.worker!.claimer(partitionOf('console', chat)) !== null, { what: 'the holder claims' });
    const lags: number[] = [];
    // Loops started with the service: their readiness wait (5 s) ends around now.
    await sleep(Math.max(0, started + 4_800 - Date.now()));
    for (let i = 0; i < 12; i++) {
      const m = msg(chat, `进度 ${i}`);
      const at = Date.now();
      expect(await holder.submit(m, route)).toBe('accepted');
      const done = await waitFor(() => ranAt.get(m.messageId), { timeoutMs: 5_000 });
      lags.push(done - at);
      await sleep(150);
    }
    expect(Math.max(...lags)).toBeLessThan(500);
  }, 30_000);
  // Found in review: the collapsed Promise.all of a lane's reads kept every result (Completion) it joined.
  it('a long run of one chat\'s reads (its lane never empty) keeps no finished entry reachable', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const seen: Array<WeakRef<object>> = [];
    let done = 0;
    const holder = await testInbound({
      namespace, redis: await client(), target: testTarget('single'), maxBacklog: 10_000,
      readOnly: () => true,
      run: async (m) => {
        seen.push(new WeakRef(m));
        await sleep(40);
        done++;
        return null;
      },
    });
    open.push(holder);
    holder.onDeliver('console', async () => undefined);
    const chat = `chat-long-${randomUUID().slice(0, 6)}`;
    await waitFor(() => holder.worker!.claimer(partitionOf('console', chat)) !== null, { what: 'the holder claims' });
    // Submitted faster than one run takes: the chat always has reads in hand.
    for (let i = 0; i < 800; i++) {
      expect(await holder.submit(msg(chat, `进度 ${i}`), route)).toBe('accepted');
      if (i % 4 === 0) await new Promise((r) => setImmediate(r));
    }
    const finished = Math.max(0, done - 100);
    expect(finished).toBeGreaterThan(200);
    gc();
    await sleep(10);
    gc();
    const alive = seen.slice(0, finished).filter((r) => r.deref() !== undefined).length;
    await holder.drain(30_000);
    expect({ finished, alive }).toEqual({ finished, alive: 0 });
  }, 60_000);
});

/** What holds today across both targets: a stop with claims in flight, a stream lost under the reader. */
describe.each(TARGETS)('claiming submits around a stop and a lost stream (%s)', (target) => {
  const bed = testBed(() => testTarget(target));
  const { open, client } = bed;
  afterEach(bed.close);

  it('a holder stopped while its claiming submits are in flight leaves nothing behind: the next holder applies the rest, each once, each chat in order', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const ran: Array<[string, string]> = [];
    const run = async (m: IncomingMessage) => {
      await sleep(Math.random() * 3);
      ran.push([m.chatId, m.text]);
      return answer('好');
    };
    const a = await testInbound({ namespace, redis: await client(), target: testTarget(target), leaseMs: 1_200, run });
    a.onDeliver('console', async () => undefined);
    const chats = ['x', 'y', 'z'].map((c) => `chat-stop-${c}-${randomUUID().slice(0, 4)}`);
    await waitFor(() => chats.every((c) => a.worker!.claimer(partitionOf('console', c)) !== null), { what: 'A claims' });
    const sent = new Map<string, string[]>(chats.map((c) => [c, []]));
    const submits: Array<Promise<unknown>> = [];
    for (let i = 0; i < 90; i++) {
      const chat = chats[i % 3]!;
      const text = `进展 一.1.1 第${i}条`;
      sent.get(chat)!.push(text);
      submits.push(a.submit(msg(chat, text), route));
      if (i === 45) submits.push(a.stop());
      if (i % 5 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(submits);
    const b = await testInbound({ namespace, redis: await client(), target: testTarget(target), leaseMs: 1_200, run });
    open.push(b);
    b.onDeliver('console', async () => undefined);
    await b.drain(20_000);
    for (const c of chats) expect(ran.filter(([chat]) => chat === c).map(([, t]) => t)).toEqual(sent.get(c));
    expect(ran).toHaveLength(90);
  }, 40_000);

  it('a stream lost under the holder and made again by another instance\'s submit: the reader applies it, then the holder\'s own submits, in order', async () => {
    const namespace = `t${randomUUID().slice(0, 8)}:`;
    const ran: string[] = [];
    const holder = await testInbound({ namespace, redis: await client(), target: testTarget(target), run: async (m) => { ran.push(m.text); return answer('好'); } });
    open.push(holder);
    holder.onDeliver('console', async () => undefined);
    const other = await testInbound({ namespace, redis: await client(), target: testTarget(target), work: false, run: async () => null });
    open.push(other);
    const chat = `chat-lost-${randomUUID().slice(0, 6)}`;
    const n = partitionOf('console', chat);
    await waitFor(() => holder.worker!.claimer(n) !== null, { what: 'the holder claims' });
    expect(await holder.submit(msg(chat, '进度 1'), route)).toBe('accepted');
    await holder.drain();
    expect(await (await client()).del(inboundKeys(namespace).stream(n))).toBe(1);
    expect(await other.submit(msg(chat, '完成 一.1.1 2'), route)).toBe('accepted');
    expect(await holder.submit(msg(chat, '完成 一.1.1 3'), route)).toBe('accepted');
    expect(await other.submit(msg(chat, '完成 一.1.1 4'), route)).toBe('accepted');
    await waitFor(() => ran.length === 4, { timeoutMs: 15_000, what: `all applied (ran: ${JSON.stringify(ran)})` });
    await holder.drain();
    expect(ran).toEqual(['进度 1', '完成 一.1.1 2', '完成 一.1.1 3', '完成 一.1.1 4']);
  }, 40_000);
});
