import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, Reply } from '../../src/core/message.js';
import type { InboundService } from '../../src/inbound/index.js';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { InboundStore, partitionOf, type InboundEntry } from '../../src/store/inbound-store.js';
import { testInbound } from '../helpers/inbound.js';
import { testTarget, TARGETS } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { isReadOnly } from '../../src/pipeline/read-only.js';

const msg = (chatId: string, text: string): IncomingMessage => ({
  platform: 'console', chatId, chatType: 'group', messageId: randomUUID(), senderId: 'office', text,
});
const answer = (text: string): Reply => ({ title: 't', markdown: text, text, mentions: [] });
const route = { passive: false, data: {} };

/** Two chat ids that fall in one partition. */
function samePartition(): [string, string] {
  const a = `chat-a-${randomUUID().slice(0, 6)}`;
  for (let i = 0; ; i++) {
    const b = `chat-b-${i}`;
    if (partitionOf('console', b) === partitionOf('console', a)) return [a, b];
  }
}

/**
 * A partition holds many chats: a slow answer in one chat must not hold the
 * others of its partition, while each chat's own messages stay in order.
 */
describe.each(TARGETS)('chats of one partition (%s)', (target) => {
  const open: InboundService[] = [];
  const clients: RedisClient[] = [];
  afterEach(async () => {
    for (const q of open.splice(0)) await q.stop().catch(() => undefined);
    for (const c of clients.splice(0)) c.disconnect();
  });

  it('answers another chat of the partition while one chat\'s message is still being applied; each chat in order', async () => {
    const redis = connectRedis(testTarget(target));
    await waitReady(redis);
    clients.push(redis);
    const [slow, fast] = samePartition();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const seen: string[] = [];
    const q = await testInbound({
      redis, target: testTarget(target), autoStart: false,
      run: async (m) => {
        if (m.text === 'slow-1') await gate;
        seen.push(m.text);
        return answer(`收到 ${m.text}`);
      },
    });
    open.push(q);
    const sent: string[] = [];
    q.onDeliver('console', async (_r, reply) => { sent.push(reply.text); });
    const slowMsgs = [msg(slow, 'slow-1'), msg(slow, 'slow-2')];
    const fastMsgs = [msg(fast, 'fast-1'), msg(fast, 'fast-2')];
    // Submitted before the worker starts, so one read takes them all in one batch.
    for (const m of [slowMsgs[0], fastMsgs[0], slowMsgs[1], fastMsgs[1]]) expect(await q.submit(m, route)).toBe('accepted');
    await q.start();
    await waitFor(async () => (await q.store.record('console', fast, fastMsgs[1].messageId))?.s === 'done');
    // The other chat is done and answered; the slow chat's first message holds its second.
    expect(sent).toEqual(['收到 fast-1', '收到 fast-2']);
    expect((await q.store.record('console', slow, slowMsgs[0].messageId))?.s).toBe('queued');
    expect((await q.store.record('console', slow, slowMsgs[1].messageId))?.s).toBe('queued');
    release();
    await q.drain();
    expect(seen.filter((t) => t.startsWith('slow'))).toEqual(['slow-1', 'slow-2']);
    expect(sent.slice(2)).toEqual(['收到 slow-1', '收到 slow-2']);
    expect(await q.store.backlog()).toBe(0);
  });

  it('applies a chat\'s next messages while an earlier answer is still being sent; answers in order, none finished before its send', async () => {
    const redis = connectRedis(testTarget(target));
    await waitReady(redis);
    clients.push(redis);
    const chat = `chat-send-${randomUUID().slice(0, 6)}`;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const seen: string[] = [];
    const q = await testInbound({ redis, target: testTarget(target), autoStart: false, run: async (m) => { seen.push(m.text); return answer(`收到 ${m.text}`); } });
    open.push(q);
    const sent: string[] = [];
    q.onDeliver('console', async (_r, reply) => {
      if (reply.text === '收到 one') await gate;
      sent.push(reply.text);
    });
    const msgs = [msg(chat, 'one'), msg(chat, 'two'), msg(chat, 'three')];
    for (const m of msgs) expect(await q.submit(m, route)).toBe('accepted');
    await q.start();
    // The later ones are applied (one at a time, in order) while the first answer hangs; none is answered
    // or finished before it.
    await waitFor(() => seen.includes('three'));
    expect(seen).toEqual(['one', 'two', 'three']);
    expect(sent).toEqual([]);
    for (const m of msgs) expect((await q.store.record('console', chat, m.messageId))?.s).toBe('queued');
    release();
    await q.drain();
    expect(seen).toEqual(['one', 'two', 'three']);
    expect(sent).toEqual(['收到 one', '收到 two', '收到 three']);
    for (const m of msgs) expect((await q.store.record('console', chat, m.messageId))?.s).toBe('done');
  });

  it('applies a chat\'s consecutive reads side by side; a write waits for the reads before it, reads after it wait for it; answers in order', async () => {
    const redis = connectRedis(testTarget(target));
    await waitReady(redis);
    clients.push(redis);
    const chat = `chat-reads-${randomUUID().slice(0, 6)}`;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const started: string[] = [];
    const q = await testInbound({
      redis, target: testTarget(target), autoStart: false,
      readOnly: (m) => String(m.text).startsWith('read'),
      run: async (m) => {
        started.push(m.text);
        if (m.text === 'read-1') await gate;
        return answer(`收到 ${m.text}`);
      },
    });
    open.push(q);
    const sent: string[] = [];
    q.onDeliver('console', async (_r, reply) => { sent.push(reply.text); });
    const msgs = ['read-1', 'read-2', 'write-3', 'read-4'].map((t) => msg(chat, t));
    for (const m of msgs) expect(await q.submit(m, route)).toBe('accepted');
    await q.start();
    await waitFor(() => started.includes('read-2'));
    // read-1 still hangs: read-2 ran beside it, the write and the read after it wait; nothing is answered out of order.
    expect(started).toEqual(['read-1', 'read-2']);
    expect(sent).toEqual([]);
    expect((await q.store.record('console', chat, msgs[1].messageId))?.s).toBe('queued');
    release();
    await q.drain();
    expect(started).toEqual(['read-1', 'read-2', 'write-3', 'read-4']);
    expect(sent).toEqual(['收到 read-1', '收到 read-2', '收到 write-3', '收到 read-4']);
    for (const m of msgs) expect((await q.store.record('console', chat, m.messageId))?.s).toBe('done');
  });
});

describe('which queued messages only read', () => {
  it('read commands (any wording the router takes) are reads; writes, help, misses and files are not', () => {
    for (const t of ['进度', '查看 二.1', '二.1', '逾期 政治部', '临期 30', '我的', '部门 政治部', '领导 杜波', '搜索 公车', '待销号', '历史 一.1.1']) {
      expect(isReadOnly({ text: t }), t).toBe(true);
    }
    for (const t of ['进展 二.1.1 已报', '完成 二.1.1', '销号 二.1.1', '撤销', '绑定 abc', '帮助', '随便说说']) {
      expect(isReadOnly({ text: t }), t).toBe(false);
    }
    expect(isReadOnly({ text: '查看 二.1', files: [{ kind: 'image' }] })).toBe(false);
    expect(isReadOnly({ text: 42 })).toBe(false);
  });
});

describe.each(TARGETS)('finishing several entries at once (%s)', (target) => {
  it('stores every outcome and acknowledges all in one step for the lease holder; another owner changes nothing', async () => {
    const redis = connectRedis(testTarget(target));
    await waitReady(redis);
    const reader = redis.duplicate();
    try {
      const store = new InboundStore(redis, { namespace: `t${randomUUID().slice(0, 8)}:` });
      const chat = `chat-fm-${randomUUID().slice(0, 6)}`;
      const n = partitionOf('console', chat);
      const msgs = [msg(chat, 'a'), msg(chat, 'b'), msg(chat, 'c')];
      for (const m of msgs) {
        const r = await store.submit({ msg: m as unknown as InboundEntry['msg'], route: {}, at: Date.now(), passive: false });
        expect(r.state).toBe('accepted');
      }
      await waitReady(reader);
      await store.ensureGroup(n, reader);
      const entries = await store.read(reader, n, false, 10, 100);
      expect(entries).toHaveLength(3);
      expect(await store.tryLease(n, 'me', 5_000)).toBe(true);
      const done = entries.map((e, i) => ({ e, reply: answer(`r${i}`), at: 1000 + i }));
      expect(await store.finishMany(n, done, 'someone-else')).toBe(false);
      for (const m of msgs) expect((await store.record('console', chat, m.messageId))?.s).toBe('queued');
      expect(await store.backlog()).toBe(3);
      expect(await store.finishMany(n, done, 'me')).toBe(true);
      for (const [i, m] of msgs.entries()) {
        expect(await store.record('console', chat, m.messageId)).toEqual({ s: 'done', reply: answer(`r${i}`), at: 1000 + i });
      }
      expect(await store.backlog()).toBe(0);
      expect(await store.read(reader, n, true, 10, 100)).toEqual([]);
    } finally {
      reader.disconnect();
      redis.disconnect();
    }
  });
});
