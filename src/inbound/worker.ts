import type { RedisClient } from '../store/redis.js';
import type { Logger } from 'pino';
import { PARTITIONS, type InboundEntry, type InboundStore } from '../store/inbound-store.js';
import { PartitionLoop } from './partition-loop.js';

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
  /**
   * Whether an entry only reads (a read command): a chat's consecutive reads are applied side by
   * side; a write waits for everything before it, and a read for the write before it. Absent: none.
   */
  readOnly?(entry: InboundEntry): boolean;
  /** Hands the answer to durable delivery; must be idempotent per message (called again after a crash). */
  deliver(entry: InboundEntry, reply: unknown): Promise<void>;
  now?: () => number;
  /** A partition whose holder stops renewing is taken over after this long. */
  leaseMs?: number;
  /** Heartbeat, lease renewal and rebalancing period. */
  tickMs?: number;
  blockMs?: number;
}

/**
 * Processes the inbound queue. Partitions are shared out between the live
 * instances by leases; the holder of a partition applies it alone, each chat's
 * entries in order (chats side by side), and first re-reads what a previous holder left
 * unacknowledged. The holder's own submits take their entries in hand as they persist them
 * (src/inbound/partition-loop.ts). An entry is acknowledged only after its answer is stored
 * and handed to delivery, so a crash at any point means a re-run, and a
 * re-run changes nothing twice (writes are idempotent by message id).
 */
export class InboundWorker {
  private readonly loops = new Map<number, PartitionLoop>();
  private readonly retiring = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  readonly leaseMs: number;
  readonly tickMs: number;
  /** A loop stops this long before its last confirmed lease would run out (clock drift, slow commands). */
  readonly margin: number;
  private readonly now: () => number;

  constructor(readonly o: InboundWorkerOptions) {
    this.leaseMs = o.leaseMs ?? 6_000;
    this.tickMs = o.tickMs ?? Math.floor(this.leaseMs / 3);
    this.margin = Math.floor(this.leaseMs / 6);
    this.now = o.now ?? Date.now;
  }

  /** Whether this instance applies partition n now. */
  holds(n: number): boolean {
    return this.loops.has(n);
  }

  /** The loop of partition n when this instance's submits may take its new entries in hand now. */
  claimer(n: number): PartitionLoop | null {
    const loop = this.loops.get(n);
    return loop?.claimable ? loop : null;
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
    const live = await store.heartbeat(owner, this.now(), this.leaseMs).catch((err: Error) => {
      this.o.logger.warn({ err: err.message }, 'inbound: heartbeat failed');
      return null;
    });
    // Each partition on its own: one failing node (a cluster master down) must not stop the
    // renewal of leases on the others, while their loops keep reading.
    await Promise.all([...this.loops].map(async ([n, loop]) => {
      const asked = this.now();
      const kept = await store.renewLease(n, owner, this.leaseMs).catch(() => null);
      if (kept === true) loop.validUntil = asked + this.leaseMs - this.margin;
      else if (kept === false && this.loops.get(n) === loop) {
        this.o.logger.warn({ partition: n }, 'inbound: lease lost');
        this.retire(n, loop);
      }
      // null (renewal unknown): the loop goes on until its last confirmed lease runs out, then stops itself.
    }));
    for (const [n, loop] of this.loops) if (loop.ended) this.loops.delete(n);
    if (live === null) return;
    const share = Math.ceil(PARTITIONS / live);
    for (const n of this.owned().slice(share)) {
      const loop = this.loops.get(n)!;
      this.retire(n, loop);
      await loop.stopped;
      await store.releaseLease(n, owner).catch(() => undefined);
    }
    // Start at an owner-specific offset so instances starting together do not race for the same partitions.
    const offset = [...owner].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) % PARTITIONS;
    for (let i = 0; i < PARTITIONS && this.loops.size < share && !this.stopped; i++) {
      const n = (offset + i) % PARTITIONS;
      // Never two loops of ours on one partition: a retired one must have finished first.
      if (this.loops.has(n) || this.retiring.has(n)) continue;
      const asked = this.now();
      if (await store.tryLease(n, owner, this.leaseMs).catch(() => false)) {
        const loop = new PartitionLoop(this.o, n, asked + this.leaseMs - this.margin, this.now);
        this.loops.set(n, loop);
        loop.start();
      }
    }
  }

  /** Stops a loop; its partition is not taken again by us until it has finished its entry in hand. */
  private retire(n: number, loop: PartitionLoop): void {
    this.loops.delete(n);
    const done = loop.stop().finally(() => this.retiring.delete(n));
    this.retiring.set(n, done);
  }

  /** Finishes the entries in hand, gives every lease back, leaves the member list. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    const loops = [...this.loops];
    this.loops.clear();
    await Promise.all([...this.retiring.values()]);
    await Promise.all(loops.map(async ([n, loop]) => {
      await loop.stop();
      await this.o.store.releaseLease(n, this.o.owner).catch(() => undefined);
    }));
    await this.o.store.leave(this.o.owner).catch(() => undefined);
  }
}
