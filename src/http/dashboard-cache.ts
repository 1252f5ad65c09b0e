import type { AuditEvent, LedgerDoc } from '../ledger/types.js';
import type { LedgerPort } from '../commands/ports.js';

/** What the cache reads: the ledger, its generation and the newest audit event. */
type Reads = Pick<LedgerPort, 'loadDoc' | 'generation' | 'recentEvents' | 'events' | 'getItems'>;

interface Entry { version: string; gen: number; lastId: string; doc: Promise<LedgerDoc | null>; events?: Promise<AuditEvent[]>; eventsMax?: number; memo?: Map<string, unknown> }

/** Changes since the cached copy above which the whole ledger is read again rather than patched. */
const PATCH_MAX = 500;

/** Keeps a value derived from one version of a ledger (e.g. its rendered charts) until the ledger changes. */
export type Memo = <T>(key: string, make: () => T) => T;

/**
 * The dashboard's copy of whole ledgers, so a 10,000-measure page does not
 * re-read 10,000 hashes on every view. Each request first reads the ledger's
 * version: its generation (changed by every import or restore) and the id of
 * its newest audit event (every change to an item appends one in the same
 * atomic step). A cached copy is used only when both match, so a page is
 * never older than the request, whichever instance made the change. At most
 * `max` ledgers are kept, least recently used out first.
 */
export class DashboardDocs {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ledgers: Reads, private readonly max = 3) {}

  /** The ledger's version now (two small reads). */
  async version(L: string): Promise<{ key: string; gen: number; lastId: string }> {
    const [g, last] = await Promise.all([this.ledgers.generation(L), this.ledgers.recentEvents(L, 1)]);
    const lastId = last[0]?.id ?? '';
    return { key: `${g.gen}:${lastId}`, gen: g.gen, lastId };
  }

  private async entry(L: string): Promise<Entry> {
    const v = await this.version(L);
    let e = this.entries.get(L);
    if (!e || e.version !== v.key) {
      // Read after the version: a change in between makes the copy newer than its key, and the next request re-reads it.
      const prev = e;
      e = { version: v.key, gen: v.gen, lastId: v.lastId, doc: prev && prev.gen === v.gen && prev.lastId && v.lastId ? this.patched(L, prev, v.lastId) : this.ledgers.loadDoc(L) };
      e.doc.catch(() => this.entries.delete(L));
    }
    this.entries.delete(L);
    this.entries.set(L, e);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return e;
  }

  /**
   * The previous copy with the items named by the audit events after it
   * re-read (measures and their problems): a chat change costs a few reads,
   * not the whole ledger. A whole-ledger event, or too many changes, reads it all.
   */
  private async patched(L: string, prev: Entry, to: string): Promise<LedgerDoc | null> {
    const [base, delta] = await Promise.all([prev.doc, this.ledgers.events(L, `(${prev.lastId}`, to, PATCH_MAX + 1)]);
    if (!base || delta.length > PATCH_MAX || delta.some((d) => !d.itemId)) return this.ledgers.loadDoc(L);
    const measureIds = new Set(delta.map((d) => d.itemId));
    const measures = await this.ledgers.getItems(L, [...measureIds]);
    const problemIds = new Set(measures.flatMap((m) => (m.level === 'measure' ? [m.problemId] : [])));
    const problems = await this.ledgers.getItems(L, [...problemIds]);
    const fresh = new Map([...measures, ...problems].map((i) => [i.id, i]));
    const swap = <T extends { id: string }>(xs: T[]) => xs.map((x) => (fresh.get(x.id) as T | undefined) ?? x);
    // Old events plus the new ones, so the events read for the burn-up need not be read again.
    if (prev.events && prev.eventsMax) {
      const before = prev.events;
      const max = prev.eventsMax;
      this.carried.set(L, before.then((old) => [...old, ...delta].slice(-max)));
    }
    return { ...base, measures: swap(base.measures), problems: swap(base.problems) };
  }

  /** Event lists carried over by a patch, taken by the next docAndEvents. */
  private readonly carried = new Map<string, Promise<AuditEvent[]>>();

  /** The whole ledger as of this request. */
  async doc(L: string): Promise<LedgerDoc | null> {
    return (await this.entry(L)).doc;
  }

  /**
   * The ledger and its newest `count` audit events (oldest first), of the
   * same version, and a memo for values derived from them (a few per version).
   */
  async docAndEvents(L: string, count: number): Promise<{ doc: LedgerDoc | null; events: AuditEvent[]; memo: Memo }> {
    const e = await this.entry(L);
    await e.doc.catch(() => null);
    if (!e.events || (e.eventsMax ?? 0) < count) {
      const carried = this.carried.get(L);
      this.carried.delete(L);
      e.events = carried ?? this.ledgers.recentEvents(L, count);
      e.eventsMax = count;
      e.events.catch(() => { e.events = undefined; });
    }
    const [doc, events] = await Promise.all([e.doc, e.events]);
    const memo: Memo = (key, make) => {
      const m = (e.memo ??= new Map());
      if (!m.has(key)) {
        if (m.size >= 8) m.delete(m.keys().next().value!);
        m.set(key, make());
      }
      return m.get(key) as ReturnType<typeof make>;
    };
    return { doc, events, memo };
  }
}
