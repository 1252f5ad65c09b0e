import type { Logger } from 'pino';
import type { Services } from '../commands/types.js';
import { EvidenceIntake, FileFetchers } from '../pipeline/evidence.js';
import { RecentItemStore } from '../store/recent-item.js';
import type { RedisClient } from '../store/redis.js';

/**
 * The evidence intake of the pipeline over the evidence service: the
 * adapters register their file fetchers on `files` (AdapterContext.files).
 * Null when the services have no evidence store.
 */
export function createEvidenceIntake(o: { services: Services; redis: RedisClient; logger: Logger; files?: FileFetchers; windowMs?: number }): { intake: EvidenceIntake; files: FileFetchers } | null {
  const ev = o.services.evidence;
  if (!ev) return null;
  const files = o.files ?? new FileFetchers();
  const intake = new EvidenceIntake({
    fetchers: files, attach: (i) => ev.attachEvidence(i), limits: ev.limits, recent: new RecentItemStore(o.redis), logger: o.logger,
    ...(o.windowMs !== undefined ? { windowMs: o.windowMs } : {}),
  });
  return { intake, files };
}
