/**
 * Remembers a pure function's results for the last few thousand distinct inputs. Chat traffic
 * repeats itself (the same 进度, the same aspect titles in every answer), so the second time costs
 * a Map lookup. Bounded by starting over when full: simpler than an LRU and just as good for
 * inputs that repeat in bursts (a dependency such as lru-cache would buy recency order we do not need).
 * Only for functions whose result is never mutated by a caller.
 */
export function memoize<A extends string, R>(fn: (a: A) => R, max = 4096): ((a: A) => R) & { readonly size: number } {
  let seen = new Map<A, R>();
  const m = ((a: A): R => {
    const hit = seen.get(a);
    if (hit !== undefined || seen.has(a)) return hit as R;
    const r = fn(a);
    if (seen.size >= max) seen = new Map();
    seen.set(a, r);
    return r;
  }) as ((a: A) => R) & { readonly size: number };
  Object.defineProperty(m, 'size', { get: () => seen.size });
  return m;
}
