import type { IncomingMessage } from '../core/message.js';
import type { Services } from '../commands/types.js';
import { simpleReply } from '../commands/reply.js';
import { approvalActions, type DispatchTrace } from './approval.js';

/**
 * After a message moved a measure into 待销号: the office's 1:1 copies of the
 * approval card (when the ledger asks for them, 审批私信 开), queued in the
 * durable outbox once per completion and person. The card id is the group
 * card's, so either card decides the same completion. The scheduler logs a
 * failure to queue (only a Redis error propagates, so a queued message is retried).
 */
export async function queueOfficeCopies(services: Services, msg: IncomingMessage, trace: DispatchTrace): Promise<void> {
  const schedule = services.schedule;
  const pending = trace.changes.find((c) => c.after.status === '待销号' && c.before.status !== '待销号');
  if (!schedule?.approvalCopies || !pending || !trace.ledgerId) return;
  const actions = approvalActions(trace.ledgerId, pending, trace.by ?? '');
  // From a 1:1 chat the copies belong to one of the ledger's groups on this platform (the outbox sends for bound groups only).
  const chatId = msg.chatType === 'private' ? await groupOf(services, msg, trace.ledgerId) : msg.chatId;
  if (!chatId) return;
  const chat = { platform: msg.platform, chatId, ledgerId: trace.ledgerId };
  await schedule.approvalCopies(chat, { ...simpleReply(actions.title, actions.subject), actions }, msg.senderId);
}

async function groupOf(services: Services, msg: IncomingMessage, ledgerId: string): Promise<string | undefined> {
  const own = await services.directory.getBinding(msg.platform, msg.chatId);
  if (own?.ledgerId === ledgerId) return msg.chatId;
  return (await services.directory.listBindings()).find((b) => b.platform === msg.platform && b.ledgerId === ledgerId)?.chatId;
}
