import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Item } from '../ledger/types.js';
import type { EvidenceAudit, EvidenceRead, EvidenceStore } from '../store/evidence-store.js';
import { k } from '../store/keys.js';
import type { EvidenceLimits, EvidenceRecord, EvidenceStorage, IncomingFile } from './types.js';
import { KIND_LABEL, cleanName, formatSize, refusal, sniff } from './kinds.js';
import { newEvidenceKey } from './storage-key.js';

/** Who attaches or removes (the speaker). */
export interface EvidenceActor {
  platform: string;
  userId: string;
  name: string;
}

export interface AttachInput {
  ledgerId: string;
  /** The measure's id (not its code): resolve the code first. */
  itemId: string;
  file: IncomingFile;
  actor: EvidenceActor;
  /** The platform message that carried the file: the same message and bytes attach once. */
  messageId: string;
}

export type RefusalCode = 'empty' | 'too_large' | 'bad_type' | 'not_found' | 'not_measure';

/**
 * Attached (or already attached by this message: duplicate), the item already
 * holds these bytes (same: nothing new stored, `record` is that file), or
 * refused with a sentence for the sender.
 */
export type AttachResult =
  | { ok: true; record: EvidenceRecord; duplicate: boolean; same?: boolean }
  | { ok: false; code: RefusalCode; reason: string };

export type RemoveResult = { ok: true; records: EvidenceRecord[] } | { ok: false; reason: string };

/** The undo record a removal leaves in the remover's undo key (src/store/item-changes.ts reads the other kind). */
export const evidenceUndoSchema = z.object({
  kind: z.literal('evidence'), itemId: z.string(), code: z.string(), ids: z.array(z.string()).min(1), at: z.string(),
});
export type EvidenceUndo = z.infer<typeof evidenceUndoSchema>;

/** How long 撤销 can restore a removal (the same 10 minutes as every other change). */
export const UNDO_TTL_S = 600;

/** What the chat needs to know of a ledger's sensitivity (DashboardStore satisfies it). */
export interface SensitiveFlags {
  isSensitive(L: string): Promise<boolean>;
}

/** What the service reads of the ledger (LedgerStore satisfies it). */
export interface EvidenceItems {
  getItem(L: string, id: string): Promise<Item | null>;
}

export interface EvidenceServiceDeps {
  store: EvidenceStore;
  storage: EvidenceStorage;
  limits: EvidenceLimits;
  items: EvidenceItems;
  clock: Clock;
  logger?: Logger;
  flags?: SensitiveFlags;
}

/** A one-line description of a record for audit notes and replies: 名称（图片，1.2 MB）. */
export function describeRecord(r: Pick<EvidenceRecord, 'name' | 'kind' | 'size'>): string {
  return `${r.name}（${KIND_LABEL[r.kind]}，${formatSize(r.size)}）`;
}

/** Evidence files: sniff, limits, bytes into storage, record and audit event into Redis. */
export class EvidenceService {
  constructor(private readonly d: EvidenceServiceDeps) {}

  get limits(): EvidenceLimits { return this.d.limits; }
  get storageKind(): EvidenceStorage['kind'] { return this.d.storage.kind; }

  /** Releases the storage's connections (S3); the Redis client belongs to the caller. */
  async close(): Promise<void> {
    await this.d.storage.close?.();
  }

  /**
   * Attaches a downloaded file to a measure. Bytes are written first and the
   * record second; when recording fails (or a concurrent copy of the same
   * message won), the bytes are removed again, so nothing half-recorded stays.
   */
  async attachEvidence(i: AttachInput): Promise<AttachResult> {
    const { ledgerId: L, file } = i;
    const item = await this.d.items.getItem(L, i.itemId);
    if (!item) return { ok: false, code: 'not_found', reason: '未找到要附加佐证材料的事项，文件未保存。' };
    if (item.level !== 'measure') {
      return { ok: false, code: 'not_measure', reason: `${item.code} 不是具体的整改措施，佐证材料要附在整改措施上（如 ${item.code}.1），文件未保存。` };
    }
    const bytes = file.bytes;
    const t = bytes.length && bytes.length <= this.d.limits.maxBytes ? await sniff(bytes, file.name) : null;
    const why = refusal(bytes.length, t, this.d.limits, file.name);
    if (why || !t) {
      const code: RefusalCode = !bytes.length ? 'empty' : bytes.length > this.d.limits.maxBytes ? 'too_large' : 'bad_type';
      this.d.logger?.debug({ ledgerId: L, itemId: i.itemId, size: bytes.length, code }, 'evidence refused');
      return { ok: false, code, reason: why ?? '' };
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const earlier = await this.d.store.attachedBy(L, i.actor.platform, i.messageId, sha256);
    if (earlier) return { ok: true, record: earlier, duplicate: true };
    const same = await this.d.store.withSha(L, item.id, sha256);
    if (same) return { ok: true, record: same, duplicate: true, same: true };

    const id = await this.d.store.nextId(L);
    const key = newEvidenceKey(L, item.id, t.ext);
    const at = this.d.clock.now().toISOString();
    const rec: EvidenceRecord = {
      id, ledgerId: L, itemId: item.id, name: cleanName(file.name, t, `佐证材料${id}`), kind: t.kind, mime: t.mime,
      size: bytes.length, sha256, key, by: { ...i.actor }, at, messageId: i.messageId,
    };
    await this.d.storage.put(key, bytes, t.mime);
    let r: Awaited<ReturnType<EvidenceStore['attach']>>;
    try {
      r = await this.d.store.attach(rec, {
        at, platform: i.actor.platform, userId: i.actor.userId, name: i.actor.name, code: item.code,
        action: '佐证', status: item.status, note: describeRecord(rec), messageId: i.messageId,
      });
    } catch (e) {
      await this.discard(key);
      throw e;
    }
    if ('same' in r) {
      await this.discard(key);
      const had = await this.d.store.get(L, item.id, r.same);
      if (had) return { ok: true, record: had, duplicate: true, same: true };
    }
    if ('duplicate' in r) {
      await this.discard(key);
      const won = await this.d.store.get(L, r.duplicate.itemId, r.duplicate.id);
      if (won) return { ok: true, record: won, duplicate: true };
      return { ok: false, code: 'not_found', reason: '该文件已由这条消息附加过，随后又被删除；如需重新附加，请重新发送文件。' };
    }
    if (!('n' in r)) return { ok: false, code: 'not_found', reason: '文件未保存，请重新发送。' };
    rec.n = r.n;
    this.d.logger?.debug({ ledgerId: L, itemId: item.id, evidenceId: id, size: rec.size, kind: rec.kind }, 'evidence attached');
    return { ok: true, record: rec, duplicate: false };
  }

  private async discard(key: string): Promise<void> {
    try {
      await this.d.storage.remove(key);
    } catch (e) {
      this.d.logger?.warn({ key, err: (e as Error).message }, 'evidence bytes could not be removed after a failed attach');
    }
  }

  /** The measure's evidence, oldest first (numbered 1… in 查看). */
  list(L: string, itemId: string, read?: EvidenceRead): Promise<EvidenceRecord[]> {
    return read ? this.d.store.fromRead(L, itemId, read.records, read.gone) : this.d.store.list(L, itemId);
  }

  get(L: string, itemId: string, id: string): Promise<EvidenceRecord | null> {
    return this.d.store.get(L, itemId, id);
  }

  counts(L: string, itemIds: string[]): Promise<Map<string, number>> {
    return this.d.store.counts(L, itemIds);
  }

  /** The stored bytes of a record (null: missing in storage). */
  bytes(rec: EvidenceRecord): Promise<Buffer | null> {
    return this.d.storage.get(rec.key);
  }

  /** The item's removed files (soft-deleted), oldest first, each with its 序号. */
  removed(L: string, itemId: string): Promise<EvidenceRecord[]> {
    return this.d.store.removed(L, itemId);
  }

  /** Sensitive ledgers hide file names and uploaders from viewers (as the dashboard's viewer links). */
  async sensitive(L: string): Promise<boolean> {
    return (await this.d.flags?.isSensitive(L)) ?? false;
  }

  private audit(actor: EvidenceActor, item: { code: string; status: string }, action: string, note: string, messageId: string, at: string): EvidenceAudit {
    return { at, platform: actor.platform, userId: actor.userId, name: actor.name, code: item.code, action, status: item.status, note, messageId };
  }

  /**
   * Removes records softly (each with a 删除佐证 audit event): they leave the
   * item's list but keep their 序号 and bytes. `undoable` (the office's
   * 删除佐证) sets the remover's undo record in the same step, so 撤销 within
   * 10 minutes restores them. Callers check the role.
   */
  async removeEvidence(L: string, item: { id: string; code: string; status: string }, ids: string[], actor: EvidenceActor, messageId: string,
    o: { undoable?: boolean; why?: string; notePrefix?: string } = {}): Promise<RemoveResult> {
    const live = (await this.d.store.list(L, item.id)).filter((r) => ids.includes(r.id));
    if (!live.length) return { ok: false, reason: `${item.code} 没有这份佐证材料（可能已被删除）。` };
    const at = this.d.clock.now().toISOString();
    const audits = live.map((r) => this.audit(actor, item, '删除佐证', `${o.notePrefix ?? ''}第${r.n}份 ${describeRecord(r)}`, messageId, at));
    const undo: EvidenceUndo = { kind: 'evidence', itemId: item.id, code: item.code, ids: live.map((r) => r.id), at };
    const done = await this.d.store.remove(L, item.id, live.map((r) => r.id),
      { at, by: { ...actor }, messageId, ...(o.why ? { why: o.why } : {}) }, audits,
      o.undoable ? { key: k.undo(L, actor.platform, actor.userId), value: JSON.stringify(undo), ttlS: UNDO_TTL_S } : undefined);
    if (!done.length) return { ok: false, reason: `${item.code} 没有这份佐证材料（可能已被删除）。` };
    const byId = new Map(live.map((r) => [r.id, r]));
    return { ok: true, records: done.map((r) => ({ ...r, n: r.n ?? byId.get(r.id)?.n })) };
  }

  /** The actor's pending evidence undo (a 删除佐证 within 10 minutes), if that is their last change. */
  async pendingUndo(L: string, actor: EvidenceActor): Promise<{ rec: EvidenceUndo; raw: string } | null> {
    const raw = await this.d.store.readUndo(k.undo(L, actor.platform, actor.userId));
    if (!raw) return null;
    try {
      const r = evidenceUndoSchema.safeParse(JSON.parse(raw));
      return r.success ? { rec: r.data, raw } : null;
    } catch {
      return null;
    }
  }

  /** 撤销 of a 删除佐证: the files come back with their 序号 (a 恢复佐证 event each); null when nothing was pending. */
  async restoreEvidence(L: string, pending: { rec: EvidenceUndo; raw: string }, actor: EvidenceActor, messageId: string): Promise<EvidenceRecord[] | null> {
    const { rec } = pending;
    const item = await this.d.items.getItem(L, rec.itemId);
    const status = item && 'status' in item ? item.status : '';
    const gone = new Map((await this.d.store.removed(L, rec.itemId)).map((r) => [r.id, r]));
    const ids = rec.ids.filter((id) => gone.has(id));
    const at = this.d.clock.now().toISOString();
    const audits = ids.map((id) => this.audit(actor, { code: rec.code, status }, '恢复佐证', `撤销删除：第${gone.get(id)!.n}份 ${describeRecord(gone.get(id)!)}`, messageId, at));
    return this.d.store.restore(L, rec.itemId, ids, audits, k.undo(L, actor.platform, actor.userId), pending.raw);
  }
}
