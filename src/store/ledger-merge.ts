/**
 * Imports into a ledger that may already exist: a merge by item code (see
 * src/reports/ledger-merge.ts) written as the next generation, or an explicit
 * replacement; either way the state before the import is kept as a gzipped
 * snapshot under the import's id, so `ledger restore --to <id>` can bring it
 * back, and the import is one audit event naming its id and its diff.
 *
 * Chat work that lands while the merged ledger is being written would be
 * lost by the switch, so the switch checks that the audit stream has not
 * moved since the ledger was read, and the merge is redone if it has.
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AuditEvent, LedgerDoc } from '../ledger/types.js';
import { DomainError } from '../core/errors.js';
import { chatWorkFrom, describeDiff, LedgerMerger, summarizeDiff, type LedgerDiff, type MergeOptions } from '../reports/ledger-merge.js';
import type { RedisClient } from './redis.js';
import { k } from './keys.js';
import { LedgerStore } from './ledger-store.js';
import { saveLedgerDoc, type SaveOptions } from './ledger-writer.js';
import { parseSnapshot, scanStored, snapshotStored, SnapshotGzip, type StoredScan } from './ledger-snapshot.js';

/** How many pre-import snapshots a ledger keeps (older ones are deleted). */
const KEEP = 10;
const MAX_TRIES = 3;

const ik = {
  list: (L: string) => `rb:{${L}}:imports`,
  doc: (L: string, id: string) => `rb:{${L}}:import:${id}:doc`,
  info: (L: string, id: string) => `rb:{${L}}:import:${id}`,
};

/** One recorded import (or restore). */
export interface ImportRecord {
  id: string;
  at: string;
  actor: string;
  mode: 'new' | 'merge' | 'replace' | 'restore';
  file: string;
  summary: string;
}

export interface ImportOptions extends Omit<MergeOptions, 'now'> {
  /** Replace the ledger by the sheet instead of merging (the old state stays restorable). */
  replace?: boolean;
  /** When the sheet was made (ISO): chat events after it are chat work; unknown = every chat event. */
  sheetDate?: string;
  dryRun?: boolean;
  actor: string;
  /** File name for the audit note. */
  file: string;
  now: Date;
  save?: SaveOptions;
}

export interface ImportOutcome {
  mode: ImportRecord['mode'];
  /** Absent for a dry run. */
  importId?: string;
  doc: LedgerDoc;
  /** Absent for a new ledger. */
  diff?: LedgerDiff;
}

/** `20261203-122400-3fa`: sortable, readable, unique enough for one ledger. */
function newImportId(now: Date): string {
  const s = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${s}-${randomBytes(2).toString('hex').slice(0, 3)}`;
}

/** Imports, snapshots and restores of whole ledgers. */
export class LedgerImports {
  private readonly store: LedgerStore;
  constructor(private readonly redis: RedisClient, store?: LedgerStore) {
    this.store = store ?? new LedgerStore(redis);
  }

  /** Chat events after `since` (every one when unknown), read in pages from the stream. */
  private async eventsSince(L: string, since?: string): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    let from = since ? String(Date.parse(since) + 1) : '-';
    for (;;) {
      const page = await this.store.events(L, from, '+', 5000);
      out.push(...page);
      if (page.length < 5000) return out;
      from = `(${page[page.length - 1].id}`;
    }
  }

  private async auditTail(L: string): Promise<string> {
    const t = await this.redis.xrevrange(k.audit(L), '+', '-', 'COUNT', 1);
    return t.length ? t[0][0] : '0-0';
  }

  /**
   * Imports `sheet` (built with the current ledger's numbering when it
   * exists): a new ledger is written as it is; an existing one is merged, or
   * replaced with `replace`. A dry run computes the same outcome and writes nothing.
   */
  async importDoc(sheet: LedgerDoc, o: ImportOptions): Promise<ImportOutcome> {
    const L = sheet.ledger.id;
    for (let attempt = 1; ; attempt++) {
      const tail = await this.auditTail(L);
      const scan = await scanStored(this.redis, L);
      if (!scan) {
        if (o.dryRun) return { mode: 'new', doc: sheet };
        const id = newImportId(o.now);
        const r = await saveLedgerDoc(this.redis, sheet, { actor: o.actor, note: `导入 ${o.file}（导入编号 ${id}）` }, { ...o.save, expectAuditTail: tail });
        if (o.save?.awaitCleanup) await r.cleanup;
        await this.record(L, { id, at: o.now.toISOString(), actor: o.actor, mode: 'new', file: o.file, summary: '新建台账' }, null);
        return { mode: 'new', importId: id, doc: sheet };
      }
      const { merged, snapshot } = await this.mergeStored(scan, sheet, o);
      const mode = o.replace ? 'replace' : 'merge';
      const doc = o.replace ? { ...sheet, ledger: { ...sheet.ledger, createdAt: scan.ledger.createdAt } } : merged.doc;
      if (o.dryRun) return { mode, doc, diff: merged.diff };
      const id = newImportId(o.now);
      const summary = `${o.replace ? '整表替换' : '合并'}：${summarizeDiff(merged.diff)}`;
      // The snapshot is written first and listed only once the switch succeeded.
      await this.redis.set(ik.doc(L, id), snapshot!);
      try {
        const note = `导入 ${o.file}（导入编号 ${id}）${summary}`;
        const r = await saveLedgerDoc(this.redis, doc, { actor: o.actor, note }, { ...o.save, expectAuditTail: tail });
        if (o.save?.awaitCleanup) await r.cleanup;
      } catch (e) {
        await this.redis.del(ik.doc(L, id));
        if (e instanceof DomainError && e.code === 'import_stale' && attempt < MAX_TRIES) continue;
        throw e;
      }
      await this.record(L, { id, at: o.now.toISOString(), actor: o.actor, mode, file: o.file, summary }, merged.diff);
      return { mode, importId: id, doc, diff: merged.diff };
    }
  }

  /**
   * Merges the sheet into the stored ledger read back a batch at a time, and
   * (unless a dry run) builds the pre-import snapshot from the same reads: the
   * stored ledger is never held whole, nor its JSON (see ledger-snapshot.ts).
   */
  private async mergeStored(scan: StoredScan, sheet: LedgerDoc, o: ImportOptions): Promise<{ merged: ReturnType<LedgerMerger['finish']>; snapshot?: Buffer }> {
    const chat = chatWorkFrom(await this.eventsSince(scan.ledger.id, o.sheetDate), o.sheetDate);
    const merger = new LedgerMerger(sheet, chat, { ...o, now: o.now.toISOString() });
    const snap = o.dryRun ? undefined : new SnapshotGzip();
    try {
      for await (const items of scan.batches()) {
        merger.add(items);
        await snap?.add(items);
      }
    } catch (e) {
      snap?.abandon();
      throw e;
    }
    return { merged: merger.finish(scan.ledger), snapshot: await snap?.finish(scan.ledger) };
  }

  /** Lists the import, keeps its diff, and trims snapshots beyond {@link KEEP}. */
  private async record(L: string, rec: ImportRecord, diff: LedgerDiff | null): Promise<void> {
    const info: Record<string, string | Buffer> = { ...rec };
    if (diff) info.diff = gzipSync(JSON.stringify({ counts: diff.counts, lines: describeDiff(diff, 100_000) }));
    await this.redis.hset(ik.info(L, rec.id), info);
    await this.redis.lpush(ik.list(L), rec.id);
    const old = await this.redis.lrange(ik.list(L), KEEP, -1);
    if (old.length) {
      await this.redis.ltrim(ik.list(L), 0, KEEP - 1);
      await this.redis.unlink(...old.flatMap((id) => [ik.doc(L, id), ik.info(L, id)]));
    }
  }

  /** Recorded imports, newest first. */
  async list(L: string): Promise<ImportRecord[]> {
    const ids = await this.redis.lrange(ik.list(L), 0, -1);
    const out: ImportRecord[] = [];
    for (const id of ids) {
      const h = await this.redis.hgetall(ik.info(L, id));
      if (h.id) out.push({ id: h.id, at: h.at, actor: h.actor, mode: h.mode as ImportRecord['mode'], file: h.file, summary: h.summary });
    }
    return out;
  }

  /** The full diff of an import, one line per item. */
  async diffLines(L: string, id: string): Promise<string[] | null> {
    const buf = await this.redis.hgetBuffer(ik.info(L, id), 'diff');
    return buf ? (JSON.parse(gunzipSync(buf).toString('utf8')) as { lines: string[] }).lines : null;
  }

  /**
   * Brings back the ledger as it was just before import `id` (undoing that
   * import and everything after it). The restore is itself recorded, so it
   * can be undone the same way.
   */
  async restore(L: string, id: string, actor: string, now: Date, save: SaveOptions = {}): Promise<{ importId: string; doc: LedgerDoc }> {
    const buf = await this.redis.getBuffer(ik.doc(L, id));
    if (!buf) {
      const known = (await this.list(L)).filter((r) => r.mode !== 'new').map((r) => r.id);
      throw new DomainError('no_import', `台账 ${L} 没有导入编号为 ${id} 的记录。${known.length ? `可恢复的导入编号：${known.slice(0, 5).join('、')}。` : '该台账还没有可恢复的导入。'}`);
    }
    const doc = await parseSnapshot(buf);
    const current = await snapshotStored(this.redis, L);
    const rid = newImportId(now);
    if (current) await this.redis.set(ik.doc(L, rid), current);
    const summary = `恢复到导入 ${id} 之前的台账`;
    const r = await saveLedgerDoc(this.redis, doc, { actor, note: `${summary}（恢复编号 ${rid}）`, action: '恢复' }, save);
    if (save.awaitCleanup) await r.cleanup;
    await this.record(L, { id: rid, at: now.toISOString(), actor, mode: 'restore', file: id, summary }, null);
    return { importId: rid, doc };
  }
}
