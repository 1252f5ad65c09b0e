/** Platform-free message types: the one door into the core and the one shape out of it. */

export type Platform = 'console' | 'dingtalk' | 'wecom';
export const PLATFORMS: readonly Platform[] = ['console', 'dingtalk', 'wecom'];
export type ChatType = 'group' | 'private';

export interface Mention {
  /** Platform user id (DingTalk staffId / WeCom userid / console id). */
  userId: string;
  name?: string;
}

export interface IncomingMessage {
  platform: Platform;
  chatId: string;
  chatType: ChatType;
  /** Platform message id, used for idempotency. */
  messageId: string;
  senderId: string;
  senderName?: string;
  text: string;
  /** Users @-mentioned in the message (the bot itself excluded when known). */
  mentions?: Mention[];
}

export interface ReplyLink {
  title: string;
  url: string;
}

/**
 * A platform-free reply. `markdown` uses a small common subset (headings, bold,
 * lists, blank-line paragraphs) and the light emoji 🔴🟡🟢; adapters translate it
 * to their dialect. All user-supplied text inside it is already escaped with
 * `safeText`, so adapters need not (and cannot) tell user text apart.
 */
export interface Reply {
  title: string;
  markdown: string;
  /** Plain-text fallback with the same content. */
  text: string;
  /** People to @-mention (platform user ids). */
  mentions: Mention[];
  /** True when the reply concerns the sender personally (adapters @ the sender). */
  personal?: boolean;
  link?: ReplyLink;
}
