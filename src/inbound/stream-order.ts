import type { StreamEntry } from '../store/inbound-store.js';

/** Whether stream id a comes before b ("ms-seq"). */
export function idBefore(a: string, b: string): boolean {
  const i = a.indexOf('-');
  const j = b.indexOf('-');
  const ma = Number(a.slice(0, i));
  const mb = Number(b.slice(0, j));
  return ma !== mb ? ma < mb : Number(a.slice(i + 1)) < Number(b.slice(j + 1));
}

/**
 * Puts the entries a partition's holder gets in two ways back in stream order. Its reader's reads
 * (on their own connection) and its own submits' claims (on the main connection) are answered by
 * Redis in one order but may be taken in by Node in another. So:
 * - a claim carries the group's last-delivered id before it, and waits until everything up to
 *   that id is in (it was handed to the reader, whose answer is on its way);
 * - a read waits for every claim sent before its answer was taken in (any of them may have run
 *   in Redis before the read was answered).
 * Neither waits for the other in a cycle: a claim waits for reads only, a read for claims still
 * unanswered, which come back whatever happens (answered, failed or timed out).
 */
export class StreamOrder {
  /** Entries in stream order, ready to be applied. */
  queue: StreamEntry[] = [];
  /** The highest stream id put in the queue (or delivered before the holder began). */
  highest = '0-0';
  private ticket = 0;
  private readonly open = new Set<number>();
  private claims: Array<{ prev: string; entries: StreamEntry[]; since: number }> = [];
  private reads: Array<{ after: number; entries: StreamEntry[] }> = [];

  constructor(private readonly now: () => number) {}

  /** A claim is about to be sent: its ticket. */
  begin(): number {
    const t = ++this.ticket;
    this.open.add(t);
    return t;
  }

  /** Claims sent and not answered yet. */
  get unanswered(): number {
    return this.open.size;
  }

  /** The claim of ticket t was answered: what it took (nothing when it failed or took nothing). */
  claimed(t: number, prev: string | null, entries: StreamEntry[]): void {
    this.open.delete(t);
    if (prev !== null && entries.length) this.claims.push({ prev, entries, since: this.now() });
  }

  /** A read was answered (now, as it is taken in). */
  read(entries: StreamEntry[]): void {
    if (entries.length) this.reads.push({ after: this.ticket, entries });
  }

  /**
   * Moves what may go to the queue. Returns an error when the order cannot be made (an entry at or
   * below what was queued, or a claim that waited over `maxWaitMs`): start again from the pending list.
   */
  settle(maxWaitMs: number): Error | null {
    for (let moved = true; moved;) {
      moved = false;
      const c = this.claims[0];
      if (c && !idBefore(this.highest, c.prev)) {
        this.claims.shift();
        const err = this.enqueue(c.entries);
        if (err) return err;
        moved = true;
      }
      const r = this.reads[0];
      if (r && !this.unansweredUpTo(r.after)) {
        this.reads.shift();
        const err = this.enqueue(r.entries);
        if (err) return err;
        moved = true;
      }
    }
    if (this.claims.length && this.now() - this.claims[0]!.since > maxWaitMs) return new Error('inbound: a claimed batch waited too long for its place');
    return null;
  }

  /** Whether a claim waits for its place. */
  get waiting(): boolean {
    return this.claims.length > 0;
  }

  /** Forgets everything not yet applied (it is all in the pending list); `highest` stays. */
  clear(): void {
    this.queue = [];
    this.claims = [];
    this.reads = [];
  }

  /** Whether a claim of ticket `after` or before is still unanswered (no copy of the set: this runs per batch). */
  private unansweredUpTo(after: number): boolean {
    for (const t of this.open) if (t <= after) return true;
    return false;
  }

  private enqueue(entries: StreamEntry[]): Error | null {
    for (const e of entries) {
      // Never in a correct run: the entry is out of stream order.
      if (!idBefore(this.highest, e.id)) return new Error(`inbound: entry ${e.id} came after ${this.highest}`);
      this.queue.push(e);
      this.highest = e.id;
    }
    return null;
  }
}
