/**
 * Evidence files (佐证材料) — the API the platform intake calls.
 *
 * Reach it as `ctx.evidence` (AdapterContext, src/bot/context.ts) or
 * `services.evidence` (Services, src/commands/types.ts); both are the same
 * EvidenceService, present whenever the service runs (local storage by default).
 *
 *   const r = await ctx.evidence!.attachEvidence({
 *     ledgerId, itemId,                   // the measure's id (resolve "3.2" first), not its code
 *     file: { bytes, name, mime },        // IncomingFile: the downloaded bytes, name and claimed MIME if known
 *     actor: { platform, userId, name },  // the sender
 *     messageId,                          // the platform message: same message + same bytes attach once
 *   });
 *   if (r.ok) reply(`已附加：${describeRecord(r.record)}`)   // r.duplicate: this message attached it before
 *   else reply(r.reason)                                     // Chinese sentence: too large / wrong type / not a measure
 *
 * Checks before storing: size (EVIDENCE_MAX_MB, default 20) and type by
 * content (PNG/JPEG/GIF/WebP, PDF, DOC/DOCX, XLS/XLSX). Refused files store
 * nothing and write no audit event. Never log `file.bytes`.
 * `ctx.evidence.limits.maxBytes` lets an adapter refuse before downloading
 * when the platform announces a size.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { RedisClient } from '../store/redis.js';
import { EvidenceStore } from '../store/evidence-store.js';
import { DashboardStore } from '../store/dashboard-store.js';
import type { EvidenceConfig } from './config.js';
import { defaultLimits } from './kinds.js';
import { LocalEvidenceStorage } from './local-storage.js';
import { S3EvidenceStorage } from './s3-storage.js';
import { EvidenceService, type EvidenceItems } from './service.js';
import type { EvidenceStorage } from './types.js';

export * from './types.js';
export { EvidenceService, describeRecord, type AttachInput, type AttachResult, type RemoveResult, type EvidenceActor, type EvidenceUndo } from './service.js';
export { loadEvidenceConfig, type EvidenceConfig } from './config.js';
export { KIND_LABEL, formatSize, defaultLimits } from './kinds.js';

/** The storage backend the configuration names: S3 when EVIDENCE_S3_BUCKET is set, else the local directory. */
export function evidenceStorage(cfg: EvidenceConfig): EvidenceStorage {
  return cfg.s3 ? new S3EvidenceStorage(cfg.s3) : new LocalEvidenceStorage(cfg.dir);
}

/** Builds the evidence service over a Redis client and a storage backend. */
export function createEvidence(o: {
  redis: RedisClient; items: EvidenceItems; clock: Clock; storage: EvidenceStorage; maxBytes?: number; logger?: Logger;
}): EvidenceService {
  return new EvidenceService({
    store: new EvidenceStore(o.redis), flags: new DashboardStore(o.redis), storage: o.storage, items: o.items, clock: o.clock, logger: o.logger,
    limits: defaultLimits(o.maxBytes !== undefined ? o.maxBytes / 1024 / 1024 : undefined),
  });
}
