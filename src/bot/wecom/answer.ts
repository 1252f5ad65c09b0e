import type { Logger } from 'pino';
import { lazyChild } from '../../core/logger.js';
import type { IncomingMessage, Mention, Reply } from '../../core/message.js';
import type { Deliverer } from '../../core/ports.js';
import type { AdapterContext } from '../context.js';
import { SendError } from '../../core/sender.js';
import type { WecomConfig } from './config.js';
import { sealReply, type CallbackKeys } from './crypto.js';
import type { InboundMessage } from './inbound.js';
import { LIMITS, renderMarkdown, renderText } from './render.js';
import type { WecomSender } from './sender.js';
import { truncateBytes, utf8Bytes } from './split.js';
import { cdata } from './xml.js';
import { randomBytes } from 'node:crypto';
import { openCard, settleCard, streamWithCard, type CardRoute } from './cards.js';
import type { AppCardRoute, WecomAppCards } from './app-cards.js';

/** An HTTP answer to a callback. */
export interface CallbackAnswer {
  type?: 'application/json' | 'application/xml';
  body: string;
}

/** Everything the answering step uses. */
export interface AnswerDeps {
  ctx: AdapterContext;
  config: WecomConfig;
  keys: CallbackKeys;
  sender: WecomSender;
  /** The app's 1:1 approval cards (when the app can send and cards are kept). */
  appCards?: WecomAppCards;
}

const EMPTY: CallbackAnswer = { body: '' };

const BUSY: Reply = {
  title: '繁忙',
  markdown: '⚠️ 当前消息较多，机器人繁忙，您的这条消息未被记录，请稍后再试。',
  text: '当前消息较多，机器人繁忙，您的这条消息未被记录，请稍后再试。',
  mentions: [],
};

/** Where a late answer goes: the fields of the callback that answering it needs (stored with the queued message). */
interface WecomRoute {
  source: InboundMessage['source'];
  msgId: string;
  senderId: string;
  chatId: string;
  chatType: InboundMessage['chatType'];
  responseUrl?: string;
}

/**
 * Persist, then answer. The verified message goes into the durable inbound
 * queue before WeCom hears anything; the callback then waits up to the reply
 * budget for its answer and returns it as an encrypted passive reply. When the
 * answer is not ready in time (or is too long for a passive reply) WeCom gets an
 * empty 200 and the reply queue sends it through response_url / message/send.
 * A retried callback (same msgid) applies nothing again and gets the same answer.
 * Redis down: the error reaches the route's guard, which answers 503 so WeCom retries.
 */
export async function answerMessage(d: AnswerDeps, m: InboundMessage, nonce: string, log: Logger): Promise<CallbackAnswer> {
  const received = Date.now();
  const incoming: IncomingMessage = {
    platform: 'wecom', chatId: m.chatId, chatType: m.chatType, messageId: m.msgId, senderId: m.senderId, text: m.text,
    ...(m.files?.length ? { files: m.files } : {}),
  };
  const route: WecomRoute = { source: m.source, msgId: m.msgId, senderId: m.senderId, chatId: m.chatId, chatType: m.chatType, responseUrl: m.responseUrl };
  const state = await d.ctx.inbound.submit(incoming, { passive: true, budgetMs: d.config.replyBudgetMs, data: { ...route } });
  let reply: Reply | null;
  if (state === 'full') {
    log.warn('inbound backlog full: sender told to retry');
    reply = BUSY;
  } else {
    if (state === 'duplicate') log.info('retried callback: answered from the stored outcome');
    // The budget counts from receipt: what the submit took is spent already.
    const left = d.config.replyBudgetMs - (Date.now() - received);
    reply = left > 0 ? await d.ctx.inbound.takeAnswer(incoming, left, (r) => fitsPassive(d, m, r)) : null;
    if (!reply) {
      log.info({ budgetMs: d.config.replyBudgetMs }, 'answer not taken passively: acknowledged, the reply queue sends it');
      return EMPTY;
    }
    // A typed 销号 / 退回 shows on the office's app cards of the item.
    await d.appCards?.typed(m.chatId, reply);
  }
  return m.source === 'aibot' ? aibotPassive(d, m, reply, nonce, log) : appPassive(d, m, reply, nonce);
}

/** Passive app text stops at 2,048 bytes; a longer answer goes out whole through message/send when it can. */
function fitsPassive(d: AnswerDeps, m: InboundMessage, reply: Reply): boolean {
  return m.source === 'aibot' || !d.config.appSend || utf8Bytes(renderText(reply)) <= LIMITS.appText;
}

/**
 * People to @ on the AI bot channel. Its markdown cannot @, so when the group
 * also has a group robot the @ goes out as a robot text with mentioned_list.
 */
async function aibotMentions(d: AnswerDeps, m: Pick<InboundMessage, 'chatId' | 'chatType' | 'msgId'>, reply: Reply, log: Logger): Promise<Mention[]> {
  if (!reply.mentions.length || m.chatType !== 'group') return reply.mentions;
  const binding = await d.ctx.getBinding('wecom', m.chatId).catch(() => null);
  if (!binding?.channel.webhookKey) return reply.mentions;
  // A durable follow-up send, so the @ is not lost with this process.
  try {
    await d.ctx.inbound.later({ platform: 'wecom', chatId: m.chatId, messageId: m.msgId }, 'mention', { kind: 'mention', chatId: m.chatId }, reply);
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'mention via group robot not queued');
    return reply.mentions;
  }
  return [];
}

/** Sends the @-mentions of an answer as a group-robot text (the follow-up queued by aibotMentions). */
async function deliverMention(d: AnswerDeps, chatId: string, reply: Reply): Promise<void> {
  const binding = await d.ctx.getBinding('wecom', chatId);
  if (!binding?.channel.webhookKey) throw new SendError('config', 'no_webhook', 'the group robot was unbound before the mention went out');
  await d.sender.mentionViaWebhook({ platform: 'wecom', chatId, channel: binding.channel }, `提醒：${reply.title}`, reply.mentions);
}

async function aibotPassive(d: AnswerDeps, m: InboundMessage, reply: Reply, nonce: string, log: Logger): Promise<CallbackAnswer> {
  const content = truncateBytes(renderMarkdown(reply, 'aibot', await aibotMentions(d, m, reply, log)), LIMITS.aibot);
  // A reply offering a decision carries its approval card (cards.ts).
  const card = await openCard(d, m, reply);
  // https://developer.work.weixin.qq.com/document/path/101031 — a one-shot answer is a finished stream.
  const plain = JSON.stringify(card ? streamWithCard(content, card)
    : { msgtype: 'stream', stream: { id: randomBytes(8).toString('hex'), finish: true, content } });
  const ts = String(Math.floor(d.ctx.clock.now().getTime() / 1000));
  // The AI bot's receiveid is "" and the reply must reuse the callback's nonce (D/101033).
  return { type: 'application/json', body: JSON.stringify(sealReply(d.keys, plain, '', ts, nonce)) };
}

function appPassive(d: AnswerDeps, m: InboundMessage, reply: Reply, nonce: string): CallbackAnswer {
  const text = renderText(reply);
  const ts = String(Math.floor(d.ctx.clock.now().getTime() / 1000));
  const corpId = d.config.corpId ?? '';
  // https://developer.work.weixin.qq.com/document/path/96469 (passive text reply)
  const plain = `<xml><ToUserName>${cdata(m.senderId)}</ToUserName><FromUserName>${cdata(corpId)}</FromUserName>`
    + `<CreateTime>${ts}</CreateTime><MsgType>${cdata('text')}</MsgType>`
    + `<Content>${cdata(truncateBytes(text, LIMITS.appText))}</Content></xml>`;
  const s = sealReply(d.keys, plain, corpId, ts, nonce);
  return {
    type: 'application/xml',
    body: `<xml><Encrypt>${cdata(s.encrypt)}</Encrypt><MsgSignature>${cdata(s.msgsignature)}</MsgSignature>`
      + `<TimeStamp>${s.timestamp}</TimeStamp><Nonce>${cdata(s.nonce)}</Nonce></xml>`,
  };
}

/**
 * The WeCom Deliverer: sends an answer that did not go back passively, through
 * the AI bot's response_url or the app's message/send. Throws SendError (the
 * reply queue retries or gives up by its kind).
 */
export function wecomDeliverer(d: AnswerDeps): Deliverer {
  return async (data, reply) => {
    if (data.kind === 'mention') return deliverMention(d, String(data.chatId), reply);
    if (data.kind === 'app-card') {
      if (!d.appCards) throw new SendError('config', 'no_app_cards', 'app card click answered by an instance without app cards');
      return d.appCards.answer(data as unknown as AppCardRoute, reply);
    }
    if (data.kind === 'card') {
      // A press answered too late for a card update: the decision is still recorded, the answer goes as text.
      const c = data as unknown as CardRoute;
      const rec = await d.ctx.cards?.get('wecom', c.cardId);
      if (rec) await settleCard(d, rec, c, reply);
    }
    const m = data as unknown as WecomRoute;
    const log = lazyChild(d.ctx.logger, () => ({ platform: 'wecom', source: m.source, msgId: m.msgId }));
    if (data.kind !== 'card') await d.appCards?.typed(m.chatId, reply);
    if (m.source === 'aibot') {
      if (!m.responseUrl) throw new SendError('config', 'no_response_url', 'late answer dropped: the callback had no response_url');
      if (!(await d.sender.respond(m.responseUrl, reply, await aibotMentions(d, m, reply, log)))) return;
    } else if (d.config.appSend) {
      await d.sender.send({ platform: 'wecom', chatId: m.chatId, channel: { touser: m.senderId } }, reply);
    } else {
      throw new SendError('config', 'no_app_send', 'late answer dropped: WECOM_AGENT_ID/WECOM_SECRET not set for message/send');
    }
    log.info('late answer delivered');
  };
}
