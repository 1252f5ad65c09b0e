import { hostname } from 'node:os';
import { createTask } from 'node-cron';
import type { Logger } from 'pino';
import type { AdapterHandle } from '../core/ports.js';
import type { Clock } from '../core/clock.js';
import type { SenderRegistry } from '../core/sender.js';
import type { Services } from '../commands/types.js';
import { ScheduleStore } from '../store/schedule-store.js';
import { DashboardStore } from '../store/dashboard-store.js';
import { recordDailySnapshots } from './snapshots.js';
import type { RedisClient } from '../store/redis.js';
import { DeliveryLog } from '../store/delivery-log.js';
import { loadScheduleConfig } from './config.js';
import { Outbox } from './outbox.js';
import { Scheduler } from './scheduler.js';
import { ScheduleService } from './service.js';
import { startDeliveryWorker } from './worker.js';

/**
 * Starts the digest/reminder scheduler and the delivery worker, and gives the
 * chat commands their ScheduleCommands (services.schedule). Every instance
 * runs the same; Redis claims make each (chat, slot) go out once.
 */
/** What the scheduler needs of the composition root (no inbound door, no router). */
export interface SchedulerContext {
  senders: SenderRegistry;
  logger: Logger;
  clock: Clock;
  env: NodeJS.ProcessEnv;
}

/** The Redis connection of the schedule's own stores and the target BullMQ connects to. */
export interface SchedulerRedis {
  redis: RedisClient;
  target: string;
}

export async function startScheduler(ctx: SchedulerContext, services: Services, r: SchedulerRedis): Promise<AdapterHandle | null> {
  const config = loadScheduleConfig(ctx.env);
  const { redis, target: redisUrl } = r;
  const sched = new ScheduleStore(redis);
  const log = new DeliveryLog(redis);
  const outbox = new Outbox({ redisUrl, ...config }, sched, log);
  const owner = `${hostname()}:${process.pid}`;
  const scheduler = new Scheduler({ services, sched, outbox, log, senders: ctx.senders, logger: ctx.logger, config, owner });
  services.schedule = new ScheduleService({
    services, sched, log, outbox, senders: ctx.senders, logger: ctx.logger, reminderCron: config.reminderCron, onChange: () => scheduler.invalidate(),
  });
  const worker = config.delivery
    ? startDeliveryWorker({ redisUrl, senders: ctx.senders, directory: services.directory, sched, log, logger: ctx.logger, clock: ctx.clock, ...config })
    : null;
  // node-cron decides when: a tick every second; the chats' own cron expressions decide which slots are due.
  const task = config.enabled
    ? createTask('* * * * * *', async () => {
      try {
        await scheduler.tick();
      } catch (err) {
        ctx.logger.error({ err: (err as Error).message }, 'schedule tick failed');
      }
    }, { name: 'rectify-schedule', noOverlap: true, timezone: 'Asia/Shanghai' })
    : null;
  // The dashboard's daily points: hourly, one instance per ledger and hour; the day keeps its last.
  const dash = new DashboardStore(redis);
  const snapshots = config.enabled
    ? createTask('0 55 * * * *', async () => {
      try {
        await recordDailySnapshots(services, dash, (L, hour) => dash.claimSnapshotHour(L, hour));
      } catch (err) {
        ctx.logger.warn({ err: (err as Error).message }, 'dashboard snapshots failed');
      }
    }, { name: 'rectify-snapshots', noOverlap: true, timezone: 'Asia/Shanghai' })
    : null;
  await task?.start();
  await snapshots?.start();
  ctx.logger.info({ scheduler: config.enabled, delivery: config.delivery, owner }, 'scheduler started');
  return {
    async stop() {
      await task?.destroy();
      await snapshots?.destroy();
      await worker?.close();
      await outbox.close();
    },
  };
}
