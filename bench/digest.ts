import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { SenderRegistry } from '../src/core/sender.js';
import { openServices } from '../src/app/services.js';
import { ConsoleSender } from '../src/bot/console/sender.js';
import { ScheduleStore } from '../src/store/schedule-store.js';
import { DeliveryLog } from '../src/store/delivery-log.js';
import { defaultScheduleConfig } from '../src/schedule/config.js';
import { Outbox, type OutboxJob } from '../src/schedule/outbox.js';
import { Scheduler } from '../src/schedule/scheduler.js';
import { buildDigestModel } from '../src/schedule/digest-model.js';
import { renderDigest } from '../src/schedule/digest-render.js';
import { syntheticDoc } from './synthetic.js';

const CHATS = Number(process.env.BENCH_DIGEST_CHATS ?? 2000);
const LEDGERS = Number(process.env.BENCH_DIGEST_LEDGERS ?? 200);
const ROBOTS = 20;
const NOW = '2026-11-23T01:00:01.000Z'; // Monday 09:00:01 Shanghai

/**
 * Digest benchmark: 2,000 chats × 200 measures.
 * - render: 2,000 distinct in-memory ledgers, digest model + markdown (pure);
 * - tick: one scheduler tick over 2,000 subscribed chats (200 ledgers in
 *   Redis, 10 chats each: load, render, claim, plan, enqueue);
 * - outbox memory, and the per-robot plan (≤ 20 a minute, none lost or duplicated).
 */
export async function benchDigest(o: { redisUrl: string }): Promise<Record<string, unknown>> {
  const url = `${o.redisUrl.replace(/\/\d+$/, '')}/7`;
  const clock = new ManualClock(NOW);
  const open = await openServices({ redisUrl: url, clock });
  try {
    await open.redis.flushdb();
    const now = clock.now();

    // 1. Pure rendering of 2,000 distinct 200-measure ledgers.
    const docs = Array.from({ length: CHATS }, (_, i) => syntheticDoc(`r${i}`, 4, 10, 5, '2026-11-23'));
    let t = performance.now();
    let bytes = 0;
    for (const d of docs) bytes += renderDigest(d.ledger, buildDigestModel(d, [], new Date(now.getTime() - 7 * 86400_000), now)).markdown.length;
    const renderMs = performance.now() - t;

    // 2. Seed Redis: 200 ledgers, 2,000 chats bound and subscribed, on 20 robots.
    for (let l = 0; l < LEDGERS; l++) await open.services.ledgers.saveDoc(syntheticDoc(`b${l}`, 4, 10, 5, '2026-11-23'));
    for (let c = 0; c < CHATS; c++) {
      await open.services.directory.bind({
        platform: 'console', chatId: `bench-${c}`, ledgerId: `b${c % LEDGERS}`, channel: { robot: `robot-${c % ROBOTS}` },
        schedule: '0 9 * * 1', boundAt: NOW,
      });
    }
    const config = defaultScheduleConfig();
    const sched = new ScheduleStore(open.redis);
    const log = new DeliveryLog(open.redis);
    const outbox = new Outbox({ redisUrl: url, ...config, queueName: 'bench' }, sched, log);
    const senders = new SenderRegistry();
    senders.register(new ConsoleSender({ out: null }));
    const mk = (owner: string) => new Scheduler({ services: open.services, sched, outbox, log, senders, logger: silentLogger(), config, owner });
    const memBefore = await usedMemory(open.redis);

    // 3. One tick of two instances at the same instant (the second must find nothing to do).
    t = performance.now();
    const [a, b] = await Promise.all([mk('A').tick(), mk('B').tick()]);
    const tickMs = performance.now() - t;
    const queued = [...a.queued, ...b.queued].filter((q) => q.startsWith('digest'));

    // 4. Outbox memory and the plan per robot.
    const outboxBytes = await keyBytes(open.redis, 'rb:{outbox}:bench:*');
    const memAfter = await usedMemory(open.redis);
    const jobs = await outbox.queue.getJobs(['waiting', 'delayed'], 0, CHATS * 2);
    const digestJobs = jobs.filter((j) => (j.data as OutboxJob).kind === 'digest');
    const perRobot = new Map<string, number[]>();
    for (const j of digestJobs) {
      const d = j.data as OutboxJob;
      perRobot.set(d.robotKey, [...(perRobot.get(d.robotKey) ?? []), d.plannedAt]);
    }
    let worstPerMinute = 0;
    for (const times of perRobot.values()) {
      times.sort((x, y) => x - y);
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i] - times[j] >= 60_000) j++;
        worstPerMinute = Math.max(worstPerMinute, i - j + 1);
      }
    }
    const lastPlanned = Math.max(...digestJobs.map((j) => (j.data as OutboxJob).plannedAt));
    await outbox.queue.obliterate({ force: true });
    await outbox.close();
    return {
      chats: CHATS,
      measures_per_ledger: 200,
      render_all_ms: Math.round(renderMs),
      render_per_digest_ms: +(renderMs / CHATS).toFixed(3),
      render_avg_markdown_chars: Math.round(bytes / CHATS),
      tick_all_ms: Math.round(tickMs),
      tick_note: `${CHATS} chats over ${LEDGERS} ledgers in Redis (10 chats per ledger share one load): load + render + claim + plan + enqueue`,
      target: 'render all digests ≤ 10 s',
      queued_digests: queued.length,
      distinct_jobs: new Set(digestJobs.map((j) => j.id)).size,
      outbox_bytes: outboxBytes,
      outbox_bytes_per_message: Math.round(outboxBytes / Math.max(1, digestJobs.length)),
      redis_used_memory_delta_bytes: memAfter - memBefore,
      robots: perRobot.size,
      worst_sends_per_robot_per_minute: worstPerMinute,
      delivery_makespan_s: Math.round((lastPlanned - clock.now().getTime()) / 1000),
    };
  } finally {
    await open.redis.flushdb();
    await open.close();
  }
}

async function usedMemory(redis: import('../src/store/redis.js').RedisClient): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

async function keyBytes(redis: import('../src/store/redis.js').RedisClient, pattern: string): Promise<number> {
  let cursor = '0';
  let total = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) total += Number((await redis.memory('USAGE', k)) ?? 0);
  } while (cursor !== '0');
  return total;
}

export default benchDigest;
