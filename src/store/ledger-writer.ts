/**
 * Whole-ledger writes (import, demo reset) that never block Redis for long:
 * the new ledger is written under a fresh generation in pipelines of about a
 * thousand small commands, each its own round trip; one tiny script then
 * switches the generation pointer and the meta hash atomically; the old
 * generation is deleted in chunks (UNLINK) after a grace period, so a reader
 * that resolved the old generation just before the switch still finds it
 * whole. See ledger-keys.ts for the key layout.
 */
import { randomUUID } from 'node:crypto';
import type { Item, LedgerDoc, Measure } from '../ledger/types.js';
import { STATUSES } from '../ledger/types.js';
import { aliasesFor } from '../ledger/codes.js';
import { countAll } from '../ledger/counters.js';
import { DomainError } from '../core/errors.js';
import type { RedisClient } from './redis.js';
import { k } from './keys.js';
import { genKeys, lk, parseGen, type GenKeys } from './ledger-keys.js';
import { itemToHash, ledgerToHash } from './serialize.js';
import { dynamicIndexes } from './indexes.js';
import { SearchRows } from './ledger-search.js';
import { script } from './scripts.js';
import { personKey } from '../ledger/people.js';
import { boundHeap } from './heap.js';

/** How a whole-ledger write behaves. */
export interface SaveOptions {
  /** Also delete the audit stream and every item's history (demo reset). */
  wipeHistory?: boolean;
  /** How long the old generation stays readable after the switch (default 2 s). */
  graceMs?: number;
  /** Commands per pipeline (default 1000). */
  chunk?: number;
  /** Called after the new generation is written and before the switch (tests use it to race writers). */
  beforeSwitch?: (gen: number) => Promise<void>;
  /** Wait until the old generation is deleted (the CLI does; services let it run in the background). */
  awaitCleanup?: boolean;
  /**
   * The audit stream's last id when the doc was computed ('0-0': empty): the
   * switch is refused if chat wrote since, so a merge never drops that work.
   */
  expectAuditTail?: string;
  /** Items written so far of all (every 1,000 items; a CLI progress bar). */
  onProgress?: (done: number, total: number) => void;
}

const LOCK_TTL_S = 900;
// Small commands (≤ 200 members) in pipelines of ≤ 1,000 commands / 10,000 arguments: Redis serves other
// clients between them, so no single step holds it for more than a few milliseconds.
const MAX_ARGS = 10_000;
const SLICE = 200;

// KEYS: gen pointer, meta, audit, garbage zset, lock. ARGV: expected gen, new gen, lock token, meta (flat JSON),
// audit event (flat JSON or ''), wipe audit '1'/'0', when the old generation may be deleted (ms),
// expected last audit id ('' = not checked).
const SWITCH = script<[string, string]>('rbSwitchGen', `
local cur = redis.call('GET', KEYS[1]) or '0'
if cur ~= ARGV[1] then return {'MOVED', cur} end
if ARGV[8] ~= '' then
  local t = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
  local last = '0-0'
  if #t > 0 then last = t[1][1] end
  if last ~= ARGV[8] then return {'STALE', last} end
end
if redis.call('GET', KEYS[5]) ~= ARGV[3] then return {'LOCK', ''} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(cjson.decode(ARGV[4])))
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[7], ARGV[1])
if ARGV[6] == '1' then redis.call('UNLINK', KEYS[3]) end
if ARGV[5] ~= '' then redis.call('XADD', KEYS[3], '*', unpack(cjson.decode(ARGV[5]))) end
redis.call('DEL', KEYS[5])
return {'OK', ARGV[2]}
`, 5);

const UNLOCK = script<number>('rbImportUnlock', `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1);

/** Pipelines of bounded size, sent one after another (bounded memory, short Redis work per command). */
export class Batch {
  private p: ReturnType<RedisClient['pipeline']>;
  private n = 0;
  private args = 0;
  constructor(private readonly redis: RedisClient, private readonly max = 1000, private readonly boundHeap = false) {
    this.p = redis.pipeline();
  }

  async add(args: number, queue: (p: ReturnType<RedisClient['pipeline']>) => void): Promise<void> {
    queue(this.p);
    this.n++;
    this.args += args;
    if (this.n >= this.max || this.args >= MAX_ARGS) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.n) return;
    const p = this.p;
    this.p = this.redis.pipeline();
    this.n = 0;
    this.args = 0;
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
    if (this.boundHeap) boundHeap();
  }
}

/** Adds `members` to a set-like key in slices of {@link SLICE} members. */
async function addMembers(b: Batch, members: string[], queue: (p: ReturnType<RedisClient['pipeline']>, slice: string[]) => void): Promise<void> {
  for (let i = 0; i < members.length; i += SLICE) {
    const slice = members.slice(i, i + SLICE);
    await b.add(slice.length, (p) => queue(p, slice));
  }
}

/** Items in document order: each aspect, then each of its problems followed by that problem's measures. */
function documentOrder(doc: LedgerDoc): { items: Item[]; kids: Map<string, string[]> } {
  const kids = new Map<string, string[]>();
  for (const a of doc.aspects) kids.set(a.id, []);
  const aspectOf = new Map(doc.aspects.map((a) => [a.aspect, a.id]));
  for (const p of doc.problems) { kids.set(p.id, []); kids.get(aspectOf.get(p.aspect) ?? '')?.push(p.id); }
  for (const m of doc.measures) kids.get(m.problemId)?.push(m.id);
  const byId = new Map<string, Item>([...doc.problems, ...doc.measures].map((i) => [i.id, i]));
  const items: Item[] = [];
  for (const a of doc.aspects) {
    items.push(a);
    for (const pid of kids.get(a.id) ?? []) {
      items.push(byId.get(pid)!);
      for (const mid of kids.get(pid) ?? []) items.push(byId.get(mid)!);
    }
  }
  return { items, kids };
}

/** Writes every data key of `doc` under generation `g` (not yet visible to readers). */
async function writeGeneration(redis: RedisClient, g: GenKeys, doc: LedgerDoc, chunk: number, onProgress?: SaveOptions['onProgress']): Promise<void> {
  const { items, kids } = documentOrder(doc);
  // Only big ledgers (a CLI import of tens of thousands of measures) need the heap kept in check.
  const b = new Batch(redis, chunk, items.length > 20_000);
  const problemNumber = new Map(doc.problems.map((p) => [p.id, p.number]));
  const sets = new Map<string, string[]>();
  const addTo = (key: string, member: string) => { const s = sets.get(key); if (s) s.push(member); else sets.set(key, [member]); };
  // A block is ~35 KB: counted as 1,000 arguments, so a pipeline carries about ten of them.
  const search = new SearchRows({
    set: (key, value) => b.add(1000, (p) => p.set(key, value)),
    hset: (key, fields) => b.add(1000, (p) => p.hset(key, fields)),
  }, g);
  const due: Array<[number, string]> = [];
  const aliasIds = new Map<string, string>();
  for (let pos = 0; pos < items.length; pos++) {
    if (onProgress && pos % 1000 === 0) onProgress(pos, items.length);
    const item = items[pos];
    const h = itemToHash(item);
    if (item.level !== 'measure') h.kids = JSON.stringify(kids.get(item.id) ?? []);
    await b.add(Object.keys(h).length * 2, (p) => p.hset(g.item(item.id), h));
    const aliases = item.level === 'measure' ? aliasesFor(item, problemNumber.get(item.problemId)) : aliasesFor(item);
    for (const a of aliases) aliasIds.set(a, aliasIds.has(a) ? `${aliasIds.get(a)},${item.id}` : item.id);
    if (item.level === 'aspect') continue;
    await search.add(item.id, item.title);
    if (item.level !== 'measure') continue;
    const m = item as Measure;
    const d = dynamicIndexes(g, m);
    addTo(d.statusSet, m.id);
    if (d.dueScore !== null) due.push([d.dueScore, m.id]);
    for (const dep of m.departments) { addTo(g.dept(dep), m.id); addTo(g.depts, dep); }
    // People are indexed by the bare name: "孙海燕（纪检组长）" is found as 孙海燕 (the cell keeps the title).
    for (const n of m.leaders.map(personKey)) { addTo(g.leader(n), m.id); addTo(g.people, n); }
    for (const n of m.owners.map(personKey)) { addTo(g.owner(n), m.id); addTo(g.people, n); }
  }
  const searchKeys = await search.finish();
  onProgress?.(items.length, items.length);
  // Aliases are complete only once every item is seen ("3.2" may name items of several aspects).
  const aliasList = [...aliasIds];
  for (let i = 0; i < aliasList.length; i += SLICE) {
    const slice = Object.fromEntries(aliasList.slice(i, i + SLICE));
    await b.add(1000, (p) => p.hset(g.codes, slice));
  }
  const ids = items.map((i) => i.id);
  await addMembers(b, ids, (p, s) => p.rpush(g.order, ...s));
  const registry: string[] = [g.order, g.codes, g.counters, g.due, ...searchKeys];
  for (let i = 0; i < due.length; i += SLICE) {
    const args = due.slice(i, i + SLICE).flat();
    await b.add(args.length, (p) => p.zadd(g.due, ...args));
  }
  for (const [key, members] of sets) {
    registry.push(key);
    await addMembers(b, [...new Set(members)], (p, s) => p.sadd(key, ...s));
  }
  const counters = countAll(doc.problems, doc.measures);
  if (Object.keys(counters).length) await b.add(100, (p) => p.hset(g.counters, counters));
  await addMembers(b, registry, (p, s) => p.sadd(g.registry, ...s));
  await b.flush();
}

/**
 * Deletes one generation's data keys in chunks: items (found through the
 * order list), every key in its registry, and the status/deadline sets that
 * item changes create. Optionally the items' histories too.
 */
export async function deleteGeneration(redis: RedisClient, L: string, gen: number, opts: { history?: boolean } = {}): Promise<void> {
  const g = genKeys(L, gen);
  const len = await redis.llen(g.order);
  const b = new Batch(redis, 50, len > 20_000);
  for (let i = 0; i < len; i += 1000) {
    const ids = await redis.lrange(g.order, i, i + 999);
    const keys = ids.map((id) => g.item(id));
    if (opts.history) keys.push(...ids.map((id) => k.hist(L, id)));
    await addMembers(b, keys, (p, s) => p.unlink(...s));
  }
  let cursor = '0';
  let registered = 0;
  do {
    const [next, found] = await redis.sscan(g.registry, cursor, 'COUNT', SLICE);
    cursor = next;
    registered += found.length;
    // Registries written before generations also listed the meta hash: only data keys of this generation go.
    const keys = found.filter((key) => isDataKey(g, key));
    if (keys.length) await b.add(keys.length, (p) => p.unlink(...keys));
  } while (cursor !== '0');
  await b.flush();
  if (gen === 0 && registered === 0) await deleteUnregistered(redis, L);
  await redis.unlink(...STATUSES.map((s) => g.byStatus(s)), g.due, g.order, g.registry, g.text, g.searchMeta, g.searchGrams, g.codes, g.counters);
}

const DATA_KINDS = /^(i:|order$|codes$|cnt$|due$|st:|dept:|depts$|leader:|owner:|people$|g:|text$|sb:|sx$|sg$|keys$)/;

/** A key holding generation `g`'s items or indexes (never meta, audit, histories, undo or the pointer). */
function isDataKey(g: GenKeys, key: string): boolean {
  return key.startsWith(g.prefix) && DATA_KINDS.test(key.slice(g.prefix.length));
}

/** Ledgers written before key registries existed: find their data keys once by scanning. */
async function deleteUnregistered(redis: RedisClient, L: string): Promise<void> {
  if (!('scan' in redis) || !(await redis.exists(k.meta(L)))) return;
  const g = genKeys(L, 0);
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `rb:{${L}}:*`, 'COUNT', 1000);
    cursor = next;
    const keys = found.filter((key) => isDataKey(g, key));
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** Deletes the generations whose time has come (old ones after their grace, staging ones of dead imports). */
async function collectGarbage(redis: RedisClient, L: string, current: number): Promise<void> {
  for (const old of await redis.zrangebyscore(lk.garbage(L), '-inf', Date.now())) {
    if (parseGen(old) !== current) await deleteGeneration(redis, L, parseGen(old));
    await redis.zrem(lk.garbage(L), old);
  }
}

/** What a whole-ledger write did; `cleanup` settles once the old generation is deleted. */
export interface SaveResult {
  gen: number;
  cleanup: Promise<void>;
}

/** The one audit event of a whole-ledger write (action 导入 unless given, e.g. 恢复). */
export interface LedgerEvent {
  actor: string;
  note: string;
  action?: string;
}

/**
 * Replaces a ledger with `doc`: writes a new generation in chunks, switches
 * to it atomically (meta and an optional audit event in the same step), then
 * deletes the old one after the grace period (in the background: await
 * `cleanup` to wait for it). Refuses while another import of the ledger runs.
 */
export async function saveLedgerDoc(redis: RedisClient, doc: LedgerDoc, event?: LedgerEvent, opts: SaveOptions = {}): Promise<SaveResult> {
  const L = doc.ledger.id;
  const token = randomUUID();
  if ((await redis.set(lk.lock(L), token, 'EX', LOCK_TTL_S, 'NX')) !== 'OK') {
    throw new DomainError('import_busy', `台账 ${L} 正在导入中，请等这次导入结束后再试。`);
  }
  let from: number;
  let gen: number;
  let existed: boolean;
  try {
    from = parseGen(await redis.get(lk.gen(L)));
    existed = (await redis.exists(lk.meta(L))) === 1;
    await collectGarbage(redis, L, from);
    gen = await redis.incr(lk.seq(L));
    while (gen <= from) gen = await redis.incr(lk.seq(L));
    // If this import dies midway, its staging generation is collected once the lock has expired.
    await redis.zadd(lk.garbage(L), Date.now() + LOCK_TTL_S * 1000, String(gen));
    await writeGeneration(redis, genKeys(L, gen), doc, opts.chunk ?? 1000, opts.onProgress);
    await opts.beforeSwitch?.(gen);
    const ev = event
      ? JSON.stringify(['at', new Date().toISOString(), 'platform', 'cli', 'userId', 'cli', 'name', event.actor,
          'itemId', '', 'code', '', 'action', event.action ?? '导入', 'from', '', 'to', '', 'note', event.note, 'messageId', ''])
      : '';
    // Nobody can be reading a ledger that did not exist; otherwise reads that resolved the old generation get time to finish.
    const grace = existed ? opts.graceMs ?? 2000 : 0;
    const res = await SWITCH.run(redis, [lk.gen(L), lk.meta(L), k.audit(L), lk.garbage(L), lk.lock(L)],
      [String(from), String(gen), token, JSON.stringify(Object.entries(ledgerToHash(doc.ledger)).flat()), ev,
        opts.wipeHistory ? '1' : '0', Date.now() + grace, opts.expectAuditTail ?? '']);
    if (res[0] === 'STALE') throw new DomainError('import_stale', `台账 ${L} 在导入过程中有新的聊天更新，本次导入未生效，请重试。`);
    if (res[0] !== 'OK') throw new DomainError('import_raced', `台账 ${L} 在导入过程中被另一次导入替换，本次导入未生效。`);
  } catch (e) {
    await UNLOCK.run(redis, [lk.lock(L)], [token]).catch(() => undefined);
    throw e;
  }
  await redis.sadd(k.ledgers(), L);
  const old = from;
  const cleanup = (async () => {
    if (existed) {
      await new Promise<void>((done) => {
        const t = setTimeout(done, opts.graceMs ?? 2000);
        // A background cleanup must not keep a finishing process alive (the next import completes it).
        if (!opts.awaitCleanup) t.unref();
      });
    }
    await deleteGeneration(redis, L, old, { history: opts.wipeHistory });
    await redis.zrem(lk.garbage(L), String(old));
  })();
  // A cleanup cut short (connection closed, process exit) is finished by the next import's collectGarbage.
  cleanup.catch(() => undefined);
  return { gen, cleanup };
}
