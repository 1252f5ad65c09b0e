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
