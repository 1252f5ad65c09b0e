import { z } from 'zod';
import { PLATFORMS } from '../core/message.js';

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
