import type { Logger } from 'pino';
import type { IncomingMessage, Mention, Reply } from '../../core/message.js';
import type { AdapterContext } from '../../core/ports.js';
import type { WecomConfig } from './config.js';
import { sealReply, type CallbackKeys } from './crypto.js';
import type { InboundMessage } from './inbound.js';
import { LIMITS, renderMarkdown, renderText } from './render.js';
import type { WecomSender } from './sender.js';
import { truncateBytes, utf8Bytes } from './split.js';
import { cdata } from './xml.js';
import { randomBytes } from 'node:crypto';

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
  /** Late deliveries still running (awaited by stop()). */
  pending: Set<Promise<void>>;
}

const EMPTY: CallbackAnswer = { body: '' };

/** Said when the core failed unexpectedly; the details are in the log under the message id. */
const APOLOGY: Reply = {
  title: '出错了',
  markdown: '抱歉，处理这条消息时出错了，请稍后再试。',
  text: '抱歉，处理这条消息时出错了，请稍后再试。',
  mentions: [],
};

type Outcome = { reply: Reply | null } | { error: unknown };

/**
 * Acknowledge once, quickly; then work. Runs the pipeline for a verified
 * message: when it answers within the reply budget the answer goes back as an
 * encrypted passive reply, otherwise WeCom gets an empty 200 now (so it does
 * not retry) and the answer goes out later through response_url / message/send.
 * A msgid seen before (WeCom retries) is acknowledged and changes nothing.
 */
export async function answerMessage(d: AnswerDeps, m: InboundMessage, nonce: string, log: Logger): Promise<CallbackAnswer> {
  // Own namespace: the pipeline claims the bare message id itself.
  if (!(await d.ctx.claim('wecom', `cb:${m.source}:${m.msgId}`, 86400))) {
    log.info('duplicate callback acknowledged');
    return EMPTY;
  }
  const incoming: IncomingMessage = {
    platform: 'wecom', chatId: m.chatId, chatType: m.chatType, messageId: m.msgId, senderId: m.senderId, text: m.text,
  };
  const work: Promise<Outcome> = d.ctx.handle(incoming).then((reply) => ({ reply }), (error: unknown) => ({ error }));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), d.config.replyBudgetMs); });
  const first = await Promise.race([work, late]);
  clearTimeout(timer);
  if (first === 'late') {
    log.info({ budgetMs: d.config.replyBudgetMs }, 'answer not ready in time: acknowledged, will reply asynchronously');
    track(d, work.then((o) => deliverLate(d, m, o, log)));
    return EMPTY;
  }
  const reply = outcomeReply(first, log);
  if (!reply) return EMPTY;
  return m.source === 'aibot' ? aibotPassive(d, m, reply, nonce, log) : appPassive(d, m, reply, nonce, log);
}

function outcomeReply(o: Outcome, log: Logger): Reply | null {
  if ('error' in o) {
    log.error({ err: (o.error as Error)?.message }, 'pipeline failed');
    return APOLOGY;
  }
  return o.reply;
}

function track(d: AnswerDeps, p: Promise<void>): void {
  const q = p.catch(() => undefined).finally(() => d.pending.delete(q));
  d.pending.add(q);
}

/**
 * People to @ on the AI bot channel. Its markdown cannot @, so when the group
 * also has a group robot the @ goes out as a robot text with mentioned_list.
 */
async function aibotMentions(d: AnswerDeps, m: InboundMessage, reply: Reply, log: Logger): Promise<Mention[]> {
  if (!reply.mentions.length || m.chatType !== 'group') return reply.mentions;
  const binding = await d.ctx.getBinding('wecom', m.chatId).catch(() => null);
  if (!binding?.channel.webhookKey) return reply.mentions;
  const target = { platform: 'wecom' as const, chatId: m.chatId, channel: binding.channel };
  track(d, d.sender.mentionViaWebhook(target, `提醒：${reply.title}`, reply.mentions)
    .catch((e: Error) => log.warn({ err: e.message }, 'mention via group robot failed')));
  return [];
}

async function aibotPassive(d: AnswerDeps, m: InboundMessage, reply: Reply, nonce: string, log: Logger): Promise<CallbackAnswer> {
  const content = truncateBytes(renderMarkdown(reply, 'aibot', await aibotMentions(d, m, reply, log)), LIMITS.aibot);
  // https://developer.work.weixin.qq.com/document/path/101031 — a one-shot answer is a finished stream.
  const plain = JSON.stringify({ msgtype: 'stream', stream: { id: randomBytes(8).toString('hex'), finish: true, content } });
  const ts = String(Math.floor(d.ctx.clock.now().getTime() / 1000));
  // The AI bot's receiveid is "" and the reply must reuse the callback's nonce (D/101033).
  return { type: 'application/json', body: JSON.stringify(sealReply(d.keys, plain, '', ts, nonce)) };
}

function appPassive(d: AnswerDeps, m: InboundMessage, reply: Reply, nonce: string, log: Logger): CallbackAnswer {
  const text = renderText(reply);
  if (utf8Bytes(text) > LIMITS.appText && d.config.appSend) {
    // Passive text stops at 2,048 bytes; a long answer goes out whole through message/send.
    track(d, deliverLate(d, m, { reply }, log));
    return EMPTY;
  }
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

/** Sends an answer that missed the passive-reply budget. */
async function deliverLate(d: AnswerDeps, m: InboundMessage, o: Outcome, log: Logger): Promise<void> {
  const reply = outcomeReply(o, log);
  if (!reply) return;
  try {
    if (m.source === 'aibot') {
      if (!m.responseUrl) {
        log.warn('late answer dropped: the callback had no response_url');
        return;
      }
      await d.sender.respond(m.responseUrl, reply, await aibotMentions(d, m, reply, log));
    } else if (d.config.appSend) {
      await d.sender.send({ platform: 'wecom', chatId: m.chatId, channel: { touser: m.senderId } }, reply);
    } else {
      log.warn('late answer dropped: WECOM_AGENT_ID/WECOM_SECRET not set for message/send');
      return;
    }
    log.info('late answer delivered');
  } catch (e) {
    log.error({ err: (e as Error).message, code: (e as { code?: string }).code }, 'late answer failed');
  }
}
