import { z } from 'zod';
import { PLATFORMS, type IncomingMessage } from '../core/message.js';

/** The boundary schema every adapter's IncomingMessage must satisfy. */
export const incomingSchema = z.object({
  platform: z.enum(PLATFORMS as unknown as ['console', 'dingtalk', 'wecom']),
  chatId: z.string().min(1).max(256),
  chatType: z.enum(['group', 'private']),
  messageId: z.string().min(1).max(256),
  senderId: z.string().min(1).max(256),
  senderName: z.string().max(256).optional(),
  text: z.string(),
  mentions: z.array(z.object({ userId: z.string(), name: z.string().optional() })).optional(),
  files: z.array(z.object({
    type: z.enum(['image', 'file']),
    ref: z.string().min(1).max(4096),
    key: z.string().max(256).optional(),
    name: z.string().max(512).optional(),
  })).max(10).optional(),
});

const TOP = new Set(['platform', 'chatId', 'chatType', 'messageId', 'senderId', 'senderName', 'text', 'mentions', 'files']);
const MENTION = new Set(['userId', 'name']);
const FILE = new Set(['type', 'ref', 'key', 'name']);

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const only = (o: Rec, allowed: Set<string>) => { for (const k in o) if (!allowed.has(k)) return false; return true; };
const str = (v: unknown, min: number, max: number) => typeof v === 'string' && v.length >= min && v.length <= max;
const opt = (v: unknown, max: number) => v === undefined || str(v, 0, max);

/**
 * The usual message checked by hand: exactly the schema's rules, on a message with no key the
 * schema does not know (zod would strip it, so such a message takes zod's path and its copy).
 * Only ever accepts what incomingSchema accepts, as it is; everything else goes to zod. Every
 * message passes this boundary twice (submit, then the worker), and zod's parse and copy were
 * about 1 % of the service's CPU per message.
 */
function plainIncoming(v: unknown): v is IncomingMessage {
  if (!isRec(v) || !only(v, TOP)) return false;
  if (v.platform !== 'dingtalk' && v.platform !== 'wecom' && v.platform !== 'console') return false;
  if (v.chatType !== 'group' && v.chatType !== 'private') return false;
  if (!str(v.chatId, 1, 256) || !str(v.messageId, 1, 256) || !str(v.senderId, 1, 256) || !opt(v.senderName, 256)) return false;
  if (typeof v.text !== 'string') return false;
  if (v.mentions !== undefined) {
    if (!Array.isArray(v.mentions)) return false;
    for (const m of v.mentions) if (!isRec(m) || !only(m, MENTION) || typeof m.userId !== 'string' || !opt(m.name, Infinity)) return false;
  }
  if (v.files !== undefined) {
    if (!Array.isArray(v.files) || v.files.length > 10) return false;
    for (const f of v.files) {
      if (!isRec(f) || !only(f, FILE) || (f.type !== 'image' && f.type !== 'file') || !str(f.ref, 1, 4096) || !opt(f.key, 256) || !opt(f.name, 512)) return false;
    }
  }
  return true;
}

/** A message as incomingSchema reads it, or null (the caller reports it as malformed). */
export function checkIncoming(v: unknown): IncomingMessage | null {
  if (plainIncoming(v)) return v;
  const r = incomingSchema.safeParse(v);
  return r.success ? (r.data as IncomingMessage) : null;
}

/** checkIncoming that throws zod's error for a malformed message. */
export function parseIncoming(v: unknown): IncomingMessage {
  return plainIncoming(v) ? v : (incomingSchema.parse(v) as IncomingMessage);
}
