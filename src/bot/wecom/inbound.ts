import { z } from 'zod';
import type { ChatType, FileRef } from '../../core/message.js';
import { Rejection } from './body.js';
import { parseXmlRecord } from './xml.js';

/**
 * Callback payload shapes, before and after decryption.
 * AI bot: https://developer.work.weixin.qq.com/document/path/100719 (messages),
 *         https://developer.work.weixin.qq.com/document/path/101027 (events).
 * App:    https://developer.work.weixin.qq.com/document/path/96467 (messages).
 */

/** A user message we pass to the core. */
export interface InboundMessage {
  kind: 'message';
  source: 'aibot' | 'app';
  msgId: string;
  senderId: string;
  chatId: string;
  chatType: ChatType;
  text: string;
  responseUrl?: string;
  /** Pictures and files (AI bot image / file / mixed, or a quoted one): encrypted media URLs with their aeskey. */
  files?: FileRef[];
}

/** Anything else (events, stream refreshes, media we cannot read): acknowledged, not processed. */
export interface InboundOther {
  kind: 'other';
  source: 'aibot' | 'app';
  what: string;
}

/** A press on one of our template cards (AI bot `template_card_event`, D/101027). */
export interface InboundCardEvent {
  kind: 'card';
  source: 'aibot';
  msgId: string;
  senderId: string;
  chatId: string;
  chatType: ChatType;
  eventKey: string;
  taskId: string;
  responseUrl?: string;
}

/**
 * A click on one of the app's template cards (app callback XML, MsgType=event,
 * Event=template_card_event: EventKey, TaskId, CardType, ResponseCode; D/90240).
 * It has no MsgId: (TaskId, clicker, EventKey) is the message's identity.
 */
export interface InboundAppCardEvent {
  kind: 'app-card';
  source: 'app';
  senderId: string;
  taskId: string;
  eventKey: string;
  /** One use of update_template_card for this click, 72 h. */
  responseCode?: string;
}

/** A decrypted callback, classified. */
export type Inbound = InboundMessage | InboundCardEvent | InboundAppCardEvent | InboundOther;

/** Pulls the ciphertext out of an outer envelope: XML `<Encrypt>` or JSON `encrypt` (any case). */
export function envelopeCiphertext(body: string): { encrypt: string; format: 'xml' | 'json' } {
  const head = body.trimStart()[0];
  if (head === '<') {
    const rec = parseXmlRecord(body);
    if (!rec.Encrypt) throw new Rejection(400, 'no_encrypt');
    return { encrypt: rec.Encrypt, format: 'xml' };
  }
  if (head !== '{') throw new Rejection(415, 'unknown_body');
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch {
    throw new Rejection(400, 'bad_json');
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Rejection(400, 'bad_json');
  const entry = Object.entries(obj).find(([k]) => k.toLowerCase() === 'encrypt');
  if (!entry || typeof entry[1] !== 'string' || !entry[1]) throw new Rejection(400, 'no_encrypt');
  return { encrypt: entry[1], format: 'json' };
}

/** Quotes 64-bit id fields before JSON.parse so they survive as exact strings. */
function parseJsonKeepingIds(text: string): unknown {
  const quoted = text.replace(/("(?:MsgId|msgid)"\s*:\s*)(-?\d+)/g, '$1"$2"');
  try {
    return JSON.parse(quoted);
  } catch {
    throw new Rejection(400, 'bad_inner_json');
  }
}

/** A media object of an AI bot message: the URL (valid 5 minutes) and, per message, its AES key. */
const media = z.object({ url: z.string().min(1).max(4096), aeskey: z.string().max(256).optional() });

const quoteSchema = z.object({
  msgtype: z.string(),
  image: media.optional(),
  file: media.optional(),
  mixed: z.object({ msg_item: z.array(z.object({ msgtype: z.string(), image: media.optional() })) }).optional(),
}).optional().catch(undefined);

const aibotSchema = z.object({
  msgid: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(128)),
  chatid: z.string().max(128).optional(),
  chattype: z.enum(['single', 'group']).optional(),
  from: z.object({ userid: z.string().min(1).max(128) }),
  response_url: z.string().max(2048).optional(),
  msgtype: z.string(),
  text: z.object({ content: z.string() }).optional(),
  voice: z.object({ content: z.string() }).optional(),
  mixed: z.object({
    msg_item: z.array(z.object({ msgtype: z.string(), text: z.object({ content: z.string() }).optional(), image: media.optional() })),
  }).optional(),
  image: media.optional(),
  file: media.optional(),
  quote: quoteSchema,
});

type Media = z.infer<typeof media>;
const ref = (type: FileRef['type'], m: Media): FileRef => ({ type, ref: m.url, ...(m.aeskey ? { key: m.aeskey } : {}) });

/** The media a message (or the message it quotes) carries; at most 10. */
function mediaOf(m: { msgtype: string; image?: Media; file?: Media; mixed?: { msg_item: { msgtype: string; image?: Media }[] } }): FileRef[] {
  if (m.msgtype === 'image' && m.image) return [ref('image', m.image)];
  if (m.msgtype === 'file' && m.file) return [ref('file', m.file)];
  if (m.msgtype === 'mixed' && m.mixed) {
    return m.mixed.msg_item.filter((i) => i.msgtype === 'image' && i.image).map((i) => ref('image', i.image!)).slice(0, 10);
  }
  return [];
}

/** Removes the leading `@botname` WeCom puts into group texts ("@RobotA hello" → "hello"). */
export function stripLeadingMention(text: string): string {
  return text.replace(/^\s*[@＠]\S+[\s\u2005\u00a0]*/u, '').trim();
}

function aibotMessage(obj: unknown): Inbound {
  const r = aibotSchema.safeParse(obj);
  if (!r.success) throw new Rejection(400, 'bad_aibot_message');
  const m = r.data;
  let text: string | undefined;
  if (m.msgtype === 'text') text = m.text?.content;
  else if (m.msgtype === 'voice') text = m.voice?.content; // WeCom's transcription
  else if (m.msgtype === 'mixed') text = m.mixed?.msg_item.map((i) => i.text?.content ?? '').join(' ');
  let files = mediaOf(m);
  // A picture or file alone has no text: the file is the message (evidence).
  if (files.length && (m.msgtype === 'image' || m.msgtype === 'file')) text = '';
  // A text quoting a picture or file (files reach groups only so) carries the quoted media.
  if (m.msgtype === 'text' && m.quote) files = mediaOf(m.quote);
  if (text === undefined) return { kind: 'other', source: 'aibot', what: m.msgtype };
  const group = m.chattype === 'group';
  return {
    kind: 'message',
    source: 'aibot',
    msgId: m.msgid,
    senderId: m.from.userid,
    // A single chat has no chatid: the conversation is the user.
    chatId: group && m.chatid ? m.chatid : m.from.userid,
    chatType: group ? 'group' : 'private',
    text: group ? stripLeadingMention(text) : text.trim(),
    responseUrl: m.response_url,
    ...(files.length ? { files } : {}),
  };
}

function appMessage(rec: Record<string, unknown>): Inbound {
  const s = (k: string) => (typeof rec[k] === 'string' ? (rec[k] as string) : undefined);
  const type = s('MsgType');
  const from = s('FromUserName');
  if (!type || !from) throw new Rejection(400, 'bad_app_message');
  if (type === 'event' && s('Event') === 'template_card_event') return appCardEvent(s, from);
  if (type !== 'text') return { kind: 'other', source: 'app', what: type === 'event' ? `event:${s('Event') ?? ''}` : type };
  const msgId = s('MsgId');
  const content = s('Content');
  if (!msgId || content === undefined) throw new Rejection(400, 'bad_app_message');
  // Apps only receive what a member sends to the app itself: always a 1:1 chat.
  return { kind: 'message', source: 'app', msgId, senderId: from, chatId: from, chatType: 'private', text: content.trim() };
}

const appCardSchema = z.object({
  TaskId: z.string().regex(/^[0-9a-zA-Z_\-@]{1,128}$/),
  EventKey: z.string().max(1024),
  ResponseCode: z.string().min(1).max(512).optional(),
  FromUserName: z.string().min(1).max(128),
});

function appCardEvent(s: (k: string) => string | undefined, from: string): InboundAppCardEvent {
  const r = appCardSchema.safeParse({ TaskId: s('TaskId'), EventKey: s('EventKey') ?? '', ResponseCode: s('ResponseCode') || undefined, FromUserName: from });
  if (!r.success) throw new Rejection(400, 'bad_app_card_event');
  return { kind: 'app-card', source: 'app', senderId: r.data.FromUserName, taskId: r.data.TaskId, eventKey: r.data.EventKey, ...(r.data.ResponseCode ? { responseCode: r.data.ResponseCode } : {}) };
}

/** Parses a decrypted message: XML or `MsgType` JSON → app; `msgtype` JSON → AI bot. */
export function parseDecrypted(plain: string): Inbound {
  const head = plain.trimStart()[0];
  if (head === '<') return appMessage(parseXmlRecord(plain));
  if (head !== '{') throw new Rejection(400, 'bad_inner');
  const obj = parseJsonKeepingIds(plain);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Rejection(400, 'bad_inner_json');
  const rec = obj as Record<string, unknown>;
  if ('MsgType' in rec) {
    const flat: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) flat[k] = typeof v === 'number' ? String(v) : v;
    return appMessage(flat);
  }
  if (rec.msgtype === 'event') {
    const ev = rec.event as { eventtype?: unknown } | undefined;
    if (ev?.eventtype === 'template_card_event') return cardEvent(rec);
    return { kind: 'other', source: 'aibot', what: `event:${String(ev?.eventtype ?? '')}` };
  }
  return aibotMessage(rec);
}

const cardEventSchema = z.object({
  msgid: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(128)),
  chatid: z.string().max(128).optional(),
  chattype: z.enum(['single', 'group']).optional(),
  from: z.object({ userid: z.string().min(1).max(128) }),
  response_url: z.string().max(2048).optional(),
  event: z.object({
    template_card_event: z.object({
      event_key: z.string().max(1024),
      task_id: z.string().min(1).max(128),
    }),
  }),
});

/** `event.template_card_event.{event_key, task_id}`: which button of which card, pressed by whom. */
function cardEvent(obj: unknown): InboundCardEvent {
  const r = cardEventSchema.safeParse(obj);
  if (!r.success) throw new Rejection(400, 'bad_card_event');
  const m = r.data;
  const group = m.chattype === 'group' && !!m.chatid;
  return {
    kind: 'card', source: 'aibot', msgId: m.msgid, senderId: m.from.userid,
    chatId: group ? m.chatid! : m.from.userid, chatType: group ? 'group' : 'private',
    eventKey: m.event.template_card_event.event_key, taskId: m.event.template_card_event.task_id,
    responseUrl: m.response_url,
  };
}
