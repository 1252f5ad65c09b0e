import type { ChatBinding } from '../core/binding.js';
import type { IncomingMessage, Reply } from '../core/message.js';
import type { User } from '../ledger/roles.js';
import { safeText } from '../core/safe-text.js';
import type { Services } from '../commands/types.js';
import type { Routed } from '../commands/router.js';
import { ReplyBuilder, simpleReply } from '../commands/reply.js';

/**
 * The ledgers a person takes part in: those the directory names for them, and
 * every ledger for an admin or a person with an all-ledgers role other than
 * 成员 (an all-ledgers viewer is registered nowhere in particular).
 */
export function memberLedgers(user: User | null, known: string[]): string[] {
  if (!user) return [];
  return known.filter((L) => user.admin === true || user.ledgers?.[L] !== undefined || user.role !== 'viewer');
}

/** What a 1:1 chat works on: a ledger (as a binding of this chat alone), or a reply that stops the message. */
export type PrivateChat = { binding: ChatBinding } | { reply: Reply; outcome: string };

/** Names of ledgers for a prompt: 标题（ID）. */
export async function ledgerNames(services: Pick<Services, 'ledgers'>, ids: string[]): Promise<string[]> {
  const ls = await Promise.all(ids.map((L) => services.ledgers.getLedger(L)));
  return ids.map((L, i) => (ls[i] ? `${safeText(ls[i]!.title)}（${safeText(L)}）` : safeText(L)));
}

/**
 * A 1:1 chat with the robot is bound to no ledger: the sender's directory
 * entries pick one. One ledger: that one. Several: the one they last chose
 * (切换) or were last reminded about 1:1; else they are asked to choose.
 * None: a plain answer. Group settings (绑定, 订阅…) are refused here, and
 * 切换 runs without a ledger. The role stays the sender's role there (the
 * pipeline reads it from the directory, as in a group).
 */
export async function privateChat(services: Services, msg: IncomingMessage, user: User | null, routed: Routed): Promise<PrivateChat | null> {
  if (routed.kind === 'command' && routed.spec.groupOnly) {
    return { outcome: 'group_only', reply: simpleReply('请在群里设置', `“${routed.spec.name}”是工作群的设置，请在台账工作群中发送。`) };
  }
  // 切换 picks the ledger itself.
  if (routed.kind === 'command' && routed.spec.name === '切换') return null;
  const mine = memberLedgers(user, await services.ledgers.listLedgers());
  if (!mine.length) {
    return {
      outcome: 'unbound',
      reply: simpleReply('未登记', user
        ? '您尚未登记为任何整改台账的成员，私聊中无法查询或报送。请联系整改办登记，或在台账工作群中发送。'
        : '您尚未在整改台账的人员名单中登记，私聊中无法查询或报送。请联系整改办登记，或在台账工作群中发送。'),
    };
  }
  let ledgerId = mine.length === 1 ? mine[0]! : null;
  if (!ledgerId) {
    const last = await services.directory.privateLedger(msg.platform, msg.senderId);
    if (last && mine.includes(last)) ledgerId = last;
  }
  if (!ledgerId) {
    const b = new ReplyBuilder('请选择台账');
    b.line('您参与多个整改台账，请先发送“切换 台账名”选择要办理的台账：');
    for (const n of await ledgerNames(services, mine)) b.item(n);
    b.line(`例如：切换 ${safeText(mine[0]!)}。选择后可直接在这里查询、报送进展；之后随时可再发送“切换”改选。`);
    return { outcome: 'unbound', reply: b.build() };
  }
  return { binding: { platform: msg.platform, chatId: msg.chatId, ledgerId, channel: {}, boundAt: '' } };
}
