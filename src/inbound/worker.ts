import { isRedisError, waitReady, type RedisClient } from '../store/redis.js';
import { APOLOGY, GAVE_UP, withTimeout } from './worker-replies.js';
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
 * instances by leases; the holder of a partition reads it alone, each chat's
 * entries in order and one at a time (chats side by side), and first re-reads what a previous holder left
 * unacknowledged. An entry is acknowledged only after its answer is stored
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

/** Retries of one failing entry before it is answered with an apology and finished. */
const MAX_ATTEMPTS = 8;
/** A message whose processing takes longer than this counts as a failed attempt. */
const RUN_TIMEOUT_MS = 30_000;

/** The reader of one partition while this instance holds its lease. */
class PartitionLoop {
  private halted = false;
  private reader: RedisClient | null = null;
  private done: Promise<void> = Promise.resolve();
  /** Set when the loop has ended by itself (its lease ran out unconfirmed). */
  ended = false;
  private readonly attempts = new Map<string, number>();
  /** A finish found the lease taken: nothing more is delivered or finished here. */
  private lost = false;
  /** Finishes asked for in this event-loop turn, sent together (one script) on the next. */
  private finishing: Array<{ e: StreamEntry; reply: unknown; at: number; done: (ok: boolean) => void; fail: (err: unknown) => void }> = [];

  /** store.finish, gathered per event-loop turn into one finishMany (same fencing: one lease check). */
  private finish(e: StreamEntry, reply: unknown, at: number): Promise<boolean> {
    return new Promise((done, fail) => {
      if (this.finishing.push({ e, reply, at, done, fail }) > 1) return;
      setImmediate(() => {
        const batch = this.finishing;
        this.finishing = [];
        this.o.store.finishMany(this.n, batch, this.o.owner).then(
          (ok) => { for (const b of batch) b.done(ok); },
          (err) => { for (const b of batch) b.fail(err); },
        );
      });
    });
  }
  private wake: (() => void) | null = null;

  constructor(private readonly o: InboundWorkerOptions, readonly n: number, public validUntil: number, private readonly now: () => number) {}

  get stopped(): Promise<void> {
    return this.done;
  }

  start(): void {
    this.done = this.loop().catch((err: Error) => {
      this.o.logger.error({ err: err.message, partition: this.n }, 'inbound: partition loop ended');
    }).finally(() => { this.ended = true; });
  }

  async stop(): Promise<void> {
    this.halted = true;
    this.wake?.();
    // Disconnecting ends a blocked read at once; an entry in hand is finished first by the loop itself.
    this.reader?.disconnect();
    await this.done;
  }

  /** The lease is still confirmed recently enough (an entry in hand may be finished). */
  private get owns(): boolean {
    return this.now() < this.validUntil;
  }

  /** Still reading: not stopped, and still the holder. */
  private get mine(): boolean {
    return !this.halted && this.owns;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(() => { this.wake = null; r(); }, ms);
      this.wake = () => { clearTimeout(t); this.wake = null; r(); };
    });
  }

  private async loop(): Promise<void> {
    const { store, logger } = this.o;
    // Shorter than the client's command timeout, which also bounds a blocking read.
    const blockMs = this.o.blockMs ?? 400;
    let pending = true;
    let ready = false;
    let failures = 0;
    while (this.mine) {
      try {
        if (!this.reader) {
          this.reader = this.o.redis.duplicate();
          this.reader.on('error', () => undefined);
        }
        if (!ready) {
          await Promise.race([waitReady(this.reader), this.pause(5_000)]);
          if (!this.mine) break;
          await store.ensureGroup(this.n, this.reader);
          ready = true;
        }
        const entries = await store.read(this.reader, this.n, pending, 32, blockMs);
        failures = 0;
        if (pending && entries.length === 0) {
          pending = false;
          continue;
        }
        await this.processBatch(entries, pending);
      } catch (err) {
        if (!this.mine) break;
        const message = (err as Error).message;
        if (/NOGROUP/.test(message)) {
          // The stream was lost (restart without AOF, flush, failover) and made anew: make the group again.
          store.forgetGroup(this.n);
          ready = false;
        }
        logger.warn({ err: message, partition: this.n }, 'inbound: read or apply failed, retrying');
        pending = true; // re-read from the pending list, in order
        await this.pause(Math.min(5_000, 250 * 2 ** Math.min(failures++, 5)));
      }
    }
    this.reader?.disconnect();
  }

  /**
   * One read's entries: each chat's in arrival order, one at a time, and the
   * chats side by side (a partition holds many chats; one slow answer must not
   * hold the others). A chat whose entry fails stops there; its later entries
   * stay pending with the failed one and are read again, in order.
   */
  private async processBatch(entries: StreamEntry[], recovered: boolean): Promise<void> {
    if (entries.length === 1) return this.processChat(entries, recovered);
    const chats = new Map<string, StreamEntry[]>();
    for (const e of entries) {
      const key = `${e.entry.msg.platform}\u0000${e.entry.msg.chatId}`;
      const list = chats.get(key);
      if (list) list.push(e);
      else chats.set(key, [e]);
    }
    const results = await Promise.allSettled([...chats.values()].map((list) => this.processChat(list, recovered)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * One chat's entries in order. An entry is applied, then completed (its
   * answer delivered, then the entry finished). A write is applied only after
   * everything before it has been applied, a read only after the write before
   * it, so consecutive reads run side by side; an entry is applied while
   * earlier ones complete, so a slow platform send does not hold the next
   * message. Answers go out in arrival order, no entry is finished before its
   * answer is handed over, and after a failure nothing later is started or
   * completed (it is read again, in order, with the failed one).
   */
  private async processChat(list: StreamEntry[], recovered: boolean): Promise<void> {
    if (list.length === 1) {
      // One entry (the usual read): nothing to order it against, so neither read/write nor chaining.
      if (!this.mine) return;
      const complete = await this.apply(list[0]!, recovered);
      if (complete) await complete();
      return;
    }
    let lastWrite: Promise<unknown> = Promise.resolve();
    let sinceWrite: Array<Promise<unknown>> = [];
    let completing: Promise<void> = Promise.resolve();
    let failed = false;
    for (const e of list) {
      if (!this.mine || failed) break;
      const read = this.o.readOnly?.(e.entry) === true;
      try {
        await (read ? lastWrite : Promise.all(sinceWrite));
      } catch {
        break; // an earlier apply failed: `completing` carries its error
      }
      if (failed || !this.mine) break;
      const applied = this.apply(e, recovered);
      applied.catch(() => { failed = true; });
      if (read) sinceWrite.push(applied);
      else {
        lastWrite = applied;
        sinceWrite = [applied];
      }
      const previous = completing;
      completing = (async () => {
        const [done, before] = await Promise.allSettled([applied, previous]);
        if (before.status === 'rejected') throw before.reason;
        if (done.status === 'rejected') throw done.reason;
        if (done.value) await done.value();
      })();
      completing.catch(() => { failed = true; });
    }
    await completing;
  }

  /** Runs an entry; returns what completes it (deliver and finish), or null when nothing is left to do. */
  private async apply(e: StreamEntry, recovered: boolean): Promise<(() => Promise<void>) | null> {
    const { store, owner } = this.o;
    const m = e.entry.msg;
    const now = this.o.now ?? Date.now;
    if (recovered) {
      // A previous holder may have stored the answer and died before acknowledging it.
      const rec = await store.record(m.platform, m.chatId, m.messageId);
      if (rec?.s === 'done') {
        return async () => {
          if (rec.reply) await this.o.deliver(e.entry, rec.reply);
          await store.finish(this.n, e, rec.reply, rec.at, owner);
        };
      }
    }
    let reply: unknown;
    try {
      reply = await withTimeout(this.o.run(e.entry), RUN_TIMEOUT_MS);
      this.attempts.delete(e.id);
    } catch (err) {
      const message = (err as Error).message;
      // Redis down: leave the entry pending and wait for Redis, however long (nothing is lost).
      if (isRedisError(err) && !/timed out/i.test(message)) throw err;
      const tries = (this.attempts.get(e.id) ?? 0) + 1;
      this.attempts.set(e.id, tries);
      // Slow (a command or the run timed out): try again a bounded number of times, so one
      // message that always fails or hangs cannot hold its partition's chats for good.
      const slow = isRedisError(err) || message === 'run timed out';
      if (slow && tries < MAX_ATTEMPTS) throw err;
      this.o.logger.error({ err: message, partition: this.n, messageId: m.messageId, tries }, 'inbound: message failed');
      if (!slow) reply = APOLOGY;
      else {
        // Given up: the outcome is stored first, so a Redis that is still failing gives no notice
        // (the entry stays pending and runs again when Redis answers) and a notice never
        // contradicts a later real answer.
        return async () => {
          if (this.lost || !this.owns || !(await store.finish(this.n, e, GAVE_UP, now(), owner))) return;
          this.attempts.delete(e.id);
          await this.o.deliver(e.entry, GAVE_UP);
        };
      }
    }
    return async () => {
      // The partition moved on: its new holder runs the entry again (idempotent).
      if (this.lost || !this.owns) return;
      if (reply) await this.o.deliver(e.entry, reply);
      if (!(await this.finish(e, reply ?? null, now()))) {
        this.o.logger.warn({ partition: this.n }, 'inbound: lease lost before finishing; the new holder takes the entry over');
        this.lost = true;
        this.halted = true;
      }
    };
  }
}
