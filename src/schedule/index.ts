import type { AdapterContext, AdapterHandle } from '../core/ports.js';
import type { Services } from '../commands/types.js';

/**
 * Starts the digest/reminder scheduler and the delivery worker.
 * (Stub: filled in by the schedule work, issue 5.)
 */
export async function startScheduler(_ctx: AdapterContext, _services: Services, _redisUrl: string): Promise<AdapterHandle | null> {
  return null;
}
