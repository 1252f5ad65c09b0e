import { isRedisError, waitReady, type RedisClient } from '../store/redis.js';
import { APOLOGY, GAVE_UP, withTimeout } from './worker-replies.js';
import type { InboundWorkerOptions } from './worker.js';
import type { Claimed, StreamEntry } from '../store/inbound-store.js';
import { StreamOrder } from './stream-order.js';
import { Wake } from './wake.js';

/** Retries of one failing entry before it is answered with an apology and finished. */
const MAX_ATTEMPTS = 8;
/** A message whose processing takes longer than this counts as a failed attempt. */
const RUN_TIMEOUT_MS = 30_000;
/** Most entries of one partition in hand at once (being applied or completed). */
export const MAX_IN_HAND = 64;
/** Entries a submit by the holder takes in hand at most (its own and what came before it). */
export const CLAIM_COUNT = 32;
/**
 * A claimed batch waits at most this long for entries handed to the reader before it (they
 * are on their way); past it the loop re-reads everything pending, in order.
 */
const ORDER_WAIT_MS = 2_000;

/** An entry skipped because an earlier one of its chat failed (it stays pending and is read again). */
const SKIPPED = new Error('skipped after an earlier failure');

/** One chat's entries in hand: what the next read and the next write wait for, and the order of answers and finishes. */
interface Lane {
  lastWrite: Promise<unknown>;
  sinceWrite: Array<Promise<unknown>>;
  /** The last entry's answer handed over (resolves true: go on). */
  delivered: Promise<boolean>;
  /** The last entry finished. */
  finished: Promise<void>;
  failed: boolean;
  inHand: number;
}

/** What completes an applied entry: its answer handed over (false: stop here), then the entry finished. */
interface Completion {
  deliver(): Promise<boolean>;
  finish(): Promise<void>;
}
const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The reader of one partition while this instance holds its lease. Entries come in two ways: its
 * reader's reads of the stream (what other instances submitted), and the submits of this instance,
 * which take new entries in hand in their own script (`claim`: no read back). Each entry goes to
 * its chat's lane at once: a chat's entries are applied in stream order (consecutive reads side by
 * side, a write after everything before it), chats side by side, and one slow chat holds no other.
 *
 * Stream order across the two ways: a claimed batch carries the group's last-delivered id before
 * it and waits until the reader's entries up to that id are in; a read waits for the claims sent
 * before it arrived. A failure stops taking entries, lets what is in hand complete, then re-reads
 * the pending list from its start, in order, as a new holder does.
 */
export class PartitionLoop {
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
  private readonly lanes = new Map<string, Lane>();
  private inHand = 0;
  /** Claimed and read entries put back in stream order. */
  private readonly order: StreamOrder;
  /** Whether the loop is in its steady state (past the recovery of what was pending). */
  private steady = false;
  private reading: Promise<void> | null = null;
  private failure: unknown = null;
  private readonly wake = new Wake();

  constructor(private readonly o: InboundWorkerOptions, readonly n: number, public validUntil: number, private readonly now: () => number) {
    this.order = new StreamOrder(now);
  }

  get stopped(): Promise<void> {
    return this.done;
  }

  start(): void {
    this.done = this.loop().catch((err: Error) => {
      this.o.logger.error({ err: err.message, partition: this.n }, 'inbound: partition loop ended');
    }).finally(() => { this.ended = true; this.steady = false; });
  }

  async stop(): Promise<void> {
    this.halted = true;
    this.steady = false;
    this.wake.poke();
    // Disconnecting ends a blocked read at once; entries in hand are completed first by the loop itself.
    this.reader?.disconnect();
    await this.done;
  }

  /** A submit is about to claim (only when `claimable`): its ticket, to pass to `claimed`. */
  begin(): number {
    return this.order.begin();
  }

  /** The submit of ticket t came back; what it took in hand (null: nothing, or it failed). */
  claimed(t: number, c: Claimed | null | undefined, failed = false): void {
    this.order.claimed(t, c && !this.halted ? c.prev : null, c?.entries ?? []);
    // Its script may have run (or still run, late): what it took is in the pending list only.
    if (failed && !this.halted) this.fail(new Error('inbound: a claiming submit failed'));
    this.settle();
  }

  /** Whether this instance's submits may take entries in hand now: steady, still the holder, no failure. */
  get claimable(): boolean {
    return this.steady && this.mine && !this.failure;
  }

  /** The lease is still confirmed recently enough (an entry in hand may be finished). */
  private get owns(): boolean {
    return this.now() < this.validUntil;
  }

  /** Still reading: not stopped, and still the holder. */
  private get mine(): boolean {
    return !this.halted && this.owns;
  }

  /** Moves claimed and read batches to the queue as their order allows. */
  private settle(): void {
    const before = this.order.queue.length;
    const err = this.order.settle(ORDER_WAIT_MS);
    if (err) this.fail(err);
    // Woken only for something new to apply: a claim still waiting for its place must not make the
    // loop spin (its reader's answer could then never be taken in).
    else if (this.order.queue.length > before) this.wake.poke();
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.wake.poke();
  }

  /** Resolves when nothing is in hand (every lane completed or skipped). */
  private async idle(): Promise<void> {
    while (this.inHand > 0) await this.wake.nudged(1_000);
  }

  private async loop(): Promise<void> {
    const { store, logger } = this.o;
    // Shorter than the client's command timeout, which also bounds a blocking read.
    const blockMs = this.o.blockMs ?? 400;
    let ready = false;
    let recovering = true;
    let fenced = false;
    let failures = 0;
    while (this.mine) {
      try {
        if (!this.reader) {
          this.reader = this.o.redis.duplicate();
          this.reader.on('error', () => undefined);
        }
        if (!ready) {
          await Promise.race([waitReady(this.reader), this.wake.pause(5_000)]);
          if (!this.mine) break;
          await store.ensureGroup(this.n, this.reader);
          ready = true;
        }
        if (recovering) {
          // A claim given up by its caller may still run: one round trip on the claims' connection
          // after it, so the pending list read next holds what it took.
          if (!fenced) {
            await store.fence(this.n);
            fenced = true;
          }
          // What was delivered and not finished (a dead holder's work, or ours before a failure),
          // from the start of the pending list, in order: each read completed before the next.
          const entries = await store.read(this.reader, this.n, true, CLAIM_COUNT, blockMs);
          failures = 0;
          if (entries.length > 0) {
            for (const e of entries) this.dispatch(e, true);
            await this.idle();
            if (this.failure) throw this.failure;
            continue;
          }
          // Nothing pending: from here on, what is new. The reader is idle, so the group's
          // last-delivered id is exactly what was handed out so far.
          this.order.highest = await store.lastDelivered(this.reader, this.n);
          recovering = false;
          this.steady = true;
          continue;
        }
        if (this.failure) throw this.failure;
        if (!this.reading && this.inHand < MAX_IN_HAND) this.readNew(blockMs);
        while (this.order.queue.length && this.inHand < MAX_IN_HAND) this.dispatch(this.order.queue.shift()!, false);
        await this.wake.nudged(ORDER_WAIT_MS);
        if (this.order.waiting) this.settle();
      } catch (err) {
        if (!this.mine) break;
        const message = (err as Error).message;
        if (/NOGROUP/.test(message)) {
          // The stream was lost (restart without AOF, flush, failover) and made anew: make the group again.
          store.forgetGroup(this.n);
          ready = false;
        }
        logger.warn({ err: message, partition: this.n }, 'inbound: read or apply failed, retrying');
        await this.reset();
        fenced = false;
        recovering = true; // re-read from the pending list, in order
        await this.wake.pause(Math.min(5_000, 250 * 2 ** Math.min(failures++, 5)));
      }
    }
    this.steady = false;
    await this.idle();
    this.reader?.disconnect();
  }

  /**
   * Before a recovery read: no more claims, the read and the claims in flight come back, what is
   * in hand completes, then everything not yet completed is forgotten here (it is all in the
   * pending list, which the recovery reads in order).
   */
  private async reset(): Promise<void> {
    this.steady = false;
    await this.reading;
    while (this.order.unanswered > 0) await this.wake.nudged(50);
    await this.idle();
    this.order.clear();
    this.lanes.clear();
    this.failure = null;
  }

  private readNew(blockMs: number): void {
    this.reading = this.o.store.read(this.reader!, this.n, false, Math.min(CLAIM_COUNT, MAX_IN_HAND - this.inHand), blockMs).then(
      (entries) => {
        // Any claim sent before this reply was taken in may have been run before the read was
        // answered: the entries wait for those claims to come back.
        this.order.read(entries);
      },
      (err) => { if (this.mine) this.fail(err); },
    ).finally(() => {
      this.reading = null;
      this.settle();
      this.wake.poke(); // the next read is due
    });
  }

  /**
   * Puts an entry in its chat's lane. An entry is applied, then completed: its answer handed over,
   * then the entry finished. A write is applied only after everything before it in the chat has
   * been applied, a read only after the write before it. Answers are handed over in arrival order,
   * each after the one before it; an entry is finished after its own answer and after the entry
   * before it was finished (so the next answer does not wait for the previous finish's round
   * trip). After a failure nothing later in the chat is started, answered or finished (it stays
   * pending and is read again, in order, with the failed one).
   */
  private dispatch(e: StreamEntry, recovered: boolean): void {
    const key = `${e.entry.msg.platform}\u0000${e.entry.msg.chatId}`;
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { lastWrite: RESOLVED, sinceWrite: [], delivered: RESOLVED_TRUE, finished: RESOLVED, failed: false, inHand: 0 }));
    const l = lane;
    this.inHand++;
    // Nothing else of the chat in hand (the usual case): nothing to wait for, so no promise joins.
    const alone = ++l.inHand === 1;
    const read = this.o.readOnly?.(e.entry) === true;
    const run = async () => {
      if (l.failed || !this.mine || this.failure) throw SKIPPED;
      return this.apply(e, recovered);
    };
    const before = alone ? null : read ? l.lastWrite : l.sinceWrite.length === 1 ? l.sinceWrite[0]! : Promise.all(l.sinceWrite);
    const applied = before ? before.then(run) : run();
    applied.catch(() => { l.failed = true; });
    if (!read) {
      l.lastWrite = applied;
      l.sinceWrite = [applied];
    } else if (l.sinceWrite.push(applied) > 16) {
      // Joined so the array stays short; the join keeps no results and is never left unhandled.
      const all = Promise.all(l.sinceWrite).then(() => undefined);
      all.catch(() => undefined);
      l.sinceWrite = [all];
    }
    let c: Completion;
    const delivered = alone
      ? applied.then((x) => (c = x).deliver())
      : Promise.all([applied, l.delivered]).then(([x, go]) => (go ? (c = x).deliver() : false));
    const finish = (go: boolean) => {
      if (!go) throw SKIPPED;
      return c.finish();
    };
    const finished = alone ? delivered.then(finish) : Promise.all([delivered, l.finished]).then(([go]) => finish(go));
    l.delivered = delivered;
    l.finished = finished;
    const settled = () => {
      this.inHand--;
      if (--l.inHand === 0 && this.lanes.get(key) === l) this.lanes.delete(key);
      this.wake.poke();
    };
    finished.then(settled, (err: unknown) => {
      l.failed = true;
      // Not finished, so still pending: a loop that goes on (its lease confirmed again) must read
      // it again, in order, or it would wait there until the next holder.
      this.fail(err === SKIPPED ? new Error('inbound: an entry was left pending') : err);
      settled();
    });
  }

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

  /** Runs an entry; returns what completes it (deliver, then finish). */
  private async apply(e: StreamEntry, recovered: boolean): Promise<Completion> {
    const { store, owner } = this.o;
    const m = e.entry.msg;
    const now = this.o.now ?? Date.now;
    if (recovered) {
      // A previous holder may have stored the answer and died before acknowledging it.
      const rec = await store.record(m.platform, m.chatId, m.messageId);
      if (rec?.s === 'done') {
        return {
          deliver: async () => {
            if (rec.reply) await this.o.deliver(e.entry, rec.reply);
            return true;
          },
          finish: async () => { await store.finish(this.n, e, rec.reply, rec.at, owner); },
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
        return {
          deliver: async () => {
            if (this.lost || !this.owns || !(await store.finish(this.n, e, GAVE_UP, now(), owner))) return false;
            this.attempts.delete(e.id);
            await this.o.deliver(e.entry, GAVE_UP);
            return true;
          },
          finish: () => RESOLVED,
        };
      }
    }
    return {
      deliver: async () => {
        // The partition moved on: its new holder runs the entry again (idempotent).
        if (this.lost || !this.owns) return false;
        if (reply) await this.o.deliver(e.entry, reply);
        return true;
      },
      finish: async () => {
        if (this.lost) return;
        if (!(await this.finish(e, reply ?? null, now()))) {
          this.o.logger.warn({ partition: this.n }, 'inbound: lease lost before finishing; the new holder takes the entry over');
          this.lost = true;
          this.halted = true;
          this.steady = false;
        }
      },
    };
  }
}
