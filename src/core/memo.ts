/**
 * Remembers a pure function's results for the last few thousand distinct inputs. Chat traffic
 * repeats itself (the same 进度, the same aspect titles in every answer, the same chats), so the
 * second time costs a Map lookup. Bounded: when full, the oldest input is forgotten (a Map keeps
 * insertion order); a dependency such as lru-cache would add recency order, which inputs that
 * repeat in bursts do not need. Only for functions whose result is never mutated by a caller.
 */
export function memoize<A extends string, R>(fn: (a: A) => R, max = 4096): ((a: A) => R) & { readonly size: number } {
  const seen = new Map<A, R>();
  const m = ((a: A): R => {
    const hit = seen.get(a);
    if (hit !== undefined || seen.has(a)) return hit as R;
    const r = fn(a);
    if (seen.size >= max) seen.delete(seen.keys().next().value!);
    seen.set(a, r);
    return r;
  }) as ((a: A) => R) & { readonly size: number };
  Object.defineProperty(m, 'size', { get: () => seen.size });
  return m;
}

/**
 * Values remembered with the version of the data they were built from (e.g. a read command's
 * answer and the digest of the figures it shows). The caller hands the
 * remembered version to the store's read, which says whether it is still current in the same
 * round trip; only then is the remembered value used. Bounded: when full, the oldest key is
 * forgotten. Values are frozen by the caller's contract: never mutated once remembered.
 */
export class VersionMemo<T> {
  private readonly seen = new Map<string, { version: string; value: T }>();
  constructor(readonly max = 1024) {}

  get size(): number {
    return this.seen.size;
  }

  /** What `key` was last remembered with (its version and value), or undefined. */
  get(key: string): { version: string; value: T } | undefined {
    return this.seen.get(key);
  }

  set(key: string, version: string, value: T): void {
    this.seen.delete(key);
    if (this.seen.size >= this.max) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { version, value });
  }

  /** The remembered values, oldest first. */
  *values(): IterableIterator<T> {
    for (const e of this.seen.values()) yield e.value;
  }

  clear(): void {
    this.seen.clear();
  }
}
