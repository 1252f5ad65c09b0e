import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { IncomingMessage, Reply } from '../../core/message.js';
import type { CardRecord } from '../../core/ports.js';
import type { AnswerDeps, CallbackAnswer } from './answer.js';
import { templateCard, decodeKey, type CardFace } from './card-view.js';
import { sealReply } from './crypto.js';
import { cardOutcome } from '../card-outcome.js';
import type { InboundCardEvent, InboundMessage } from './inbound.js';

/**
 * Approval cards on the WeCom AI bot. A reply with `actions` goes back as
 * `stream_with_template_card`; a press arrives as `template_card_event`, is
 * submitted to the core as the button's command typed by the presser (the
 * event's msgid is the message id), and is answered within WeCom's 5 s with a
 * passive `update_template_card` (D/101031): the decision for everyone, or a
 * private face (`userids`) for the presser (reasons, "仅限整改办", a refusal).
 */

const EMPTY: CallbackAnswer = { body: '' };

/** Seals a plaintext JSON passive reply for the AI bot (receiveid "", the callback's nonce). */
function seal(d: AnswerDeps, plain: object, nonce: string): CallbackAnswer {
  const ts = String(Math.floor(d.ctx.clock.now().getTime() / 1000));
  return { type: 'application/json', body: JSON.stringify(sealReply(d.keys, JSON.stringify(plain), '', ts, nonce)) };
}

/** Keeps the card so a press reaching any instance finds it; returns the card for the passive reply, or null without a card store. */
export async function openCard(d: AnswerDeps, m: Pick<InboundMessage, 'chatId' | 'chatType'>, reply: Reply): Promise<Record<string, unknown> | null> {
  if (!reply.actions || !d.ctx.cards) return null;
  const rec: CardRecord = {
    id: reply.actions.id, platform: 'wecom', chatId: m.chatId, chatType: m.chatType, actions: reply.actions,
    createdAt: d.ctx.clock.now().toISOString(),
  };
  await d.ctx.cards.save(rec);
  return templateCard(rec, { face: 'main' });
}

/** The stream reply carrying the card once (D/101031: "card only once per message"). */
export function streamWithCard(content: string, card: Record<string, unknown>): object {
  return { msgtype: 'stream_with_template_card', stream: { id: randomBytes(8).toString('hex'), finish: true, content }, template_card: card };
}

const update = (card: Record<string, unknown>, userids?: string[]) => ({
  response_type: 'update_template_card', ...(userids ? { userids } : {}), template_card: card,
});

/** Route data of a press, kept with the queued message for a late answer. */
export interface CardRoute {
  kind: 'card';
  cardId: string;
  key: string;
  source: 'aibot';
  msgId: string;
  senderId: string;
  chatId: string;
  chatType: InboundCardEvent['chatType'];
  responseUrl?: string;
}

/** Answers a card press (see the module comment). Redis down: rejects, the route's guard answers 503. */
export async function answerCardEvent(d: AnswerDeps, ev: InboundCardEvent, nonce: string, log: Logger): Promise<CallbackAnswer> {
  const received = Date.now();
  const cards = d.ctx.cards;
  if (!cards) return EMPTY;
  const rec = await cards.get('wecom', ev.taskId);
  const mine = [ev.senderId];
  if (!rec || rec.chatId !== ev.chatId) {
    log.info({ found: !!rec }, 'press on an unknown or foreign card');
    const stub: CardRecord = { id: ev.taskId, platform: 'wecom', chatId: ev.chatId, chatType: ev.chatType, createdAt: '', actions: { id: ev.taskId, title: '', subject: '', fields: [], buttons: [] } };
    return seal(d, update(templateCard(stub, { face: 'stale' }), mine), nonce);
  }
  if (rec.decided) return seal(d, update(templateCard(rec, { face: 'decided' })), nonce);
  const p = decodeKey(ev.eventKey);
  if (p.press === 'none') return seal(d, update(templateCard(rec, { face: 'main' }), mine), nonce);
  if (p.press === 'back') return seal(d, update(templateCard(rec, { face: 'main' }), mine), nonce);
  const button = rec.actions.buttons[p.button];
  if (!button) return seal(d, update(templateCard(rec, { face: 'main' }), mine), nonce);
  if (p.press === 'other') return seal(d, update(templateCard(rec, { face: 'other', button: p.button }), mine), nonce);
  const reason = p.press === 'reason' ? button.reasons?.[p.reason] : undefined;
  if (p.press === 'reason' && !reason) return seal(d, update(templateCard(rec, { face: 'main' }), mine), nonce);
  // A button with reasons runs bare first: the core authorizes it (forbidden for a viewer) and asks for the reason (bad_args).
  const text = reason ? `${button.command} ${reason}` : button.command;
  const incoming: IncomingMessage = {
    platform: 'wecom', chatId: rec.chatId, chatType: rec.chatType, messageId: ev.msgId, senderId: ev.senderId, text,
  };
  const route: CardRoute = {
    kind: 'card', cardId: rec.id, key: ev.eventKey, source: 'aibot', msgId: ev.msgId, senderId: ev.senderId,
    chatId: rec.chatId, chatType: rec.chatType, responseUrl: ev.responseUrl,
  };
  const state = await d.ctx.inbound.submit(incoming, { passive: true, budgetMs: d.config.replyBudgetMs, data: { ...route } });
  if (state === 'full') return seal(d, update(templateCard(rec, { face: 'main', hint: '当前消息较多，您的操作未被记录，请稍后再点。' }), mine), nonce);
  // WeCom's 5 s count from receipt: what the look-up and the submit took is spent already.
  const left = d.config.replyBudgetMs - (Date.now() - received);
  const reply = left > 0 ? await d.ctx.inbound.takeAnswer(incoming, left) : null;
  if (!reply) {
    log.info('card press not answered in time: the reply queue settles the card and answers by response_url');
    return EMPTY;
  }
  const { face, userids } = await settleCard(d, rec, route, reply);
  log.info({ face: face.face, private: !!userids, outcome: reply.outcome?.kind }, 'card press answered');
  return seal(d, update(templateCard((await cards.get('wecom', rec.id)) ?? rec, face), userids), nonce);
}

/** The card's next face after a press (cards-outcome.ts), shared by the passive answer and the late delivery. */
export async function settleCard(d: AnswerDeps, rec: CardRecord, route: Pick<CardRoute, 'key' | 'senderId'>, reply: Reply): Promise<{ face: CardFace; userids?: string[] }> {
  const p = decodeKey(route.key);
  const button = p.press === 'button' || p.press === 'reason' ? p.button : -1;
  const reason = p.press === 'reason' ? rec.actions.buttons[button]?.reasons?.[p.reason] : undefined;
  const next = await cardOutcome(d.ctx.cards!, rec, { button, reason, senderId: route.senderId }, reply, d.ctx.clock.now());
  const mine = [route.senderId];
  // The office's 1:1 app copies of this card show the decision too (their send's response_code).
  if (next.kind === 'decided' && next.rec.decided) await d.appCards?.mirror(next.rec, next.rec.decided);
  if (next.kind === 'decided') return { face: { face: 'decided' } };
  if (next.kind === 'reasons') return { face: { face: 'reasons', button: next.button }, userids: mine };
  return { face: { face: 'main', hint: next.hint }, userids: mine };
}
