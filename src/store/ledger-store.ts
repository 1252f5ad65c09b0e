import type { RedisClient } from './redis.js';
import type { Aspect, AuditEvent, Item, Ledger, LedgerDoc, Measure, Problem } from '../ledger/types.js';
import type { Counters } from '../ledger/counters.js';
import { k } from './keys.js';
import { genKeys, lk, parseGen, type GenKeys } from './ledger-keys.js';
import { hashToItem, hashToLedger } from './serialize.js';
import { bigrams, searchText } from './indexes.js';
import { searchGeneration, type SearchHits } from './ledger-search.js';
import { saveLedgerDoc, type SaveOptions } from './ledger-writer.js';
import { recentEvents } from './delivery-log.js';
import { every, openOnes, selectDecoded, unclosedOnes, type Keep, type Selected } from './list-select.js';
import { indexKey, scanMeasures, type Condition, type ListCondition, type ListIndex } from './list-scan.js';
import { ek } from './evidence-store.js';
import { GenerationMoved, READ_CAP, readDue, readLookup, readProgress, readSets, type Lookup, type ProgressFigures, type SetsRead, type Unchanged } from './read-scripts.js';

export type { ListCondition, ListIndex } from './list-scan.js';

/** How long a ledger's meta and generation are reused without asking Redis (reads are fenced by generation anyway). */
export const META_TTL_MS = 1_000;

/** Which index sets a list read unions (see LedgerStore.listRead). */
export interface ListSpec {
  status?: string;
  leader?: string;
  /** Measures naming this person as owner or leader. */
  person?: string;
  /** A department as written (normalized): named through the ledger's aliases. */
  dept?: string;
}

/** Reads and whole-ledger writes. Item changes live in ItemChanges. */
export class LedgerStore {
  /** Ledger meta with the generation it belongs to; meta changes only with a generation switch. */
  private readonly meta = new Map<string, { ledger: Ledger; g: GenKeys; until: number }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly opts: Pick<SaveOptions, 'graceMs' | 'chunk' | 'awaitCleanup'> & { metaTtlMs?: number } = {},
  ) {}

  /**
   * The ledger's meta and current generation, reused for up to META_TTL_MS
   * (one pipeline of two reads otherwise). The chat read methods below are
   * fenced by this generation: when a re-import has switched it they drop the
   * cache and throw GenerationMoved, and the caller runs the command again.
   */
  async current(L: string): Promise<{ ledger: Ledger; g: GenKeys } | null> {
    const now = Date.now();
    const hit = this.meta.get(L);
    if (hit && hit.until > now) return hit;
    const res = (await this.redis.pipeline().hgetall(k.meta(L)).get(lk.gen(L)).exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    const ledger = hashToLedger(res[0]?.[1] as Record<string, string>);
    if (!ledger) {
      this.meta.delete(L);
      return null;
    }
    const entry = { ledger, g: genKeys(L, parseGen(res[1]?.[1] as string | null)), until: now + (this.opts.metaTtlMs ?? META_TTL_MS) };
    if (this.meta.size > 10_000) this.meta.clear();
    this.meta.set(L, entry);
    return entry;
  }

  /** The ledger's meta, cached briefly (see `current`). */
  async currentLedger(L: string): Promise<Ledger | null> {
    return (await this.current(L))?.ledger ?? null;
  }

  /** Runs a fenced read on the cached generation; a moved generation drops the cache entry. */
  private async fenced<T>(L: string, read: (g: GenKeys) => Promise<T>): Promise<T> {
    const c = await this.current(L);
    if (!c) throw new GenerationMoved(L, 0);
    try {
      return await read(c.g);
    } catch (e) {
      if (e instanceof GenerationMoved) this.meta.delete(L);
      throw e;
    }
  }

  /**
   * 进度 in one round trip: counters, overdue (day ≤ overdueTo) and due-soon counts, aspects;
   * `{ unchanged }` instead when the ledger is still at version `known` (see readProgress).
   */
  progressFigures(L: string, overdueTo: number, yellowFrom: number, yellowTo: number, known?: string): Promise<ProgressFigures | Unchanged> {
    return this.fenced(L, (g) => readProgress(this.redis, g, overdueTo, yellowFrom, yellowTo, known));
  }

  /**
   * An alias resolved with its item and children, in one round trip (`notes: false`: measures
   * without their notes; `evidence: true`: a measure's evidence records read in the same script).
   */
  lookup(L: string, alias: string, o?: { notes?: boolean; evidence?: boolean }): Promise<Lookup>;
  /** With `known` (a digest of an earlier lookup, '' for none): the read's digest, or `{ unchanged }`. */
  lookup(L: string, alias: string, o: { notes?: boolean; evidence?: boolean; known: string }): Promise<Lookup | Unchanged>;
  lookup(L: string, alias: string, o: { notes?: boolean; evidence?: boolean; known?: string } = {}): Promise<Lookup | Unchanged> {
    const evidence = o.evidence ? { item: ek.item(L, ''), gone: ek.gone(L, '') } : undefined;
    return this.fenced(L, (g) => readLookup(this.redis, g, alias, 200, o.notes !== false, evidence, o.known));
  }

  /** Open measures due in [from, to]: the count and the first `limit` measures, in one round trip. */
  dueMeasures(L: string, from: number | '-inf', to: number, limit: number): Promise<{ total: number; measures: Measure[] }>;
  /** With `known` (a digest of an earlier read, '' for none): the read's digest (`version`), or `{ unchanged }`. */
  dueMeasures(L: string, from: number | '-inf', to: number, limit: number, known: string): Promise<{ total: number; measures: Measure[]; version?: string } | Unchanged>;
  dueMeasures(L: string, from: number | '-inf', to: number, limit: number, known?: string): Promise<{ total: number; measures: Measure[]; version?: string } | Unchanged> {
    return this.fenced(L, async (g) => {
      const r = await readDue(this.redis, g, from, to, limit, known);
      if ('unchanged' in r) return r;
      return { total: r.total, measures: r.items.filter((i): i is Measure => i.level === 'measure'), ...(r.version === undefined ? {} : { version: r.version }) };
    });
  }

  /**
   * A list of a union of indexes (status, leader, person as owner or leader,
   * department through the aliases): how many measures it holds (`total`),
   * how many are not done (`open`), and the first `limit` by deadline (of the
   * open ones when `openOnly`). Up to `limit` ids come whole in one round
   * trip; more are ranked in Redis a page at a time and only the first
   * `limit` read whole (see list-scan.ts), so a 17,500-measure list never
   * brings its ids into the service. `deptCount` is how many the department's
   * own set holds (-1 when none was asked).
   */
  listRead(L: string, spec: ListSpec, o: { limit?: number; openOnly?: boolean } = {}): Promise<{ deptCount: number; deptName: string } & Selected> {
    const limit = o.limit ?? 20;
    const keep = o.openOnly ? openOnes : undefined;
    return this.fenced(L, async (g) => {
      const sets: string[] = [];
      if (spec.status) sets.push(g.byStatus(spec.status));
      if (spec.leader) sets.push(g.leader(spec.leader));
      if (spec.person) sets.push(g.owner(spec.person), g.leader(spec.person));
      const r: SetsRead = await readSets(this.redis, g, deptAliasKey(L), sets, spec.dept ?? '', limit);
      if (spec.dept) sets.push(g.dept(r.deptName));
      const sel = r.items
        ? selectDecoded(r.items.filter((i): i is Measure => i.level === 'measure'), limit, keep)
        : await scanMeasures(this.redis, g, [{ sets }], limit, keep ?? every);
      return { deptCount: r.deptCount, deptName: r.deptName, ...sel };
    });
  }

  /**
   * The measures meeting every condition (each: in any of
   * some indexes, or due in a range of days), ranked where the indexes are:
   * the candidates' ids never come into the service (see list-scan.ts): how
   * many, and the first `limit` by deadline.
   */
  rankWhere(L: string, conds: ListCondition[], limit: number, o: { only?: 'open' | 'unclosed' } = {}): Promise<Selected> {
    const keep = o.only === 'open' ? openOnes : o.only === 'unclosed' ? unclosedOnes : every;
    return this.fenced(L, (g) => scanMeasures(this.redis, g, conds.map((c): Condition => ('due' in c ? c : { sets: c.anyOf.map((x) => indexKey(g, x)) })), limit, keep));
  }

  /** How many measures an index holds (a bare word of a filter: is it a leader, a person?). */
  async indexSize(L: string, index: ListIndex | { person: string }): Promise<number> {
    const g = await this.generation(L);
    if (!('person' in index)) return this.redis.scard(indexKey(g, index));
    const res = (await this.redis.pipeline().scard(g.owner(index.person)).scard(g.leader(index.person)).exec()) ?? [];
    return res.reduce((a, [err, n]) => { if (err) throw err; return a + Number(n); }, 0);
  }

  /**
   * Replaces a whole ledger: written in chunks under a new generation, then
   * switched to atomically (see ledger-writer.ts), so readers see the old or
   * the new ledger and Redis is never blocked for long. The audit stream and
   * per-item histories are kept unless wiped.
   */
  async saveDoc(doc: LedgerDoc, event?: { actor: string; note: string }, opts: SaveOptions = {}): Promise<void> {
    const o = { ...this.opts, ...opts };
    const r = await saveLedgerDoc(this.redis, doc, event, o).finally(() => this.meta.delete(doc.ledger.id));
    if (o.awaitCleanup) await r.cleanup;
  }

  /** The keys of the ledger's current generation (one GET; every read below resolves it once). */
  async generation(L: string): Promise<GenKeys> {
    return genKeys(L, parseGen(await this.redis.get(lk.gen(L))));
  }

  async listLedgers(): Promise<string[]> {
    return (await this.redis.smembers(k.ledgers())).sort();
  }

  async getLedger(L: string): Promise<Ledger | null> {
    return hashToLedger(await this.redis.hgetall(k.meta(L)));
  }

  async getItem(L: string, id: string): Promise<Item | null> {
    const g = await this.generation(L);
    return hashToItem(await this.redis.hgetall(g.item(id)));
  }

  async getItems(L: string, ids: string[]): Promise<Item[]> {
    return ids.length ? this.itemsOf(await this.generation(L), ids) : [];
  }

  /** Items of one generation, fetched in pipelines of 1,000 (a whole 100k ledger never makes one huge reply). */
  private async itemsOf(g: GenKeys, ids: string[]): Promise<Item[]> {
    const out: Item[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const p = this.redis.pipeline();
      for (const id of ids.slice(i, i + 1000)) p.hgetall(g.item(id));
      for (const [err, h] of (await p.exec()) ?? []) {
        if (err) throw err;
        const it = hashToItem(h as Record<string, string>);
        if (it) out.push(it);
      }
    }
    return out;
  }

  async getMeasures(L: string, ids: string[]): Promise<Measure[]> {
    return (await this.getItems(L, ids)).filter((i): i is Measure => i.level === 'measure');
  }

  /** Ids an alias ("A2.3", "3.2") points at. */
  async resolveAlias(L: string, alias: string): Promise<string[]> {
    const g = await this.generation(L);
    const v = await this.redis.hget(g.codes, alias);
    return v ? v.split(',') : [];
  }

  /** Which of `aliases` exist, with the ids each points at (one HMGET; suggestions use a bounded candidate list). */
  async resolveAliases(L: string, aliases: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!aliases.length) return out;
    const g = await this.generation(L);
    const vals = await this.redis.hmget(g.codes, ...aliases);
    aliases.forEach((a, i) => { const v = vals[i]; if (v) out.set(a, v.split(',')); });
    return out;
  }

  /** Child ids of an aspect (problems) or a problem (measures), in order. */
  async childIds(L: string, problemId: string): Promise<string[]> {
    const g = await this.generation(L);
    return JSON.parse((await this.redis.hget(g.item(problemId), 'kids')) ?? '[]');
  }

  async counters(L: string): Promise<Counters> {
    const g = await this.generation(L);
    const h = await this.redis.hgetall(g.counters);
    return Object.fromEntries(Object.entries(h).map(([f, v]) => [f, Number(v)]));
  }

  /** Open measures due before `beforeDay` (exclusive) and from..to (inclusive), by day number. */
  async countDue(L: string, fromDay: number | '-inf', toDay: number): Promise<number> {
    const g = await this.generation(L);
    return this.redis.zcount(g.due, fromDay, toDay);
  }

  async dueIds(L: string, fromDay: number | '-inf', toDay: number, limit = 200): Promise<string[]> {
    const g = await this.generation(L);
    return this.redis.zrangebyscore(g.due, fromDay, toDay, 'LIMIT', 0, limit);
  }

  /** Measure ids currently in a status. */
  async idsByStatus(L: string, status: string): Promise<string[]> {
    const g = await this.generation(L);
    return this.redis.smembers(g.byStatus(status));
  }

  /** Measure ids of a department. */
  async idsByDepartment(L: string, dept: string): Promise<string[]> {
    const g = await this.generation(L);
    return this.redis.smembers(g.dept(dept));
  }

  async departments(L: string): Promise<string[]> {
    const g = await this.generation(L);
    return (await this.redis.smembers(g.depts)).sort();
  }

  async idsByLeader(L: string, name: string): Promise<string[]> {
    const g = await this.generation(L);
    return this.redis.smembers(g.leader(name));
  }


  /**
   * Items whose title contains `query` (spaces and punctuation ignored): the
   * total and the first `limit` items in document order, read from one
   * generation. Bounded whatever the keyword (see ledger-search.ts).
   */
  async search(L: string, query: string, limit = 20): Promise<{ total: number; exact: boolean; items: Item[] }> {
    const g = await this.generation(L);
    const hits = g.gen === 0 ? await this.legacySearch(g, query, limit) : await searchGeneration(this.redis, g, query, limit);
    return { total: hits.total, exact: hits.exact, items: await this.itemsOf(g, hits.ids) };
  }

  /**
   * `search` on the cached generation, in two round trips: the search script,
   * then the hits' items in one pipeline that also reads the generation
   * pointer (a switch in between throws GenerationMoved, as the other fenced reads).
   */
  async chatSearch(L: string, query: string, limit = 20): Promise<{ total: number; exact: boolean; items: Item[] }> {
    return this.fenced(L, async (g) => {
      if (g.gen === 0) return this.search(L, query, limit);
      const hits = await searchGeneration(this.redis, g, query, limit);
      const p = this.redis.pipeline().get(lk.gen(L));
      for (const id of hits.ids.slice(0, READ_CAP)) p.hgetall(g.item(id));
      const res = (await p.exec()) ?? [];
      for (const [err] of res) if (err) throw err;
      if (parseGen(res[0]?.[1] as string | null) !== g.gen) throw new GenerationMoved(L, parseGen(res[0]?.[1] as string | null));
      const items: Item[] = [];
      for (const [, h] of res.slice(1)) {
        const it = hashToItem(h as Record<string, string>);
        if (it) items.push(it);
      }
      return { total: hits.total, exact: hits.exact, items };
    });
  }

  /** Ledgers imported before generations kept plain bigram sets; a re-import moves them to the bounded index. */
  private async legacySearch(g: GenKeys, query: string, limit: number): Promise<SearchHits> {
    const grams = bigrams(query);
    if (!grams.length) return { total: 0, exact: true, ids: [] };
    const needle = searchText(query);
    const ids = (await this.redis.sinter(...grams.map((x) => g.gram(x)))).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const hits = (await this.itemsOf(g, ids)).filter((i) => searchText(i.title).includes(needle)).map((i) => i.id);
    return { total: hits.length, exact: true, ids: hits.slice(0, limit) };
  }

  async orderedIds(L: string): Promise<string[]> {
    const g = await this.generation(L);
    return this.redis.lrange(g.order, 0, -1);
  }

  /** The whole ledger in document order (export, digest, reports), all from one generation. */
  async loadDoc(L: string): Promise<LedgerDoc | null> {
    const [ledger, g] = await Promise.all([this.getLedger(L), this.generation(L)]);
    if (!ledger) return null;
    const items = await this.itemsOf(g, await this.redis.lrange(g.order, 0, -1));
    return {
      ledger,
      aspects: items.filter((i): i is Aspect => i.level === 'aspect'),
      problems: items.filter((i): i is Problem => i.level === 'problem'),
      measures: items.filter((i): i is Measure => i.level === 'measure'),
    };
  }

  /** Audit events of the ledger in [from, to] stream-id range, oldest first. */
  /** The newest `count` audit events, oldest first (digests filter them by their own `at`). */
  recentEvents(L: string, count = 2000): Promise<AuditEvent[]> {
    return recentEvents(this.redis, L, count);
  }

  async events(L: string, from = '-', to = '+', count = 10000): Promise<AuditEvent[]> {
    const rows = await this.redis.xrange(k.audit(L), from, to, 'COUNT', count);
    return rows.map(([id, f]) => toEvent(id, f));
  }

  /** The audit trail of one item, oldest first. */
  async history(L: string, itemId: string): Promise<AuditEvent[]> {
    const ids = await this.redis.lrange(k.hist(L, itemId), 0, -1);
    if (!ids.length) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.xrange(k.audit(L), id, id);
    const res = (await p.exec()) ?? [];
    const out: AuditEvent[] = [];
    for (const [err, rows] of res) {
      if (err) throw err;
      for (const [id, f] of rows as Array<[string, string[]]>) out.push(toEvent(id, f));
    }
    return out;
  }

  /** Per-ledger department aliases: short name → the name the ledger uses (审管办 → 审判管理办公室). */
  async departmentAliases(L: string): Promise<Record<string, string>> {
    return this.redis.hgetall(deptAliasKey(L));
  }

  /** Adds or replaces aliases; an empty full name removes the alias. */
  async setDepartmentAliases(L: string, aliases: Record<string, string>): Promise<void> {
    const set = Object.entries(aliases).filter(([, v]) => v);
    const del = Object.entries(aliases).filter(([, v]) => !v).map(([a]) => a);
    const m = this.redis.multi();
    if (set.length) m.hset(deptAliasKey(L), Object.fromEntries(set));
    if (del.length) m.hdel(deptAliasKey(L), ...del);
    await m.exec();
  }
}

/** Kept beside the ledger's meta (same hash tag); not generation-bound, so a re-import keeps the aliases. */
const deptAliasKey = (L: string) => `rb:{${L}}:deptalias`;

function toEvent(id: string, flat: string[]): AuditEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]] = flat[i + 1];
  return {
    id,
    at: f.at ?? '',
    actor: { platform: f.platform ?? '', userId: f.userId ?? '', name: f.name ?? '' },
    itemId: f.itemId ?? '',
    code: f.code ?? '',
    action: f.action ?? '',
    from: (f.from ?? '') as AuditEvent['from'],
    to: (f.to ?? '') as AuditEvent['to'],
    note: f.note ?? '',
    messageId: f.messageId ?? '',
  };
}
