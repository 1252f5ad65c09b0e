import type { AdapterContext, AdapterHandle } from '../../core/ports.js';

/**
 * Starts the WeCom adapter when WECOM_* config is present: registers the
 * callback routes on ctx.router and a ChatSender on ctx.senders.
 * (Stub: filled in by the WeCom work, issue 4.)
 */
export async function startWecom(_ctx: AdapterContext): Promise<AdapterHandle | null> {
  return null;
}
