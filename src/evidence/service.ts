import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Item } from '../ledger/types.js';
import type { EvidenceStore } from '../store/evidence-store.js';
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

/** Attached (or already attached by this message), or refused with a sentence for the sender. */
export type AttachResult =
  | { ok: true; record: EvidenceRecord; duplicate: boolean }
  | { ok: false; code: RefusalCode; reason: string };

export type RemoveResult = { ok: true; record: EvidenceRecord } | { ok: false; reason: string };

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
    if ('duplicate' in r) {
      await this.discard(key);
      const won = await this.d.store.get(L, r.duplicate.itemId, r.duplicate.id);
      if (won) return { ok: true, record: won, duplicate: true };
      return { ok: false, code: 'not_found', reason: '该文件已由这条消息附加过，随后又被删除；如需重新附加，请重新发送文件。' };
    }
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
  list(L: string, itemId: string): Promise<EvidenceRecord[]> {
    return this.d.store.list(L, itemId);
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

  /**
   * Removes a record (with a 删除佐证 audit event), then its bytes. Callers
   * check the role: only the office removes evidence.
   */
  async removeEvidence(L: string, item: { id: string; code: string; status: string }, evidenceId: string, actor: EvidenceActor, messageId: string): Promise<RemoveResult> {
    const rec = await this.d.store.get(L, item.id, evidenceId);
    if (!rec) return { ok: false, reason: `${item.code} 没有这份佐证材料（可能已被删除）。` };
    const r = await this.d.store.remove(L, item.id, evidenceId, {
      at: this.d.clock.now().toISOString(), platform: actor.platform, userId: actor.userId, name: actor.name, code: item.code,
      action: '删除佐证', status: item.status, note: describeRecord(rec), messageId,
    });
    if (!r) return { ok: false, reason: `${item.code} 没有这份佐证材料（可能已被删除）。` };
    await this.discard(rec.key);
    return { ok: true, record: r.record ?? rec };
  }
}
