import type { AdapterContext, AdapterHandle } from '../../core/ports.js';

/**
 * Starts the DingTalk adapter according to DINGTALK_* config (stream | http | off).
 * Registers HTTP routes on ctx.router and a ChatSender on ctx.senders.
 * (Stub: filled in by the DingTalk work, issue 3.)
 */
export async function startDingtalk(_ctx: AdapterContext): Promise<AdapterHandle | null> {
  return null;
}
