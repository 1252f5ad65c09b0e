import type { Reply, ReplyActions } from '../core/message.js';
import { safeText } from '../core/safe-text.js';
import { ReplyBuilder } from '../commands/reply.js';

/**
 * The office's 1:1 copy of an approval card: the card's facts as text (what
 * a platform without 1:1 cards shows, and the card's fallback text), with
 * the same `actions`, so a platform that can deliver a 1:1 card does.
 */
export function approvalCopy(ledgerTitle: string, actions: ReplyActions): Reply {
  const code = actions.fields.find((f) => f.label === '编号')?.value ?? '';
  const b = new ReplyBuilder(actions.title);
  b.heading(`📝 ${safeText(actions.title)} · ${safeText(ledgerTitle)}`);
  b.line(`**${safeText(actions.subject)}**`);
  for (const f of actions.fields) if (f.label !== '编号') b.item(`${safeText(f.label)}：${safeText(f.value)}`);
  if (actions.note) b.item(`佐证说明：${safeText(actions.note)}`);
  b.blank().line(code
    ? `请审核：可直接在这里回复“销号 ${code}”予以销号，或回复“退回 ${code} 原因”退回。`
    : '请审核：可直接在这里回复“销号 编号”或“退回 编号 原因”。');
  return { ...b.build(), personal: true, actions };
}
