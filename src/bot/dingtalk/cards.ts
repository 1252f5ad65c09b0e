import type { DWClientDownStream } from 'dingtalk-stream';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createHash } from 'node:crypto';
import type { IncomingMessage, Reply } from '../../core/message.js';
import type { DirectTarget } from '../../core/sender.js';
import type { CardDecision, CardRecord, Deliverer } from '../../core/ports.js';
import type { AdapterContext } from '../context.js';
import { cardOutcome, decodeKey } from '../card-outcome.js';
import { privateParams, publicParams, type CardApi, type CardParams } from './card-api.js';
import type { RobotMessage } from './payload.js';
import type { Replier } from './replier.js';

/** How long a card callback waits for the core before it is ACKed empty (the card is then updated by PUT). */
export const CARD_BUDGET_MS = 2_500;

/** Stream topic of card callbacks (dingtalk-stream TOPIC_CARD). */
export const TOPIC_CARD = '/v1.0/card/instances/callback';

/** A card callback's data (Stream topic /v1.0/card/instances/callback). */
const callbackSchema = z.looseObject({
  outTrackId: z.string().min(1).max(128),
  userId: z.string().min(1).max(128),
  type: z.string().optional(),
  content: z.string(),
});
const contentSchema = z.looseObject({
  cardPrivateData: z.looseObject({
    actionIds: z.array(z.string()).min(1),
    params: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** What answering a press late needs (kept with the queued press). */
interface CardRoute {
  kind: 'card';
  cardId: string;
  key: string;
  reason?: string;
  userId: string;
  conversationId: string;
  conversationType: '1' | '2';
  msgId: string;
}

/** The callback answer (socketCallBackResponse data): public variables, and the presser's private ones. */
export interface CardCallbackAnswer {
  cardData?: { cardParamMap: CardParams };
  userPrivateData?: { cardParamMap: CardParams };
}

/**
 * DingTalk approval cards: a reply with `actions` in a group is followed by a
 * card (createAndDeliver, callbackType STREAM); a press comes as a Stream
 * callback and is submitted to the core as the button's command typed by the
 * presser (the frame's messageId is the message id). Answered in time, the
 * callback's response carries the new card data; otherwise the ACK is empty
 * and the reply queue records the decision and updates the card by PUT.
 */
export class DingtalkCards {
  constructor(private readonly o: { ctx: AdapterContext; api: CardApi; replier: Replier; logger: Logger }) {}

  /** The adapter's Deliverer: answers as before; a reply offering a decision queues its card as a separate send. */
  deliverer(): Deliverer {
    return async (route, reply) => {
      if (route.kind === 'card') return this.late(route as unknown as CardRoute, reply);
      if (route.kind === 'card-create') return this.create(String(route.conversationId), reply);
      const m = route as unknown as RobotMessage;
      await this.o.replier.reply(m, reply);
      if (m.conversationType === '2') await this.typedDecision(m.conversationId, reply);
      if (!reply.actions || !this.o.ctx.cards || m.conversationType !== '2') return;
      // Its own durable job: a failed card creation is retried without sending the text answer twice.
      await this.o.ctx.inbound.later({ platform: 'dingtalk', chatId: m.conversationId, messageId: m.msgId }, 'card', { kind: 'card-create', conversationId: m.conversationId }, reply);
    };
  }

  private async create(conversationId: string, reply: Reply): Promise<void> {
    const cards = this.o.ctx.cards;
    if (!reply.actions || !cards) return;
    const rec: CardRecord = {
      id: reply.actions.id, platform: 'dingtalk', chatId: conversationId, chatType: 'group', actions: reply.actions,
      createdAt: this.o.ctx.clock.now().toISOString(),
    };
    // Kept before creation, so a press arriving at once finds it; a retry after a created card is refused as a duplicate outTrackId.
    if (!(await cards.get('dingtalk', rec.id))) await cards.save(rec);
    const code = reply.actions.fields.find((f) => f.label === '编号')?.value;
    if (code) await cards.markOpen?.('dingtalk', conversationId, code, rec.id);
    await this.o.api.createAndDeliver(rec);
    this.o.logger.info({ outTrackId: rec.id }, 'dingtalk: approval card delivered');
  }

  /**
   * The office's 1:1 copy of an approval card (sent through the outbox by
   * DingtalkSender.sendDirect): its own outTrackId, delivered into the user's
   * chat with the robot, pressed and authorized like the group card (chatId
   * is the group), and linked to it so a decision shows on both.
   */
  async createDirect(to: DirectTarget, reply: Reply): Promise<void> {
    const cards = this.o.ctx.cards;
    if (!reply.actions || !cards) return;
    const id = `${reply.actions.id}_${createHash('sha256').update(to.userId).digest('hex').slice(0, 10)}`;
    const existing = await cards.get('dingtalk', id);
    if (existing?.created) return;
    const rec: CardRecord = existing ?? {
      id, platform: 'dingtalk', chatId: to.chatId, chatType: 'group', actions: { ...reply.actions, id },
      createdAt: this.o.ctx.clock.now().toISOString(), deliverTo: to.userId, linked: reply.actions.id,
    };
    if (!existing) {
      await cards.save(rec);
      await cards.addCopy?.('dingtalk', reply.actions.id, id);
    }
    // Decided already (the group card, or a typed 销号, came first): deliver it as decided.
    const group = await cards.get('dingtalk', reply.actions.id);
    const shown = group?.decided && !rec.decided ? (await cards.decide('dingtalk', id, group.decided)) ?? rec : rec;
    await this.o.api.createAndDeliver(shown);
    await cards.save({ ...rec, created: true });
    this.o.logger.info({ outTrackId: id }, 'dingtalk: 1:1 approval card delivered');
  }

  /**
   * Shows a decision on the other cards of the same completion (the group
   * card and the office's 1:1 copies), by PUT. Best effort: a card not updated
   * still shows the decision when pressed.
   */
  private async mirror(rec: CardRecord, d: CardDecision): Promise<void> {
    const cards = this.o.ctx.cards;
    if (!cards) return;
    const root = rec.linked ?? rec.id;
    const others = [root, ...((await cards.copies?.('dingtalk', root)) ?? [])].filter((id) => id !== rec.id);
    for (const id of others) {
      try {
        const other = await cards.decide('dingtalk', id, d);
        // A copy not yet delivered is delivered decided (createDirect).
        if (other?.decided && (!other.deliverTo || other.created)) await this.o.api.update(other.id, publicParams(other));
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message, outTrackId: id }, 'dingtalk: linked card not updated');
      }
    }
  }

  /**
   * A 销号 / 退回 typed in the group (not pressed) decides the item's open card
   * there too: the group card and its 1:1 copies show the decision, as after
   * a press. Best effort: the typed command stands whatever happens here.
   */
  private async typedDecision(chatId: string, reply: Reply): Promise<void> {
    const cards = this.o.ctx.cards;
    const o = reply.outcome;
    const c = o?.kind === 'changed' ? o.changes?.find((x) => x.from === '待销号' && x.to !== '待销号') : undefined;
    if (!cards?.openCard || !c) return;
    try {
      const id = await cards.openCard('dingtalk', chatId, c.code);
      const rec = id ? await cards.get('dingtalk', id) : null;
      if (!rec || rec.decided) return;
      const button = rec.actions.buttons.find((b) => b.command.startsWith(c.to === '已销号' || c.to.startsWith('已完成') ? '销号' : '退回'));
      if (!button) return;
      const decided = await cards.decide('dingtalk', rec.id, {
        label: button.label, by: o!.by ?? '', at: this.o.ctx.clock.now().toISOString(), change: `${c.from} → ${c.to}`,
      });
      if (!decided?.decided) return;
      await this.o.api.update(decided.id, publicParams(decided));
      await this.mirror(decided, decided.decided);
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'dingtalk: card not updated after a typed decision');
    }
  }

  /** A 1:1 copy whose group card was decided first takes that decision. */
  private async inherit(rec: CardRecord): Promise<CardRecord> {
    const cards = this.o.ctx.cards;
    if (!cards || rec.decided || !rec.linked) return rec;
    const other = await cards.get('dingtalk', rec.linked);
    return other?.decided ? (await cards.decide('dingtalk', rec.id, other.decided)) ?? rec : rec;
  }

  /** Handles one card callback frame; resolves with the ACK data. Never rejects. */
  async onFrame(frame: DWClientDownStream): Promise<CardCallbackAnswer | null> {
    try {
      return await this.press(frame);
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message, frameId: frame.headers?.messageId }, 'dingtalk: card callback failed');
      return null;
    }
  }

  private async press(frame: DWClientDownStream): Promise<CardCallbackAnswer | null> {
    const received = Date.now();
    const cards = this.o.ctx.cards;
    if (!cards) return null;
    let data: z.infer<typeof callbackSchema>;
    let content: z.infer<typeof contentSchema>;
    try {
      data = callbackSchema.parse(JSON.parse(String(frame.data)));
      content = contentSchema.parse(JSON.parse(data.content));
    } catch {
      this.o.logger.warn({ frameId: frame.headers?.messageId }, 'dingtalk: card callback not understood');
      return null;
    }
    const found = await cards.get('dingtalk', data.outTrackId);
    const rec = found ? await this.inherit(found) : null;
    if (!rec) return { userPrivateData: { cardParamMap: { privateState: 'open', hint: '卡片已失效，请在群里直接发送命令。' } } };
    if (rec.decided) return { cardData: { cardParamMap: publicParams(rec) } };
    const key = content.cardPrivateData.actionIds[0];
    const p = decodeKey(key);
    if (p.press === 'back' || p.press === 'none' || p.press === 'other') return { userPrivateData: { cardParamMap: { privateState: 'open', hint: '' } } };
    const button = rec.actions.buttons[p.button];
    if (!button) return null;
    const typed = String(content.cardPrivateData.params?.reason ?? '').trim().slice(0, 200);
    const reason = p.press === 'reason' ? button.reasons?.[p.reason] : button.reasons ? typed || undefined : undefined;
    const msgId = frame.headers.messageId;
    const incoming: IncomingMessage = {
      platform: 'dingtalk', chatId: rec.chatId, chatType: rec.chatType, messageId: msgId, senderId: data.userId,
      text: reason ? `${button.command} ${reason}` : button.command,
    };
    const route: CardRoute = {
      kind: 'card', cardId: rec.id, key, ...(reason ? { reason } : {}), userId: data.userId,
      conversationId: rec.chatId, conversationType: rec.chatType === 'group' ? '2' : '1', msgId,
    };
    const state = await this.o.ctx.inbound.submit(incoming, { passive: true, budgetMs: CARD_BUDGET_MS, data: { ...route } });
    if (state === 'full') return { userPrivateData: { cardParamMap: { privateState: 'open', hint: '当前消息较多，您的操作未被记录，请稍后再点。' } } };
    const left = CARD_BUDGET_MS - (Date.now() - received);
    const reply = left > 0 ? await this.o.ctx.inbound.takeAnswer(incoming, left) : null;
    if (!reply) return null;
    const next = await cardOutcome(cards, rec, { button: p.button, reason, senderId: data.userId }, reply, this.o.ctx.clock.now());
    if (next.kind === 'decided' && next.rec.decided) await this.mirror(next.rec, next.rec.decided);
    return next.kind === 'decided' ? { cardData: { cardParamMap: publicParams(next.rec) } } : { userPrivateData: { cardParamMap: privateParams(next) } };
  }

  /** A press the callback could not wait for: record the decision, update the card by PUT, answer in the chat. */
  private async late(r: CardRoute, reply: Reply): Promise<void> {
    const cards = this.o.ctx.cards;
    const rec = cards ? await cards.get('dingtalk', r.cardId) : null;
    if (cards && rec) {
      const p = decodeKey(r.key);
      const button = p.press === 'button' || p.press === 'reason' ? p.button : -1;
      const next = await cardOutcome(cards, rec, { button, reason: r.reason, senderId: r.userId }, reply, this.o.ctx.clock.now());
      if (next.kind === 'decided') {
        await this.o.api.update(rec.id, publicParams(next.rec));
        if (next.rec.decided) await this.mirror(next.rec, next.rec.decided);
      }
      else await this.o.api.update(rec.id, {}, { userId: r.userId, params: privateParams(next) });
    }
    // A press on a 1:1 copy is answered in that 1:1 chat, not in the group.
    const m = rec?.deliverTo
      ? { msgId: r.msgId, msgtype: 'text', conversationId: r.conversationId, conversationType: '1', senderStaffId: r.userId } as RobotMessage
      : { msgId: r.msgId, msgtype: 'text', conversationId: r.conversationId, conversationType: r.conversationType, senderStaffId: r.userId } as RobotMessage;
    await this.o.replier.reply(m, reply);
  }
}
