import type { RedisClient } from './redis.js';
import type { Aspect, AuditEvent, Item, Ledger, LedgerDoc, Measure, Problem } from '../ledger/types.js';
import { STATUSES } from '../ledger/types.js';
import { aliasesFor } from '../ledger/codes.js';
import { countAll, type Counters } from '../ledger/counters.js';
import { k, ledgerPattern } from './keys.js';
import { hashToItem, hashToLedger, itemToHash, ledgerToHash } from './serialize.js';
import { bigrams, dynamicIndexes } from './indexes.js';

/** Reads and whole-ledger writes. Item changes live in ItemChanges. */
export class LedgerStore {
  constructor(readonly redis: RedisClient) {}

  /**
   * Writes a whole ledger in one MULTI: old items, counters and indexes are
   * replaced; the audit stream and per-item histories are kept unless wiped.
   */
  async saveDoc(doc: LedgerDoc, event?: { actor: string; note: string }, opts: { wipeHistory?: boolean } = {}): Promise<void> {
    const L = doc.ledger.id;
    const old = await this.keysToReplace(L, !!opts.wipeHistory);
    const written = new Set<string>();
    const w = (key: string) => (written.add(key), key);
    const tx = this.redis.multi();
    for (let i = 0; i < old.length; i += 500) tx.del(...old.slice(i, i + 500));
    tx.hset(w(k.meta(L)), ledgerToHash(doc.ledger));
    const codes = new Map<string, string[]>();
    const addAlias = (alias: string, id: string) => codes.set(alias, [...(codes.get(alias) ?? []), id]);
    const order: string[] = [];
    const problemNumber = new Map(doc.problems.map((p) => [p.id, p.number]));
    const children = new Map<string, Item[]>();
    for (const p of doc.problems) children.set(p.id, []);
    for (const m of doc.measures) children.get(m.problemId)?.push(m);
    for (const a of doc.aspects) {
      order.push(a.id);
      for (const p of doc.problems.filter((x) => x.aspect === a.aspect)) {
        order.push(p.id);
        for (const m of children.get(p.id) ?? []) order.push(m.id);
      }
    }
    for (const item of [...doc.aspects, ...doc.problems, ...doc.measures] as Item[]) {
      tx.hset(w(k.item(L, item.id)), itemToHash(item));
      const aliases = item.level === 'measure' ? aliasesFor(item, problemNumber.get(item.problemId)) : aliasesFor(item);
      for (const alias of aliases) addAlias(alias, item.id);
      if (item.level === 'problem') tx.hset(k.item(L, item.id), 'kids', JSON.stringify((children.get(item.id) ?? []).map((c) => c.id)));
      if (item.level === 'aspect') {
        tx.hset(k.item(L, item.id), 'kids', JSON.stringify(doc.problems.filter((x) => x.aspect === item.aspect).map((x) => x.id)));
        continue;
      }
      for (const g of bigrams(item.title)) tx.sadd(w(k.gram(L, g)), item.id);
    }
    for (const m of doc.measures) this.indexMeasure(tx, L, m, w);
    for (let i = 0; i < order.length; i += 1000) tx.rpush(w(k.order(L)), ...order.slice(i, i + 1000));
    if (codes.size) tx.hset(w(k.codes(L)), Object.fromEntries([...codes].map(([a, ids]) => [a, ids.join(',')])));
    const counters = countAll(doc.problems, doc.measures);
    if (Object.keys(counters).length) tx.hset(w(k.counters(L)), counters);
    if (event) {
      tx.xadd(k.audit(L), '*', 'at', new Date().toISOString(), 'platform', 'cli', 'userId', 'cli', 'name', event.actor,
        'itemId', '', 'code', '', 'action', '导入', 'from', '', 'to', '', 'note', event.note, 'messageId', '');
    }
    // The registry of this import's keys lets the next import replace them without scanning the keyspace.
    const reg = [...written];
    for (let i = 0; i < reg.length; i += 1000) tx.sadd(k.registry(L), ...reg.slice(i, i + 1000));
    await tx.exec();
    await this.redis.sadd(k.ledgers(), L);
  }

  /** Keys a re-import replaces: the last import's registry plus the status sets changes create. */
  private async keysToReplace(L: string, wipeHistory: boolean): Promise<string[]> {
    const keys = new Set<string>(await this.redis.smembers(k.registry(L)));
    if (keys.size === 0 && (await this.redis.exists(k.meta(L)))) {
      // A ledger written before the registry existed: find its keys once by scanning.
      let cursor = '0';
      do {
        const [next, found] = await this.redis.scan(cursor, 'MATCH', ledgerPattern(L), 'COUNT', 1000);
        cursor = next;
        for (const key of found) if (!key.endsWith(':audit') && !key.includes(':h:') && !key.endsWith(':chats')) keys.add(key);
      } while (cursor !== '0');
    }
    for (const st of STATUSES) keys.add(k.byStatus(L, st));
    keys.add(k.due(L));
    keys.add(k.registry(L));
    if (wipeHistory) {
      keys.add(k.audit(L));
      for (const key of [...keys]) if (key.startsWith(k.item(L, ''))) keys.add(k.hist(L, key.slice(k.item(L, '').length)));
    }
    return [...keys];
  }

  private indexMeasure(tx: ReturnType<RedisClient['multi']>, L: string, m: Measure, w: (key: string) => string) {
    const d = dynamicIndexes(L, m);
    tx.sadd(w(d.statusSet), m.id);
    if (d.dueScore !== null) tx.zadd(w(k.due(L)), d.dueScore, m.id);
    for (const dep of m.departments) { tx.sadd(w(k.dept(L, dep)), m.id); tx.sadd(w(k.depts(L)), dep); }
    for (const n of m.leaders) { tx.sadd(w(k.leader(L, n)), m.id); tx.sadd(w(k.people(L)), n); }
    for (const n of m.owners) { tx.sadd(w(k.owner(L, n)), m.id); tx.sadd(w(k.people(L)), n); }
  }

  async listLedgers(): Promise<string[]> {
    return (await this.redis.smembers(k.ledgers())).sort();
  }

  async getLedger(L: string): Promise<Ledger | null> {
    return hashToLedger(await this.redis.hgetall(k.meta(L)));
  }

  async getItem(L: string, id: string): Promise<Item | null> {
    return hashToItem(await this.redis.hgetall(k.item(L, id)));
  }

  async getItems(L: string, ids: string[]): Promise<Item[]> {
    if (!ids.length) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(k.item(L, id));
    const res = (await p.exec()) ?? [];
    const out: Item[] = [];
    for (const [err, h] of res) {
      if (err) throw err;
      const it = hashToItem(h as Record<string, string>);
      if (it) out.push(it);
    }
    return out;
  }

  async getMeasures(L: string, ids: string[]): Promise<Measure[]> {
    return (await this.getItems(L, ids)).filter((i): i is Measure => i.level === 'measure');
  }

  /** Ids an alias ("A2.3", "3.2") points at. */
  async resolveAlias(L: string, alias: string): Promise<string[]> {
    const v = await this.redis.hget(k.codes(L), alias);
    return v ? v.split(',') : [];
  }

  /** Child ids of an aspect (problems) or a problem (measures), in order. */
  async childIds(L: string, problemId: string): Promise<string[]> {
    return JSON.parse((await this.redis.hget(k.item(L, problemId), 'kids')) ?? '[]');
  }

  async allAliases(L: string): Promise<string[]> {
    return this.redis.hkeys(k.codes(L));
  }

  async counters(L: string): Promise<Counters> {
    const h = await this.redis.hgetall(k.counters(L));
    return Object.fromEntries(Object.entries(h).map(([f, v]) => [f, Number(v)]));
  }

  /** Open measures due before `beforeDay` (exclusive) and from..to (inclusive), by day number. */
  async countDue(L: string, fromDay: number | '-inf', toDay: number): Promise<number> {
    return this.redis.zcount(k.due(L), fromDay, toDay);
  }

  async dueIds(L: string, fromDay: number | '-inf', toDay: number, limit = 200): Promise<string[]> {
    return this.redis.zrangebyscore(k.due(L), fromDay, toDay, 'LIMIT', 0, limit);
  }

  /** Measure ids currently in a status. */
  async idsByStatus(L: string, status: string): Promise<string[]> {
    return this.redis.smembers(k.byStatus(L, status));
  }

  /** Measure ids of a department. */
  async idsByDepartment(L: string, dept: string): Promise<string[]> {
    return this.redis.smembers(k.dept(L, dept));
  }

  async departments(L: string): Promise<string[]> {
    return (await this.redis.smembers(k.depts(L))).sort();
  }

  async idsByLeader(L: string, name: string): Promise<string[]> {
    return this.redis.smembers(k.leader(L, name));
  }

  /** Measures naming a person as leader or owner (and, optionally, of their department). */
  async idsForPerson(L: string, name: string, dept?: string): Promise<string[]> {
    const keys = [k.owner(L, name), k.leader(L, name)];
    if (dept) keys.push(k.dept(L, dept));
    return this.redis.sunion(...keys);
  }

  /** Items whose text contains every bigram of the query (then checked for the substring). */
  async searchIds(L: string, query: string): Promise<string[]> {
    const grams = bigrams(query);
    if (!grams.length) return [];
    return this.redis.sinter(...grams.map((g) => k.gram(L, g)));
  }

  async orderedIds(L: string): Promise<string[]> {
    return this.redis.lrange(k.order(L), 0, -1);
  }

  /** The whole ledger in document order (export, digest, reports). */
  async loadDoc(L: string): Promise<LedgerDoc | null> {
    const ledger = await this.getLedger(L);
    if (!ledger) return null;
    const items = await this.getItems(L, await this.orderedIds(L));
    return {
      ledger,
      aspects: items.filter((i): i is Aspect => i.level === 'aspect'),
      problems: items.filter((i): i is Problem => i.level === 'problem'),
      measures: items.filter((i): i is Measure => i.level === 'measure'),
    };
  }

  /** Audit events of the ledger in [from, to] stream-id range, oldest first. */
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
}

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
