import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { schedWorld, type SchedWorld } from './harness.js';
import { jobIdOf } from '../../src/schedule/outbox.js';

const sh = (s: string) => new Date(`${s}+08:00`);
const binding = async (w: SchedWorld) => (await w.open.services.directory.getBinding('console', w.chatId))!;
const office = { name: '王静' };

// Schedulers serve every subscribed chat in the database: each test starts from an empty one.
beforeEach(async () => {
  const r = new Redis(testRedisUrl());
  await r.flushdb();
  r.disconnect();
});

describe('scheduler ticks with a fake clock (real Redis and BullMQ)', () => {
  let w: SchedWorld;
  afterEach(async () => { await w?.closeAll(); });

  it('two instances ticking at the same instant queue each slot once; the worker sends it once', async () => {
    w = await schedWorld({ at: '2025-11-21T02:00:00Z' });
    const reply = await w.service.subscribe(await binding(w), '0 9 * * 1', office);
    expect(reply.text).toContain('已订阅整改进展通报：每周一 9:00 推送到本群');
    const [a, b] = [w.scheduler('A'), w.scheduler('B')];
    expect((await a.tick()).queued).toEqual([]);
    w.clock.set(sh('2025-11-24T09:00:01'));
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect([...ra.queued, ...rb.queued]).toEqual([`digest:console:${w.chatId}@${sh('2025-11-24T09:00:00').toISOString()}`]);
    expect(await w.outbox.queue.getJobCounts('waiting', 'delayed', 'prioritized')).toEqual({ waiting: 1, delayed: 0, prioritized: 0 });
    w.clock.set(sh('2025-11-24T09:00:05'));
    expect([...(await a.tick()).queued, ...(await b.tick()).queued]).toEqual([]);
    w.startWorker();
    await w.waitLog((es) => es.some((e) => e.status === 'sent'));
    expect(w.console.sent).toHaveLength(1);
    expect(w.console.sent[0].markdown).toContain('截至11月24日，巡察反馈的21个具体问题，已完成整改9个，已完成整改并长期坚持11个，基本完成整改1个。');
    expect((await w.service.deliveryLog(await binding(w))).text).toMatch(/11月24日 09:00 进展通报 ✅ 已发送/);
  });

  it('a slot missed while down is sent once within the grace window, skipped and logged after it, and never in a burst', async () => {
    w = await schedWorld({ at: '2025-11-24T01:00:30Z' }); // Monday 09:00:30 Shanghai
    await w.service.subscribe(await binding(w), '0 9 * * 1', office);
    const s = w.scheduler();
    const digests = (q: string[]) => q.filter((x) => x.startsWith('digest'));
    w.clock.set(sh('2025-12-01T14:00:00')); // down since before Monday 09:00: 5 hours late
    expect(digests((await s.tick()).queued)).toHaveLength(1);
    w.clock.set(sh('2025-12-08T16:00:01')); // 7 hours late
    const r = await s.tick();
    expect(digests(r.queued)).toEqual([]);
    expect(digests(r.skipped)).toHaveLength(1);
    const log = await w.log.forChat('console', w.chatId);
    expect(log[0]).toMatchObject({ status: 'skipped', code: 'stale', slot: sh('2025-12-08T09:00:00').toISOString() });
    expect(log[0].reason).toContain('超过6小时宽限期');
    w.clock.set(sh('2025-12-15T09:00:00'));
    expect(digests((await s.tick()).queued)).toHaveLength(1);

    // A chat on a two-second schedule, down for ten minutes: one digest, not three hundred.
    await w.service.subscribe(await binding(w), '*/2 * * * * *', office);
    w.clock.set(sh('2025-12-15T09:10:00'));
    const after = await w.scheduler().tick();
    expect(after.queued.filter((q) => q.startsWith('digest'))).toHaveLength(1);
  });

  it('a slot claimed by an instance that died before queueing is taken over after its lease', async () => {
    w = await schedWorld({ at: '2025-11-21T02:00:00Z' });
    await w.service.subscribe(await binding(w), '0 9 * * 1', office);
    const slot = sh('2025-11-24T09:00:00').getTime();
    w.clock.set(sh('2025-11-24T09:00:01'));
    expect(await w.sched.claimSlot('console', w.chatId, 'digest', slot, w.clock.now().getTime(), 60_000, 'dead')).toBe(true);
    const s = w.scheduler();
    expect((await s.tick()).queued).toEqual([]);
    w.clock.set(sh('2025-11-24T09:01:02'));
    expect((await s.tick()).queued).toHaveLength(1);
    const id = jobIdOf('digest', 'console', w.chatId, slot);
    expect((await w.outbox.queue.getJob(id))?.id).toBe(id);
  });

  it('killed between render and send: the queued digest is sent once after restart, and a sent one is not sent again', async () => {
    w = await schedWorld({ at: '2025-11-21T02:00:00Z' });
    await w.service.subscribe(await binding(w), '0 9 * * 1', office);
    w.clock.set(sh('2025-11-24T09:00:01'));
    expect((await w.scheduler('before-crash').tick()).queued).toHaveLength(1); // rendered and queued; the process dies here
    // A job whose send completed just before a crash (marker written, job not completed) must not go out again.
    const other = jobIdOf('manual', 'console', w.chatId, 1);
    const sentReply = { title: 'already sent', markdown: 'already sent', text: 'already sent', mentions: [] };
    await w.outbox.enqueue({ platform: 'console', chatId: w.chatId, ledgerId: w.ledgerId }, {}, 'manual', 1, sentReply, w.senders.get('console'), w.clock.now().getTime());
    await w.sched.markSent(other);
    const after = w.scheduler('after-restart');
    expect((await after.tick()).queued).toEqual([]);
    w.startWorker();
    await waitFor(async () => (await w.outbox.queue.getJobCounts('completed')).completed >= 2, { timeoutMs: 10_000, what: 'both jobs to complete' });
    expect(await w.outbox.queue.getJobCounts('completed')).toEqual({ completed: 2 });
    expect(w.console.sent.map((x) => x.title)).toEqual(['整改进展通报（11月24日）']);
    expect((await w.log.all()).filter((e) => e.status === 'sent')).toHaveLength(1);
  });
});
