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
  /** Pictures and files the message carries, as platform references (downloaded when applied, never bytes). */
  files?: FileRef[];
}

/**
 * A file a platform message carries, by reference: DingTalk `downloadCode`
 * (+ fileName), WeCom media `url` (+ its `aeskey`). The adapter that made it
 * downloads it; the core only passes it along.
 */
export interface FileRef {
  /** A picture (photo, screenshot) or a document (PDF, Word, Excel…). */
  type: 'image' | 'file';
  /** What to download it by: DingTalk downloadCode, WeCom media URL. */
  ref: string;
  /** WeCom: the message's base64 `aeskey` for the AES-256-CBC media (absent: the callback EncodingAESKey). */
  key?: string;
  /** Name as sent (DingTalk file messages), if any. */
  name?: string;
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
  /** Buttons for a decision (an approval card); adapters that cannot show cards send the text alone. */
  actions?: ReplyActions;
  /** What the message did (set by the pipeline): lets an adapter show the outcome of a card press. */
  outcome?: ReplyOutcome;
}

/** A button on a card: pressing it runs `command` as if the presser had typed it in the chat. */
export interface ReplyButton {
  /** Short label, e.g. 销号. */
  label: string;
  /** The chat command a press runs (same pipeline, authorization, audit and idempotency as typed text). */
  command: string;
  style?: 'primary' | 'danger';
  /** Preset reasons: a press first asks for one (a second card state); the choice is appended to `command`. */
  reasons?: string[];
}

/** A decision a reply offers as a card (at most 6 buttons; no platform shows more). */
export interface ReplyActions {
  /** Stable id of the decision, `[0-9A-Za-z_-]{1,64}`: the card's id on every platform. */
  id: string;
  /** Card heading, e.g. 待销号审核. */
  title: string;
  /** What is decided on (plain text), e.g. the measure's code and wording. */
  subject: string;
  /** Key facts, plain text (not markdown-escaped), at most 4. */
  fields: { label: string; value: string }[];
  /** A longer plain-text note (the completion report's evidence text). */
  note?: string;
  buttons: ReplyButton[];
}

/** One item change a message made. */
export interface ReplyChange {
  code: string;
  from: string;
  to: string;
}

/** The pipeline's verdict on a message, independent of its wording. */
export interface ReplyOutcome {
  /**
   * changed: a write was applied; ok: answered, nothing written; forbidden: the
   * speaker's role may not run the command; bad_args: the command needs more
   * (e.g. 退回 without a reason); rejected: the command refused (a domain rule);
   * other: help, unknown text, not bound, errors.
   */
  kind: 'changed' | 'ok' | 'forbidden' | 'bad_args' | 'rejected' | 'other';
  /** The speaker's display name (as the directory knows them). */
  by?: string;
  changes?: ReplyChange[];
}
