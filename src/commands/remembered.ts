import type { Reply } from '../core/message.js';
import type { Unchanged } from '../store/read-scripts.js';
import type { CommandContext } from './types.js';

/**
 * A read command's answer, remembered (Services.answers) and used again only when the store's
 * read says, in the same round trip, that what it read is unchanged: `read(known)` gets the digest
 * the remembered answer was built from ('' for none) and returns the data with its own digest
 * (`version`; '' or absent: not to be remembered by), or `{ unchanged }`. The key is the command's
 * own (`what`: its name and argument) plus the ledger, the Shanghai day and the ledger settings
 * answers show; `remember: false` reads as before and remembers nothing.
 */
export async function remembered<T extends { version?: string }>(
  ctx: CommandContext, what: string, read: (known: string | undefined) => Promise<T | Unchanged>, build: (data: T) => Reply | Promise<Reply>,
  remember = true,
): Promise<Reply> {
  const answers = remember ? ctx.services.answers : undefined;
  if (!answers) return build((await read(undefined)) as T);
  const key = `${what}\u0000${ctx.ledger.id}\u0000${ctx.today}\u0000${ledgerStamp(ctx.ledger)}`;
  const known = answers.get(key);
  const got = await read(known?.version ?? '');
  if ('unchanged' in got && known) return known.value;
  const data = got as T;
  const reply = frozen(await build(data));
  if (data.version) answers.set(key, data.version, reply);
  return reply;
}

/** The ledger's settings an answer depends on besides what its read returns (held in the ledger's meta). */
function ledgerStamp(l: CommandContext['ledger']): string {
  return `${l.createdAt}\u0000${l.title}\u0000${l.inspectionType}\u0000${l.measureNoun ?? ''}\u0000${l.yellowDays}`;
}

/** A reply that may be handed out again: neither it nor its mentions can be changed. */
function frozen(r: Reply): Reply {
  Object.freeze(r.mentions);
  return Object.freeze(r);
}
