import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { SendError, type SenderRegistry } from '../core/sender.js';
import type { DirectoryPort } from '../commands/ports.js';
import type { DeliveryEntry, DeliveryLog } from '../store/delivery-log.js';
import { bullConnection, closeBullConnection, type ScheduleStore } from '../store/schedule-store.js';
import { OUTBOX_PREFIX, OUTBOX_QUEUE, type OutboxJob } from './outbox.js';
import { redisPartTracker } from '../store/part-tracker.js';

export interface WorkerDeps {
  redisUrl: string;
  senders: SenderRegistry;
  directory: Pick<DirectoryPort, 'getBinding' | 'setPrivateLedger'>;
  sched: ScheduleStore;
  log: DeliveryLog;
  logger: Logger;
  clock: Clock;
  concurrency: number;
  lockMs: number;
  sendTimeoutMs: number;
  /** After this many push-backs for rate limits a message is given up. */
  maxPostpones?: number;
  /** Longest a platform's "slow down" may push a message back (DingTalk throttles for 10 minutes). */
  maxPostponeMs?: number;
  queueName?: string;
}

/**
 * The delivery worker: sends outbox messages through the platform senders.
 * retry → BullMQ retries with exponential backoff; rate_limited → the job is
 * pushed back by the platform's wait without using up an attempt;
 * config/fatal → failed at once and shown in 推送记录.
 */
export function startDeliveryWorker(d: WorkerDeps): Worker<OutboxJob> {
  const connection = bullConnection(d.redisUrl);
  const worker = new Worker<OutboxJob>(d.queueName ?? OUTBOX_QUEUE, (job, token) => deliver(d, job, token), {
    connection,
    prefix: OUTBOX_PREFIX,
    concurrency: d.concurrency,
    lockDuration: d.lockMs,
    stalledInterval: d.lockMs,
    maxStalledCount: 2,
  });
  worker.on('error', (err) => d.logger.error({ err: err.message }, 'delivery worker error'));
  // BullMQ leaves a Cluster client it was given open (see bullConnection).
  worker.once('closed', () => closeBullConnection(connection));
  return worker;
}

async function deliver(d: WorkerDeps, job: Job<OutboxJob>, token: string | undefined): Promise<void> {
  const m = job.data;
  const jobId = job.id!;
  const entry = (status: DeliveryEntry['status'], extra: Partial<DeliveryEntry> = {}): DeliveryEntry => ({
    at: d.clock.now().toISOString(), platform: m.platform, chatId: m.chatId, ledgerId: m.ledgerId, kind: m.kind,
    slot: new Date(m.slot).toISOString(), jobId, status, attempt: job.attemptsMade + 1,
    ...(m.to ? { to: m.to, toName: m.toName } : {}), ...extra,
  });
  // A job re-run after its process died between sending and completing must not send again.
  if (await d.sched.wasSent(jobId)) return;
  const binding = await d.directory.getBinding(m.platform, m.chatId);
  if (!binding || binding.ledgerId !== m.ledgerId) {
    await d.log.add(entry('skipped', { code: 'unbound', reason: '群已解绑或改绑其他台账，未发送' }));
    return;
  }
  const sender = d.senders.get(m.platform);
  try {
    if (!sender) throw new SendError('config', 'no_sender', `本服务未启用${m.platform}发送通道`);
    const parts = redisPartTracker(d.sched.redis, jobId);
    if (m.to) {
      if (!sender.sendDirect) throw new SendError('config', 'no_direct', `本服务的${m.platform}发送通道不支持私信`);
      await withTimeout(sender.sendDirect({ platform: m.platform, userId: m.to, chatId: m.chatId }, m.reply, { parts }), d.sendTimeoutMs);
    } else {
      await withTimeout(sender.send({ platform: m.platform, chatId: m.chatId, channel: binding.channel }, m.reply, { parts }), d.sendTimeoutMs);
    }
  } catch (err) {
    const e = err instanceof SendError ? err : new SendError('retry', 'error', (err as Error).message);
    await onFailure(d, job, token, e, entry);
    return;
  }
  await d.sched.markSent(jobId);
  // A reply to a 1:1 reminder or approval copy, in that 1:1 chat, is about this ledger (src/pipeline/private-chat.ts).
  if (m.to) await d.directory.setPrivateLedger(m.platform, m.to, m.ledgerId);
  await d.log.add(entry('sent'));
}

async function onFailure(
  d: WorkerDeps, job: Job<OutboxJob>, token: string | undefined, e: SendError,
  entry: (s: DeliveryEntry['status'], x?: Partial<DeliveryEntry>) => DeliveryEntry,
): Promise<never> {
  const reason = e.message;
  if (e.kind === 'config' || e.kind === 'fatal') {
    await d.log.add(entry('failed', { code: e.code, errorKind: e.kind, reason }));
    throw new UnrecoverableError(`${e.code}: ${reason}`);
  }
  if (e.kind === 'rate_limited') {
    const postponed = (job.data.postponed ?? 0) + 1;
    if (postponed <= (d.maxPostpones ?? 30)) {
      const wait = Math.min(d.maxPostponeMs ?? 600_000, Math.max(10, e.retryAfterMs ?? 60_000));
      await job.updateData({ ...job.data, postponed });
      await job.moveToDelayed(Date.now() + wait, token);
      await d.log.add(entry('postponed', { code: e.code, errorKind: e.kind, reason: `${reason}；${Math.ceil(wait / 1000)}秒后重试` }));
      throw new DelayedError();
    }
  }
  const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  await d.log.add(entry(last ? 'failed' : 'retried', { code: e.code, errorKind: e.kind, reason }));
  throw e;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new SendError('retry', 'timeout', `发送超时（${Math.round(ms / 1000)}秒）`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}
