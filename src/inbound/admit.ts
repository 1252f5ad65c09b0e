/**
 * Backpressure on acknowledgements. A message is persisted first, always; when
 * more than `backlog` entries were already waiting in its partition, the
 * acknowledgement (the HTTP 200 a platform waits for before it sends the
 * next callback) is held until the partition has finished enough of them that
 * at most `backlog` of those are left, or `waitMs` have passed. So a sender
 * that pushes faster than the partition is applied is slowed to its pace
 * instead of building a queue that takes seconds to work off, and under normal
 * load nothing waits at all.
 *
 * The progress comes from the partition's finished counter (`rb:{in:N}:done`):
 * the submit script returns it with the message (no extra round trip), this
 * process's own finishes report it in-process, and only for partitions another
 * instance holds it is read from Redis, once per partition per `pollMs`
 * whatever the number of held acknowledgements.
 */
export interface AdmitGateOptions {
  /** Entries that may wait in a partition before acknowledgements are held. */
  backlog: number;
  /** Longest hold of one acknowledgement (ms); 0 disables holding. */
  waitMs: number;
  /** Whether this process applies partition n (its finishes are then reported to `finished`). */
  local(n: number): boolean;
  /** The finished counter of partition n as this process last saw it. */
  seen(n: number): number;
  /** Reads the finished counter of partition n from Redis. */
  read(n: number): Promise<number>;
  /** How often held acknowledgements are checked (timeouts, another instance's counter); default 10 ms. */
  pollMs?: number;
  now?: () => number;
}

/** How a held acknowledgement ended. */
export type AdmitOutcome = 'released' | 'timeout';

interface Waiter {
  /** The counter value at which enough has been finished. */
  until: number;
  deadline: number;
  resolve(o: AdmitOutcome): void;
}

export class AdmitGate {
  private readonly waiting = new Map<number, Set<Waiter>>();
  private readonly reading = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /** Acknowledgements held so far, by outcome (for logs and tests). */
  readonly held = { released: 0, timeout: 0 };

  constructor(private readonly o: AdmitGateOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Whether acknowledgements are ever held. */
  get enabled(): boolean {
    return this.o.waitMs > 0;
  }

  /** Entries that may wait in a partition before acknowledgements are held. */
  get backlog(): number {
    return this.o.backlog;
  }

  /** Whether a message with `ahead` entries before it would be held. */
  holds(ahead: number): boolean {
    return this.enabled && ahead > this.o.backlog;
  }

  /**
   * Holds until partition n's finished counter reaches `done + ahead - backlog`
   * (`done`: the counter when the message was persisted) or `waitMs` pass.
   */
  wait(n: number, ahead: number, done: number): Promise<AdmitOutcome> {
    const until = done + ahead - this.o.backlog;
    if (!this.holds(ahead) || this.progress(n) >= until) return Promise.resolve('released');
    return new Promise<AdmitOutcome>((resolve) => {
      let set = this.waiting.get(n);
      if (!set) this.waiting.set(n, (set = new Set()));
      const w: Waiter = {
        until, deadline: this.now() + this.o.waitMs,
        resolve: (o) => { set!.delete(w); if (!set!.size) this.waiting.delete(n); this.held[o]++; resolve(o); this.idle(); },
      };
      set.add(w);
      if (!this.timer) {
        this.timer = setInterval(() => this.tick(), this.o.pollMs ?? 10);
        this.timer.unref?.();
      }
    });
  }

  /** A finish of this process on partition n: the counter is now `done`. */
  finished(n: number, done: number): void {
    const set = this.waiting.get(n);
    if (set) for (const w of [...set]) if (done >= w.until) w.resolve('released');
  }

  /** Lets every held acknowledgement go (shutdown). */
  releaseAll(): void {
    for (const set of [...this.waiting.values()]) for (const w of [...set]) w.resolve('released');
  }

  private progress(n: number): number {
    return this.o.seen(n);
  }

  private tick(): void {
    const t = this.now();
    for (const [n, set] of [...this.waiting]) {
      for (const w of [...set]) if (t >= w.deadline) w.resolve('timeout');
      if (!this.waiting.has(n)) continue;
      if (this.o.local(n)) this.finished(n, this.o.seen(n));
      else if (!this.reading.has(n)) {
        // Another instance applies this partition: one read of its counter per tick.
        this.reading.add(n);
        this.o.read(n).then((d) => this.finished(n, d), () => undefined).finally(() => this.reading.delete(n));
      }
    }
  }

  private idle(): void {
    if (this.waiting.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
