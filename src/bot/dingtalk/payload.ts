import { z } from 'zod';
import type { IncomingMessage, Mention } from '../../core/message.js';
import { filesOf } from './media.js';

/**
 * The robot message payload, identical in a Stream frame's `data` and in an
 * HTTP-mode body (https://open.dingtalk.com/document/orgapp/receive-message).
 * Unknown fields pass through; only what we use is checked.
 */
export const robotMessageSchema = z.looseObject({
  msgId: z.string().min(1).max(256),
  msgtype: z.string().min(1),
  conversationId: z.string().min(1).max(256),
  conversationType: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.enum(['1', '2'])),
  conversationTitle: z.string().optional(),
  senderId: z.string().optional(),
  senderStaffId: z.string().optional(),
  senderNick: z.string().optional(),
  chatbotUserId: z.string().optional(),
  robotCode: z.string().optional(),
  createAt: z.union([z.number(), z.string()]).optional(),
  atUsers: z.array(z.looseObject({ dingtalkId: z.string().optional(), staffId: z.string().optional() })).optional(),
  sessionWebhook: z.string().optional(),
  sessionWebhookExpiredTime: z.union([z.number(), z.string()]).optional(),
  text: z.looseObject({ content: z.string() }).optional(),
  content: z.unknown().optional(),
});

export type RobotMessage = z.infer<typeof robotMessageSchema>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 256;
const optString = (v: unknown) => v === undefined || typeof v === 'string';
const optStamp = (v: unknown) => v === undefined || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const OPTIONAL_STRINGS = ['conversationTitle', 'senderId', 'senderStaffId', 'senderNick', 'chatbotUserId', 'robotCode', 'sessionWebhook'] as const;

/**
 * Whether a decoded JSON value certainly passes robotMessageSchema unchanged (the usual payload),
 * checked without zod, which showed in profiles. False does not mean invalid: the schema decides
 * then (a numeric conversationType, anything unusual). For JSON values the schema's output is a
 * copy of its input, so the input itself can stand for it.
 */
export function plainRobotMessage(v: unknown): v is RobotMessage {
  if (!isRecord(v) || !isId(v.msgId) || !isId(v.conversationId)) return false;
  if (typeof v.msgtype !== 'string' || v.msgtype.length === 0) return false;
  if (v.conversationType !== '1' && v.conversationType !== '2') return false;
  for (const f of OPTIONAL_STRINGS) if (!optString(v[f])) return false;
  if (!optStamp(v.createAt) || !optStamp(v.sessionWebhookExpiredTime)) return false;
  if (v.text !== undefined && !(isRecord(v.text) && typeof v.text.content === 'string')) return false;
  if (v.atUsers !== undefined) {
    if (!Array.isArray(v.atUsers)) return false;
    for (const u of v.atUsers) if (!isRecord(u) || !optString(u.dingtalkId) || !optString(u.staffId)) return false;
  }
  return true;
}

/** Parses a JSON string into a robot message; null when it is not one. */
export function parseRobotMessage(json: string): RobotMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  if (plainRobotMessage(raw)) return raw;
  const r = robotMessageSchema.safeParse(raw);
  return r.success ? r.data : null;
}

/** Text of a message; richText parts are joined, voice uses DingTalk's transcript, pictures and files have none. Null = nothing we can read. */
function messageText(m: RobotMessage): string | null {
  if (m.msgtype === 'text') return m.text?.content ?? '';
  const c = m.content as Record<string, unknown> | undefined;
  if (m.msgtype === 'richText' && Array.isArray(c?.richText)) {
    // Signed but odd payloads happen (null parts, pictures only): anything that is not a text part reads as ''.
    return (c.richText as unknown[])
      .map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
      .join('');
  }
  if (m.msgtype === 'audio' && typeof c?.recognition === 'string') return c.recognition;
  // A picture (1:1) or a file: no text, the file is the message (evidence).
  if (m.msgtype === 'picture' || m.msgtype === 'file') return '';
  return null;
}

/** Users @-mentioned in the message, the bot itself excluded. */
function mentionsOf(m: RobotMessage): Mention[] {
  const out: Mention[] = [];
  for (const u of m.atUsers ?? []) {
    if (m.chatbotUserId && u.dingtalkId === m.chatbotUserId) continue;
    const userId = u.staffId ?? u.dingtalkId;
    if (userId) out.push({ userId });
  }
  return out;
}

/**
 * DingTalk strips the @bot mention in most clients (leaving a leading space),
 * but not always. A leading `@token` is only dropped when the bot is the sole
 * mention, so "@张三 …" addressed to someone else stays for the core to read.
 */
function stripBotMention(text: string, m: RobotMessage, others: Mention[]): string {
  const t = text.replace(/^[\s\u00a0\u3000]+/, '');
  const botMentioned = (m.atUsers ?? []).some((u) => u.dingtalkId && u.dingtalkId === m.chatbotUserId);
  if (botMentioned && others.length === 0) return t.replace(/^@\S+[\s\u00a0\u3000]*/, '').trim();
  return t.trim();
}

/**
 * Decodes a robot message into the core's IncomingMessage. The chat id is the
 * callback's `conversationId` (for groups this is the openConversationId the
 * OpenAPI sends to); the sender is the org `senderStaffId`, falling back to the
 * encrypted `senderId` for users outside the org. Null for unreadable types.
 */
export function toIncoming(m: RobotMessage): IncomingMessage | null {
  const raw = messageText(m);
  if (raw === null) return null;
  const files = filesOf(m);
  // A picture or file message whose download code is missing is nothing we can read.
  if ((m.msgtype === 'picture' || m.msgtype === 'file') && !files.length) return null;
  const mentions = mentionsOf(m);
  const senderId = m.senderStaffId || m.senderId;
  if (!senderId) return null;
  return {
    platform: 'dingtalk',
    chatId: m.conversationId,
    chatType: m.conversationType === '2' ? 'group' : 'private',
    messageId: m.msgId,
    senderId,
    senderName: m.senderNick,
    text: stripBotMention(raw, m, mentions),
    ...(mentions.length ? { mentions } : {}),
    ...(files.length ? { files } : {}),
  };
}

/** Expiry of the message's sessionWebhook in ms epoch, 0 when unknown. */
export function sessionWebhookExpiry(m: RobotMessage): number {
  const n = Number(m.sessionWebhookExpiredTime ?? 0);
  return Number.isFinite(n) ? n : 0;
}
