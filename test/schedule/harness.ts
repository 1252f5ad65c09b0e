import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import { silentLogger } from '../../src/core/logger.js';
import { SenderRegistry, type ChatSender } from '../../src/core/sender.js';
import { ScheduleStore } from '../../src/store/schedule-store.js';
import { DeliveryLog, type DeliveryEntry } from '../../src/store/delivery-log.js';
import { defaultScheduleConfig, type ScheduleConfig } from '../../src/schedule/config.js';
import { Outbox, type OutboxJob } from '../../src/schedule/outbox.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { ScheduleService } from '../../src/schedule/service.js';
import { startDeliveryWorker } from '../../src/schedule/worker.js';
import { ConsoleSender } from '../../src/bot/console/sender.js';
import { makeWorld, type World } from '../helpers/world.js';
import { testTarget, type Target } from '../helpers/redis.js';

/** A world (demo ledger, console chat) plus the scheduler parts, on a queue of its own. */
export interface SchedWorld extends World {
  sched: ScheduleStore;
  log: DeliveryLog;
  outbox: Outbox;
  senders: SenderRegistry;
  console: ConsoleSender;
  config: ScheduleConfig;
  queueName: string;
  service: ScheduleService;
  /** A scheduler instance (several may share the world, as several processes would). */
  scheduler(owner?: string): Scheduler;
  startWorker(over?: Partial<{ concurrency: number; lockMs: number; queueName: string }>): Worker<OutboxJob>;
  /** Waits (real time, bounded) until `pred` holds for the delivery log. */
  waitLog(pred: (es: DeliveryEntry[]) => boolean, ms?: number): Promise<DeliveryEntry[]>;
  closeAll(): Promise<void>;
}

export async function schedWorld(opts: { at?: string; config?: Partial<ScheduleConfig>; senders?: ChatSender[]; target?: Target } = {}): Promise<SchedWorld> {
  const w = await makeWorld({ at: opts.at, target: opts.target });
  const redisUrl = testTarget(opts.target);
  const redis = w.open.redis;
  const config = defaultScheduleConfig({ retryBaseMs: 20, lockMs: 2000, ...opts.config });
  const sched = new ScheduleStore(redis);
  const log = new DeliveryLog(redis);
  const queueName = `t-${randomUUID().slice(0, 8)}`;
  const outbox = new Outbox({ redisUrl, ...config, queueName }, sched, log);
  // A robot of its own, so plans left in Redis by other worlds (other fake dates) do not delay ours.
  await w.open.services.directory.bind({ platform: 'console', chatId: w.chatId, ledgerId: w.ledgerId, channel: { robot: queueName }, boundAt: w.clock.now().toISOString() });
  const senders = new SenderRegistry();
  const console = new ConsoleSender({ out: null, now: () => w.clock.now() });
  senders.register(console);
  for (const s of opts.senders ?? []) senders.register(s);
  const service = new ScheduleService({ services: w.open.services, sched, log, outbox, senders, reminderCron: config.reminderCron });
  w.open.services.schedule = service;
  const workers: Worker[] = [];
  return {
    ...w, sched, log, outbox, senders, console, config, queueName, service,
    scheduler: (owner = randomUUID()) => new Scheduler({ services: w.open.services, sched, outbox, log, senders, logger: silentLogger(), config, owner }),
    startWorker(over = {}) {
      const worker = startDeliveryWorker({
        redisUrl, senders, directory: w.open.services.directory, sched, log, logger: silentLogger(), clock: w.clock,
        concurrency: over.concurrency ?? 4, lockMs: over.lockMs ?? config.lockMs, sendTimeoutMs: config.sendTimeoutMs, queueName: over.queueName ?? queueName, maxPostponeMs: 50,
      });
      workers.push(worker);
      return worker;
    },
    async waitLog(pred, ms = 10_000) {
      const until = Date.now() + ms;
      for (;;) {
        const es = await log.all(5000);
        if (pred(es)) return es;
        if (Date.now() > until) throw new Error(`delivery log condition not met; log: ${JSON.stringify(es.slice(0, 8))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async closeAll() {
      for (const wk of workers) await wk.close();
      await outbox.queue.obliterate({ force: true }).catch(() => undefined);
      await outbox.close();
      await w.close();
    },
  };
}
