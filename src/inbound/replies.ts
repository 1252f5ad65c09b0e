import { DelayedError, Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Platform, Reply } from '../core/message.js';
import type { Deliverer } from '../core/ports.js';
import { SendError } from '../core/sender.js';
import type { InboundEntry, InboundStore } from '../store/inbound-store.js';
import { closeBullConnection } from '../store/schedule-store.js';

/** Hash-tagged prefix: every key of the queue lands in one cluster slot, as BullMQ requires. */
export const REPLY_PREFIX = 'rb:{replies}';
export const REPLY_QUEUE = 'replies';

/** A reply waiting to go out through the platform (sessionWebhook, response_url, OpenAPI). */
export interface ReplyJob {
  platform: Platform;
  chatId: string;
  messageId: string;
  route: Record<string, unknown>;
  reply: Reply;
  /** The callback may have answered it passively: send only if it did not. */
  passive: boolean;
  postponed?: number;
}

export interface ReplyQueueOptions {
  connection: () => ConnectionOptions;
  store: InboundStore;
  logger: Logger;
  /** How long a passive callback waits for its answer before the queue takes over. */
  passiveBudgetMs: number;
  concurrency?: number;
  attempts?: number;
  retryBaseMs?: number;
  queueName?: string;
  now?: () => number;
}

/** BullMQ ids may not contain ':'. */
const jobIdOf = (platform: string, messageId: string) => `${platform}.${encodeURIComponent(messageId)}`;

/**
 * The durable outbox of chat answers. A job is added before its inbound entry
 * is acknowledged, with the message id as job id, so a re-run after a crash
 * adds nothing twice; retries back off; a platform's "slow down" postpones.
 */
export class ReplyQueue {
  readonly queue: Queue<ReplyJob>;
  private worker: Worker<ReplyJob> | null = null;
  private readonly deliverers = new Map<Platform, Deliverer>();
  private readonly now: () => number;
  private readonly conns: ConnectionOptions[] = [];

  constructor(private readonly o: ReplyQueueOptions) {
    this.queue = new Queue<ReplyJob>(o.queueName ?? REPLY_QUEUE, { connection: this.conn(), prefix: REPLY_PREFIX });
    this.queue.on('error', (err) => o.logger.warn({ err: err.message }, 'reply queue error'));
    this.now = o.now ?? Date.now;
  }

  private conn(): ConnectionOptions {
    const c = this.o.connection();
    this.conns.push(c);
    return c;
  }

  register(platform: Platform, d: Deliverer): void {
    this.deliverers.set(platform, d);
  }

  /** Queues the answer of an inbound entry (a passive one waits out the callback's budget first). */
  async add(entry: InboundEntry, reply: Reply): Promise<void> {
    const m = entry.msg;
    const data: ReplyJob = {
      platform: m.platform as Platform, chatId: m.chatId, messageId: m.messageId, route: entry.route, reply, passive: entry.passive,
    };
    const delay = entry.passive ? Math.max(0, entry.at + (entry.budgetMs ?? this.o.passiveBudgetMs) + 250 - this.now()) : 0;
    await this.queue.add('reply', data, {
      jobId: jobIdOf(m.platform, m.messageId),
      delay,
      attempts: this.o.attempts ?? 6,
      backoff: { type: 'exponential', delay: this.o.retryBaseMs ?? 2_000 },
      // Kept a day so a re-run's add of the same message finds it and adds nothing.
      removeOnComplete: { age: 86_400 },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  /** Queues an extra send tied to a message (one per `key`). */
  async addExtra(m: { platform: string; chatId: string; messageId: string }, key: string, route: Record<string, unknown>, reply: Reply): Promise<void> {
    const data: ReplyJob = { platform: m.platform as Platform, chatId: m.chatId, messageId: m.messageId, route, reply, passive: false };
    await this.queue.add('reply', data, {
      jobId: `${jobIdOf(m.platform, m.messageId)}.${encodeURIComponent(key)}`,
      attempts: this.o.attempts ?? 6,
      backoff: { type: 'exponential', delay: this.o.retryBaseMs ?? 2_000 },
      removeOnComplete: { age: 86_400 },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  /**
   * The fast path: sends an answer at once, in the worker that applied the
   * message, before its inbound entry is acknowledged (so a crash means a
   * re-run, never a lost answer). True when done with it: sent, or refused for
   * good (config/fatal, logged). False when it should go through the queue
   * (no deliverer here, a transient failure or slow platform): the caller adds the job.
   */
  async sendNow(entry: InboundEntry, reply: Reply, timeoutMs: number): Promise<boolean> {
    const d = this.deliverers.get(entry.msg.platform as Platform);
    if (!d) return false;
    try {
      const sent = d(entry.route, reply);
      // One promise and one timer, settled by whichever comes first (a send that loses goes on, its outcome ignored).
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new SendError('retry', 'slow', 'inline send too slow')), timeoutMs);
        sent.then(() => { clearTimeout(timer); resolve(); }, (err: unknown) => { clearTimeout(timer); reject(err); });
      });
      return true;
    } catch (err) {
      const e = err instanceof SendError ? err : new SendError('retry', 'error', (err as Error).message);
      if (e.kind === 'config' || e.kind === 'fatal') {
        this.o.logger.warn({ platform: entry.msg.platform, code: e.code, kind: e.kind }, 'reply not delivered (not retried)');
        return true;
      }
      return false;
    }
  }

  startWorker(): void {
    this.worker = new Worker<ReplyJob>(this.o.queueName ?? REPLY_QUEUE, (job, token) => this.send(job, token), {
      connection: this.conn(),
      prefix: REPLY_PREFIX,
      concurrency: this.o.concurrency ?? 16,
      // A reply in hand when its instance dies is picked up again within seconds, not BullMQ's default 30 s.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    });
    this.worker.on('error', (err) => this.o.logger.error({ err: err.message }, 'reply worker error'));
  }

  private async send(job: Job<ReplyJob>, token: string | undefined): Promise<string> {
    const m = job.data;
    if (m.passive && !(await this.o.store.claimDelivery(m.platform, m.chatId, m.messageId, 'late'))) return 'answered passively';
    const d = this.deliverers.get(m.platform);
    if (!d) {
      // This instance does not run that platform's adapter (yet): leave the reply for a moment, not for good.
      this.o.logger.warn({ platform: m.platform }, 'reply waiting: no sender for the platform in this instance');
      await job.moveToDelayed(Date.now() + 2_000, token);
      throw new DelayedError();
    }
    try {
      await d(m.route, m.reply);
      return 'sent';
    } catch (err) {
      const e = err instanceof SendError ? err : new SendError('retry', 'error', (err as Error).message);
      const log = { platform: m.platform, code: e.code, kind: e.kind, attempt: job.attemptsMade + 1 };
      if (e.kind === 'config' || e.kind === 'fatal') {
        this.o.logger.warn(log, 'reply not delivered (not retried)');
        throw new UnrecoverableError(`${e.code}: ${e.message}`);
      }
      if (e.kind === 'rate_limited' && (m.postponed ?? 0) < 10) {
        await job.updateData({ ...m, postponed: (m.postponed ?? 0) + 1 });
        await job.moveToDelayed(Date.now() + Math.min(600_000, e.retryAfterMs ?? 60_000), token);
        throw new DelayedError();
      }
      this.o.logger.warn(log, 'reply delivery failed, will retry');
      throw e;
    }
  }

  /** Jobs not yet finished (waiting, delayed, active). */
  async unfinished(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  /** Closes within a few seconds even when Redis is down (BullMQ's close waits for Redis otherwise). */
  async close(): Promise<void> {
    const within = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    if (this.worker && !(await within(this.worker.close(), 3_000))) void this.worker.close(true).catch(() => undefined);
    await within(this.queue.close(), 1_000);
    for (const c of this.conns) closeBullConnection(c);
  }
}
