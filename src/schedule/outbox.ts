import { Queue } from 'bullmq';
import type { Reply } from '../core/message.js';
import type { ChatSender } from '../core/sender.js';
import type { ScheduleStore } from '../store/schedule-store.js';
import { bullConnection, closeBullConnection } from '../store/schedule-store.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import type { ChatRef } from './compose.js';

/** The BullMQ queue holding scheduled messages until they are sent. */
export const OUTBOX_QUEUE = 'deliver';
/** Hash-tagged prefix: every outbox key lands in one cluster slot, as BullMQ requires. */
export const OUTBOX_PREFIX = 'rb:{outbox}';

/** `direct`: a 1:1 reminder; `approval`: the office's 1:1 copy of an approval card. */
export type MessageKind = 'digest' | 'remind' | 'manual' | 'direct' | 'approval';

/** One message in the outbox. Channel secrets are not stored: the binding is read at send time. */
export interface OutboxJob {
  kind: MessageKind;
  platform: ChatRef['platform'];
  chatId: string;
  ledgerId: string;
  /** The schedule slot (ms) the message belongs to. */
  slot: number;
  reply: Reply;
  robotKey: string;
  /** Planned send time (ms), spaced per robot. */
  plannedAt: number;
  /** How often the platform or our limiter pushed it back. */
  postponed?: number;
  /** A 1:1 message: the person's platform user id (`chatId` stays the group it belongs to). */
  to?: string;
  /** The person's name, for the delivery log. */
  toName?: string;
}

/** A robot's 4 KB markdown limit splits long messages; each part costs a send. */
const PART_BYTES = 3800;

export function estimateParts(reply: Reply): number {
  return Math.max(1, Math.ceil(Buffer.byteLength(reply.markdown) / PART_BYTES));
}

/** BullMQ ids may not contain ':' and must be unique per chat, kind and slot. */
export function jobIdOf(kind: MessageKind, platform: string, chatId: string, slot: number): string {
  return `${kind}.${platform}.${encodeURIComponent(chatId)}.${slot}`;
}

export interface OutboxOptions {
  redisUrl: string;
  robotLimit: number;
  robotWindowMs: number;
  attempts: number;
  retryBaseMs: number;
  /** Queue name (tests use their own); default `deliver`. */
  queueName?: string;
}

/**
 * The durable outbox. Enqueueing plans each message on its robot's timeline
 * (limit/window apart), so the queue itself keeps within the platform limit
 * and the sender's own limiter rarely has to wait.
 */
export class Outbox {
  readonly queue: Queue;
  readonly spacingMs: number;

  constructor(private readonly o: OutboxOptions, private readonly sched: ScheduleStore, private readonly log: DeliveryLog) {
    this.queue = new Queue(o.queueName ?? OUTBOX_QUEUE, { connection: bullConnection(o.redisUrl), prefix: OUTBOX_PREFIX });
    // 5% slack: our clock and the platform's are not the same clock.
    this.spacingMs = Math.ceil((o.robotWindowMs * 1.05) / o.robotLimit);
  }

  /**
   * Adds a message; a second add for the same (kind, chat, slot) is a no-op.
   * `channel` (the binding's send settings) only picks the robot here.
   */
  async enqueue(
    chat: ChatRef, channel: Record<string, string>, kind: MessageKind, slot: number, reply: Reply,
    sender: ChatSender | undefined, now: number,
  ): Promise<string> {
    const jobId = jobIdOf(kind, chat.platform, chat.chatId, slot);
    if (await this.queue.getJob(jobId)) return jobId;
    const robotKey = sender ? sender.robotKey({ platform: chat.platform, chatId: chat.chatId, channel }) : `${chat.platform}:none`;
    const plannedAt = await this.sched.reserveRobot(robotKey, now, this.spacingMs, estimateParts(reply));
    const data: OutboxJob = { kind, platform: chat.platform, chatId: chat.chatId, ledgerId: chat.ledgerId, slot, reply, robotKey, plannedAt };
    await this.add(jobId, data, plannedAt - now);
    await this.log.add({
      at: new Date(now).toISOString(), platform: chat.platform, chatId: chat.chatId, ledgerId: chat.ledgerId,
      kind, slot: new Date(slot).toISOString(), jobId, status: 'queued',
    });
    return jobId;
  }

  /**
   * Adds a 1:1 message for `to` on behalf of group `chat`; `key` makes it unique
   * (a slot, or an approval card id), so a second add is a no-op. Spaced on
   * the person's own send key (WeCom: 30 a minute per member and app).
   */
  async enqueueDirect(
    chat: ChatRef, kind: 'direct' | 'approval', to: { userId: string; name: string }, key: string, slot: number, reply: Reply,
    sender: ChatSender | undefined, now: number,
  ): Promise<string> {
    const jobId = `${kind}.${chat.platform}.${encodeURIComponent(to.userId)}.${encodeURIComponent(chat.chatId)}.${encodeURIComponent(key)}`;
    if (await this.queue.getJob(jobId)) return jobId;
    const robotKey = sender?.directKey ? sender.directKey(to.userId) : `${chat.platform}:direct:none`;
    const plannedAt = await this.sched.reserveRobot(robotKey, now, this.spacingMs, estimateParts(reply));
    const data: OutboxJob = {
      kind, platform: chat.platform, chatId: chat.chatId, ledgerId: chat.ledgerId, slot, reply, robotKey, plannedAt, to: to.userId, toName: to.name,
    };
    await this.add(jobId, data, plannedAt - now);
    await this.log.add({
      at: new Date(now).toISOString(), platform: chat.platform, chatId: chat.chatId, ledgerId: chat.ledgerId,
      kind, slot: new Date(slot).toISOString(), jobId, status: 'queued', to: to.userId, toName: to.name,
    });
    return jobId;
  }

  private async add(jobId: string, data: OutboxJob, delay: number): Promise<void> {
    await this.queue.add(data.kind, data, {
      jobId,
      delay: Math.max(0, delay),
      attempts: this.o.attempts,
      backoff: { type: 'exponential', delay: this.o.retryBaseMs },
      // Kept a day so a late duplicate add of the same slot still finds it.
      removeOnComplete: { age: 86400 },
      removeOnFail: { age: 7 * 86400 },
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
    closeBullConnection(this.queue.opts.connection);
  }
}
