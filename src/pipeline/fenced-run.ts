import type { Reply } from '../core/message.js';
import type { Ledger } from '../ledger/types.js';
import type { CommandContext, Services } from '../commands/types.js';
import { GenerationMoved } from '../store/read-scripts.js';

/**
 * Runs a command; when a fenced read finds that a re-import switched the
 * ledger under its cached meta (GenerationMoved), runs it again on the new
 * ledger (at most twice more). Fenced reads throw before the command has
 * written anything, so running again is safe. `gone` answers a ledger that
 * no longer exists.
 */
export async function runFenced<A>(
  run: (ctx: CommandContext, args: A) => Promise<Reply>, ctx: CommandContext, args: A,
  services: Pick<Services, 'ledgers'>, gone: () => Reply,
): Promise<Reply> {
  for (let moved = 0; ; moved++) {
    try {
      return await run(ctx, args);
    } catch (e) {
      if (!(e instanceof GenerationMoved) || moved >= 2) throw e;
      const fresh: Ledger | null = await services.ledgers.currentLedger(ctx.ledger.id);
      if (!fresh) return gone();
      ctx = { ...ctx, ledger: fresh };
    }
  }
}
