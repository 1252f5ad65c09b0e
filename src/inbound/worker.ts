import { isRedisError, waitReady, type RedisClient } from '../store/redis.js';
import type { Reply } from '../core/message.js';
import type { Logger } from 'pino';
import { PARTITIONS, type InboundEntry, type InboundStore, type StreamEntry } from '../store/inbound-store.js';

export interface InboundWorkerOptions {
  store: InboundStore;
  /** Blocking reads need their own connections: one duplicate of this client per owned partition. */
  redis: RedisClient;
  /** Unique per process (host:pid:random). */
  owner: string;
  logger: Logger;
  /**
   * Applies one message and returns its answer (null: nothing to say). Rejects only
   * when the message could not be applied (Redis unreachable): the entry then stays
   * pending and is tried again, by this instance or the next lease holder.
   */
  run(entry: InboundEntry): Promise<unknown>;
  /** Hands the answer to durable delivery; must be idempotent per message (called again after a crash). */
  deliver(entry: InboundEntry, reply: unknown): Promise<void>;
  now?: () => number;
  /** A partition whose holder stops renewing is taken over after this long. */
  leaseMs?: number;
  /** Heartbeat, lease renewal and rebalancing period. */
  tickMs?: number;
  blockMs?: number;
}

const APOLOGY: Reply = {
  title: '整改督办',
  markdown: '抱歉，处理这条消息时出了点问题，请稍后再试或联系整改办。',
  text: '抱歉，处理这条消息时出了点问题，请稍后再试或联系整改办。',
  mentions: [],
  personal: true,
};

/**
 * Processes the inbound queue. Partitions are shared out between the live
 * instances by leases; the holder of a partition reads it alone, in order,
 * one entry at a time, and first re-reads what a previous holder left
 * unacknowledged. An entry is acknowledged only after its answer is stored
 * and handed to delivery, so a crash at any point means a re-run, and a
 * re-run changes nothing twice (writes are idempotent by message id).
 */
export class InboundWorker {
  private readonly loops = new Map<number, PartitionLoop>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  readonly leaseMs: number;
  readonly tickMs: number;
  private readonly now: () => number;

  constructor(readonly o: InboundWorkerOptions) {
    this.leaseMs = o.leaseMs ?? 6_000;
    this.tickMs = o.tickMs ?? Math.floor(this.leaseMs / 3);
    this.now = o.now ?? Date.now;
  }

  /** Partitions this instance holds now. */
  owned(): number[] {
    return [...this.loops.keys()].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref?.();
  }

  /** One heartbeat: renew what we hold, give back what is over our share, take free partitions up to it. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.ticking) this.ticking = this.rebalance().catch((err: Error) => {
      this.o.logger.warn({ err: err.message }, 'inbound: heartbeat failed');
    }).finally(() => { this.ticking = null; });
    return this.ticking;
  }

  private async rebalance(): Promise<void> {
    const { store, owner } = this.o;
    const live = await store.heartbeat(owner, this.now(), this.leaseMs);
    const share = Math.ceil(PARTITIONS / live);
    for (const [n, loop] of this.loops) {
      if (!(await store.renewLease(n, owner, this.leaseMs))) {
        this.o.logger.warn({ partition: n }, 'inbound: lease lost');
        this.loops.delete(n);
        void loop.stop();
      }
    }
    for (const n of this.owned().slice(share)) {
      const loop = this.loops.get(n)!;
      this.loops.delete(n);
      await loop.stop();
      await store.releaseLease(n, owner);
    }
    // Start at an owner-specific offset so instances starting together do not race for the same partitions.
    const offset = [...owner].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) % PARTITIONS;
    for (let i = 0; i < PARTITIONS && this.loops.size < share && !this.stopped; i++) {
      const n = (offset + i) % PARTITIONS;
      if (this.loops.has(n)) continue;
      if (await store.tryLease(n, owner, this.leaseMs)) {
        const loop = new PartitionLoop(this.o, n);
        this.loops.set(n, loop);
        loop.start();
      }
    }
  }

  /** Finishes the entries in hand, gives every lease back, leaves the member list. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    const loops = [...this.loops];
    this.loops.clear();
    await Promise.all(loops.map(async ([n, loop]) => {
      await loop.stop();
      await this.o.store.releaseLease(n, this.o.owner).catch(() => undefined);
    }));
    await this.o.store.leave(this.o.owner).catch(() => undefined);
  }
}

/** The reader of one partition while this instance holds its lease. */
class PartitionLoop {
  private stopped = false;
  private reader: RedisClient | null = null;
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly o: InboundWorkerOptions, readonly n: number) {}

  start(): void {
    this.done = this.loop().catch((err: Error) => {
      this.o.logger.error({ err: err.message, partition: this.n }, 'inbound: partition loop ended');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Disconnecting ends a blocked read at once; an entry in hand is finished first by the loop itself.
    this.reader?.disconnect();
    await this.done;
  }

  private async loop(): Promise<void> {
    const { store, logger } = this.o;
    // Shorter than the client's command timeout, which also bounds a blocking read.
    const blockMs = this.o.blockMs ?? 400;
    let pending = true;
    let ready = false;
    while (!this.stopped) {
      try {
        if (!this.reader) {
          this.reader = this.o.redis.duplicate();
          this.reader.on('error', () => undefined);
        }
        if (!ready) {
          await waitReady(this.reader);
          if (this.stopped) break;
          await store.ensureGroup(this.n, this.reader);
          ready = true;
        }
        const entries = await store.read(this.reader, this.n, pending, 32, blockMs);
        if (pending && entries.length === 0) {
          pending = false;
          continue;
        }
        for (const e of entries) {
          if (this.stopped) break;
          await this.process(e, pending);
        }
      } catch (err) {
        if (this.stopped) break;
        logger.warn({ err: (err as Error).message, partition: this.n }, 'inbound: read or apply failed, retrying');
        pending = true; // re-read from the pending list, in order
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.reader?.disconnect();
  }

  private async process(e: StreamEntry, recovered: boolean): Promise<void> {
    const { store } = this.o;
    const m = e.entry.msg;
    if (recovered) {
      // A previous holder may have stored the answer and died before acknowledging it.
      const rec = await store.record(m.platform, m.chatId, m.messageId);
      if (rec?.s === 'done') {
        if (rec.reply) await this.o.deliver(e.entry, rec.reply);
        await store.finish(this.n, e, rec.reply, rec.at);
        return;
      }
    }
    let reply: unknown;
    try {
      reply = await this.o.run(e.entry);
    } catch (err) {
      // Redis unreachable: leave the entry pending and try again. Anything else would fail
      // the same way every time: answer with an apology instead of blocking the partition.
      if (isRedisError(err)) throw err;
      this.o.logger.error({ err: (err as Error).message, partition: this.n, messageId: m.messageId }, 'inbound: message failed');
      reply = APOLOGY;
    }
    if (reply) await this.o.deliver(e.entry, reply);
    await store.finish(this.n, e, reply ?? null, (this.o.now ?? Date.now)());
  }
}
