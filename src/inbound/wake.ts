const RESOLVED: Promise<void> = Promise.resolve();

/**
 * How a partition loop waits: for a poke (something new to do) or a time, whichever comes first.
 * A poke that comes while nobody waits is kept for the next `nudged`, so none is lost; a timer
 * that ends a wait never clears the wake of a later one.
 */
export class Wake {
  private dirty = false;
  private wake: (() => void) | null = null;

  /** Wakes the current wait (or the next `nudged`, if nobody waits). */
  poke(): void {
    this.dirty = true;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Resolves on the next poke (at once if one came since the last wait), or after ms. */
  nudged(ms: number): Promise<void> {
    if (this.dirty) {
      this.dirty = false;
      return RESOLVED;
    }
    return this.until(ms, true);
  }

  /** Waits ms; a poke (a stop) ends it early and stays kept for the next `nudged`. */
  pause(ms: number): Promise<void> {
    return this.until(ms, false);
  }

  private until(ms: number, consume: boolean): Promise<void> {
    return new Promise((r) => {
      const w = () => {
        clearTimeout(t);
        if (this.wake === w) this.wake = null;
        if (consume) this.dirty = false;
        r();
      };
      const t = setTimeout(() => { if (this.wake === w) this.wake = null; r(); }, ms);
      this.wake = w;
    });
  }
}
