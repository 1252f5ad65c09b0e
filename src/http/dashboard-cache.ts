import type { AuditEvent, LedgerDoc } from '../ledger/types.js';
import type { LedgerPort } from '../commands/ports.js';

/** What the cache reads: the ledger, its generation and the newest audit event. */
type Reads = Pick<LedgerPort, 'loadDoc' | 'generation' | 'recentEvents'>;

interface Entry { version: string; doc: Promise<LedgerDoc | null>; events?: Promise<AuditEvent[]>; memo?: Map<string, unknown> }

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
  async version(L: string): Promise<string> {
    const [g, last] = await Promise.all([this.ledgers.generation(L), this.ledgers.recentEvents(L, 1)]);
    return `${g.gen}:${last[0]?.id ?? ''}`;
  }

  private async entry(L: string): Promise<Entry> {
    const version = await this.version(L);
    let e = this.entries.get(L);
    if (!e || e.version !== version) {
      // Read after the version: a change in between makes the copy newer than its key, and the next request reloads.
      e = { version, doc: this.ledgers.loadDoc(L) };
      e.doc.catch(() => this.entries.delete(L));
    }
    this.entries.delete(L);
    this.entries.set(L, e);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return e;
  }

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
    if (!e.events) {
      e.events = this.ledgers.recentEvents(L, count);
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
