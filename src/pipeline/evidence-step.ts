import type { IncomingMessage, Reply } from '../core/message.js';
import type { Services } from '../commands/types.js';
import { route } from '../commands/router.js';
import { isParseFailure } from '../commands/types.js';
import { parseCode } from '../ledger/codes.js';
import { simpleReply } from '../commands/reply.js';
import type { DispatchTrace } from './approval.js';
import { AlreadyReported } from '../commands/already-reported.js';
import { HOW_TO_ATTACH, REPORT_COMMANDS, howToAttach, withLines, type EvidenceIntake, type EvidenceTarget } from './evidence.js';
import { privateChat } from './private-chat.js';

/**
 * The pipeline's two evidence steps (the rule itself is documented in evidence.ts):
 * files alone (no command in the text) and files riding on a command.
 */

/**
 * The code of a "佐证 …" text ("佐证 3.2", "佐证材料：3.2 现场"), '' when it names
 * none ("佐证材料"), null when the text is not the 佐证 command at all.
 */
function evidenceCaption(text: string): { code: string; rest: string } | null {
  const r = route(text);
  if (r.kind !== 'command' || r.spec.name !== '佐证') return null;
  const args = r.args.replace(/^[\s,，:：]+/, '').trim();
  const m = args.match(/^(\S+?)(?:[\s,，:：]+(.*))?$/s);
  return m && parseCode(m[1]) ? { code: m[1], rest: (m[2] ?? '').trim() } : { code: '', rest: args };
}

/**
 * No text, or a caption that is not a command ("现场照片"), or a 佐证 caption
 * that names no measure ("佐证材料"): the files stand alone. As text alone,
 * "佐证" is the command that lists or explains evidence; with a file it is
 * only a caption.
 */
export function isFileAlone(text: string): boolean {
  if (!text.trim() || route(text).kind === 'miss') return true;
  return evidenceCaption(text)?.code === '';
}

/**
 * "进展 3.2" / "完成 3.2" sent with a picture or file but no words: the file is the
 * description, so the command gets "（见所附图片）" instead of asking for one; a bare
 * code with a file ("3.2" + photo) is such a 进展.
 */
export function withFileCaption(msg: IncomingMessage): IncomingMessage {
  if (!msg.files?.length) return msg;
  // A bare code with a file ("3.2" + photo) means "this is for 3.2": a 进展 whose description is the file.
  const bare = msg.text.trim();
  if (bare && parseCode(bare)) return { ...msg, text: `进展 ${bare} （见所附${what(msg)}）` };
  // "佐证 3.2" with a file: the same, a 进展 of 3.2 carrying it (its words, if any, are the description).
  const cap = evidenceCaption(msg.text);
  if (cap?.code) return { ...msg, text: `进展 ${cap.code} ${cap.rest || `（见所附${what(msg)}）`}` };
  const r = route(msg.text);
  if (r.kind !== 'command' || !REPORT_COMMANDS.includes(r.spec.name) || !isParseFailure(r.spec.parse(r.args))) return msg;
  const text = `${msg.text.trim()} （见所附${what(msg)}）`;
  const again = route(text);
  return again.kind === 'command' && again.spec.name === r.spec.name && !isParseFailure(again.spec.parse(again.args)) ? { ...msg, text } : msg;
}

const what = (msg: IncomingMessage) => (msg.files?.every((f) => f.type === 'image') ? '图片' : '文件');

/** Files sent alone: they attach to the measure the sender last reported on in this chat, if recent. */
export async function filesAlone(msg: IncomingMessage, services: Services, ev: EvidenceIntake, setOutcome: (o: string) => void): Promise<Reply> {
  const [bound, user] = await services.directory.bindingAndUser(msg.platform, msg.chatId, msg.senderId);
  // In a 1:1 chat with the robot the ledger comes from the sender's directory entries, as for commands.
  const direct = !bound && msg.chatType === 'private' ? await privateChat(services, msg, user, route(msg.text)) : null;
  if (direct && 'reply' in direct) {
    setOutcome(direct.outcome);
    return direct.reply;
  }
  const binding = bound ?? direct?.binding ?? null;
  if (!binding) {
    setOutcome('unbound');
    return simpleReply('未绑定', '本群尚未绑定整改台账。');
  }
  const recent = await ev.recent(binding.ledgerId, msg);
  if (!recent) {
    setOutcome('evidence_no_item');
    return simpleReply('未关联事项', `收到${what(msg)}，但还不知道它属于哪一项整改，未保存。`, HOW_TO_ATTACH);
  }
  const target: EvidenceTarget = {
    ledgerId: binding.ledgerId, itemId: recent.itemId, code: recent.code,
    by: { platform: msg.platform, userId: msg.senderId, name: user?.name ?? (msg.senderName || msg.senderId) },
  };
  setOutcome('evidence');
  const lines = await ev.attachAll(msg, target, services.clock.now());
  return { ...simpleReply('佐证材料', ...lines), personal: true };
}

/**
 * After a command ran: a 进展 / 完成 that changed one measure becomes the
 * sender's recent item, and files in the same message attach to it. On a
 * re-run of the message (its change already applied, so nothing changed now)
 * the recent item it wrote is the target.
 */
export async function filesWithCommand(msg: IncomingMessage, services: Services, ev: EvidenceIntake, trace: DispatchTrace, outcome: string, reply: Reply): Promise<Reply> {
  const now = services.clock.now();
  // 撤销 took the sender's last report back: a file sent next no longer attaches to that measure.
  if (outcome === 'ok' && trace.command === '撤销' && trace.ledgerId) await ev.forget(trace.ledgerId, msg);
  let target = outcome === 'ok' ? await ev.remember(msg, trace, now) : null;
  if (!msg.files?.length) return reply;
  if (!target && outcome === 'ok' && trace.ledgerId && trace.command && REPORT_COMMANDS.includes(trace.command) && !trace.changes.length) {
    const r = await ev.recent(trace.ledgerId, msg);
    if (r && r.messageId === msg.messageId) {
      target = { ledgerId: trace.ledgerId, itemId: r.itemId, code: r.code, by: { platform: msg.platform, userId: msg.senderId, name: trace.by ?? msg.senderId } };
    }
  }
  if (target) return withLines(reply, await ev.attachAll(msg, target, now));
  // A report refused only because the measure is already 待销号 / done, by someone who may write to it:
  // the file is evidence for that completion all the same, so it attaches.
  const done = trace.refused instanceof AlreadyReported ? trace.refused.item : null;
  if (outcome === 'rejected' && done && trace.ledgerId) {
    const t: EvidenceTarget = { ledgerId: trace.ledgerId, itemId: done.id, code: done.code, by: { platform: msg.platform, userId: msg.senderId, name: trace.by ?? msg.senderId } };
    const lines = await ev.attachAll(msg, t, now);
    const note = `该项此前已申报，本次未重复登记；所附${what(msg)}作为这次完成的佐证材料附在 ${done.code} 上。`;
    return withLines(reply, lines[0]?.startsWith('📎') ? [note, ...lines] : lines);
  }
  if (outcome !== 'ok') return withLines(reply, [`${what(msg)}未保存：这条指令未能完成，请按提示修改后连同${what(msg)}重新发送。`]);
  return withLines(reply, [`${what(msg)}未保存：图片和文件只随“进展”“完成”添加到事项。${howToAttach(codeOf(msg.text))}`]);
}

/** The code a command's text names ("查看 一.1.1" → 一.1.1), if any. */
function codeOf(text: string): string | undefined {
  const r = route(text);
  if (r.kind !== 'command') return undefined;
  const first = r.args.trim().split(/[\s,，:：]+/)[0];
  return first && parseCode(first) ? first : undefined;
}
