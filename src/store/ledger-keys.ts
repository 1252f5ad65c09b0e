/**
 * Generation-scoped keys of a ledger.
 *
 * A (re-)import writes a whole new copy of the ledger's items and indexes
 * under a fresh generation prefix `rb:{L}:g<N>:`, in small chunks, and then
 * flips the pointer `rb:{L}:gen` (with the meta hash) in one tiny atomic
 * step; the old generation is deleted in chunks afterwards. Readers resolve
 * the pointer once per store call (one GET) and read only that generation,
 * so they see the old or the new ledger, never a mix, and Redis is never
 * blocked by one huge MULTI.
 *
 * Why a pointer rather than renaming staging keys into place: RENAME is O(1)
 * per key, but 100k+ renames in one atomic step block Redis for far longer
 * than 100 ms, and renaming in chunks would expose a half-switched ledger.
 *
 * Generation 0 is the layout written before generations existed (keys
 * directly under `rb:{L}:`), so existing data stays readable unchanged.
 * Every key keeps the `{L}` hash tag: one Redis Cluster slot per ledger.
 */
import { k } from './keys.js';

/** Data keys of one generation of a ledger. */
export interface GenKeys {
  L: string;
  gen: number;
  prefix: string;
  item: (id: string) => string;
  order: string;
  codes: string;
  counters: string;
  due: string;
  byStatus: (status: string) => string;
  dept: (name: string) => string;
  depts: string;
  leader: (name: string) => string;
  owner: (name: string) => string;
  people: string;
  /** Search rows, block `n` (a string of `text\tid\n` rows in document order; see ledger-search.ts). */
  searchBlock: (n: number) => string;
  /** `rows:blockSize[:g]` of the search blocks (`g`: bitmaps in searchGrams) (absent: a generation written with the bigram index below). */
  searchMeta: string;
  /** Search bigram → bitmap of the blocks holding it (which blocks a search reads). */
  searchGrams: string;
  /** Older generations: search bigram → items, a sorted set scored by document position. */
  gram: (g: string) => string;
  /** Older generations: item id → normalized searchable text (checked by the bigram search script). */
  text: string;
  /** Every key this generation's import wrote (so it can be deleted without a scan). */
  registry: string;
}

/** The keys of generation `gen` of ledger `L`. */
export function genKeys(L: string, gen: number): GenKeys {
  const p = gen > 0 ? `rb:{${L}}:g${gen}:` : `rb:{${L}}:`;
  return {
    L, gen, prefix: p,
    item: (id) => `${p}i:${id}`,
    order: `${p}order`,
    codes: `${p}codes`,
    counters: `${p}cnt`,
    due: `${p}due`,
    byStatus: (s) => `${p}st:${s}`,
    dept: (n) => `${p}dept:${n}`,
    depts: `${p}depts`,
    leader: (n) => `${p}leader:${n}`,
    owner: (n) => `${p}owner:${n}`,
    people: `${p}people`,
    searchBlock: (n) => `${p}sb:${n}`,
    searchMeta: `${p}sx`,
    searchGrams: `${p}sg`,
    gram: (g) => `${p}g:${g}`,
    text: `${p}text`,
    registry: `${p}keys`,
  };
}

/** Generation-independent keys of a ledger's import machinery. */
export const lk = {
  /** The current generation number (absent: 0, the pre-generation layout). */
  gen: (L: string) => `rb:{${L}}:gen`,
  /** Allocates generation numbers, so two imports never share staging keys. */
  seq: (L: string) => `rb:{${L}}:gseq`,
  /** Held while an import of the ledger runs (SET NX with a TTL). */
  lock: (L: string) => `rb:{${L}}:importing`,
  /** Generations waiting to be deleted (old ones after a switch, staging ones of a failed import). */
  garbage: (L: string) => `rb:{${L}}:garbage`,
  meta: (L: string) => k.meta(L),
};

/** Parses the stored generation pointer. */
export function parseGen(v: string | null | undefined): number {
  const n = Number(v ?? 0);
  return Number.isInteger(n) && n > 0 ? n : 0;
}
