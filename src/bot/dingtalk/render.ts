import type { Reply } from '../../core/message.js';
import { safeText } from '../../core/safe-text.js';
import { jsonBytes, splitBlocks } from './split.js';

/** One DingTalk message, independent of the channel (sessionWebhook, custom robot, OpenAPI). */
export type DtMessage =
  | { kind: 'markdown'; title: string; text: string; atUserIds: string[] }
  | { kind: 'actionCard'; title: string; text: string; singleTitle: string; singleURL: string };

export interface RenderOptions {
  /** Byte limit of one message: 20 000 for webhooks, 15 000 for OpenAPI msgParam. */
  maxBytes: number;
  /** Whether the channel can @-mention (webhooks can; OpenAPI markdown cannot). */
  canMention: boolean;
  /** The user a personal reply @-mentions (the sender of the message answered). */
  personalUserId?: string;
  lightStyle: 'emoji' | 'font';
}

/** Byte limits from the platform's own error texts (460101) and the group-send doc. */
export const WEBHOOK_MAX_BYTES = 20_000;
export const OPENAPI_MAX_BYTES = 15_000;
/** Room kept for title, JSON keys, the continuation prefix and the @ line. */
const RESERVE_BYTES = 1_200;

const LIGHT_FONT: Record<string, string> = {
  '🔴': '<font color=#D93026>●</font>',
  '🟡': '<font color=#E6A23C>●</font>',
  '🟢': '<font color=#1E8E3E>●</font>',
};

/** Lines toDingtalkMarkdown drops (code fences, table rules) or flattens (table rows); all begin with MARKUP_START. */
const FENCE = /^\s*(```|~~~)/;
const RULE = /^\s*\|?\s*:?-{3,}/;
const TABLE_ROW = /^\s*\|/;
const MARKUP_START = /^[\s`~|:-]/;

/** DingTalk staff ids are short ASCII tokens; anything else cannot be a valid @ target. */
const USER_ID = /^[A-Za-z0-9_.\-]{1,64}$/;

/** Plain one-line text for titles: DingTalk shows titles unrendered in the chat list and notifications. */
function plainTitle(s: string): string {
  const t = safeText(s).replace(/\s+/g, ' ').trim();
  // At most 60 UTF-16 units is at most 60 code points: nothing to cut.
  return (t.length <= 60 ? t : [...t].slice(0, 60).join('')) || '整改督办';
}

/** Only absolute http(s) links leave the bot, with characters that could end a markdown link encoded. */
export function safeUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  return u.href.replace(/[()<>\s"'`\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Translates the core's common markdown to DingTalk's subset: blank lines for
 * line breaks (single newlines do not render reliably), no tables or fenced
 * code, raw HTML neutralised except the `<font>` we add for lights ourselves.
 */
export function toDingtalkMarkdown(md: string, lightStyle: 'emoji' | 'font'): string {
  let src = md.includes('\r') ? md.replace(/\r\n?/g, '\n') : md;
  if (src.includes('<')) src = src.replace(/</g, '＜');
  // Blank lines (and lines blank once trailing space is cut) go; the others are joined by one blank line each.
  let text = '';
  for (let l of src.split('\n')) {
    // Only a line beginning with space, a fence, a table pipe or a rule character can be markup to drop or flatten.
    if (MARKUP_START.test(l)) {
      if (FENCE.test(l) || RULE.test(l)) continue;
      if (TABLE_ROW.test(l)) l = l.replace(/^\s*\||\|\s*$/g, '').split('|').map((c) => c.trim()).join(' · ');
    }
    l = l.trimEnd(); // the same white space as \s
    if (l === '') continue;
    text = text === '' ? l : `${text}\n\n${l}`;
  }
  if (lightStyle === 'font') text = text.replace(/🔴|🟡|🟢/gu, (m) => LIGHT_FONT[m] ?? m);
  return text;
}

/**
 * Renders a Reply as one or more DingTalk messages, each under `maxBytes`.
 * Long replies are split between paragraphs/items; the @-mentions ride on the
 * first part (one notification), the link on the last: as an actionCard button
 * when nobody is @-mentioned, else as a markdown link, since DingTalk's
 * actionCard cannot @ anyone.
 */
export function renderReply(reply: Reply, o: RenderOptions): DtMessage[] {
  // The same answer again (a remembered 进度 or 查看 carries the very same markdown string) with the
  // same options: the same messages (frozen, so no sender can change what the next one gets).
  const seen = rendered.get(reply.markdown);
  if (seen && sameRender(seen, reply, o)) return seen.parts;
  const parts = render(reply, o);
  for (const p of parts) {
    if (p.kind === 'markdown') Object.freeze(p.atUserIds);
    Object.freeze(p);
  }
  Object.freeze(parts);
  if (rendered.size >= RENDERED_MAX) rendered.delete(rendered.keys().next().value!);
  const link = reply.link && { ...reply.link };
  rendered.set(reply.markdown, { reply: { title: reply.title, text: reply.text, personal: reply.personal, mentions: reply.mentions.map((m) => ({ ...m })), link }, o: { ...o }, parts });
  return parts;
}

/** Most answers whose rendering is remembered (keyed by their markdown). */
const RENDERED_MAX = 256;

interface Rendered {
  reply: Pick<Reply, 'title' | 'text' | 'personal' | 'mentions' | 'link'>;
  o: RenderOptions;
  parts: DtMessage[];
}
const rendered = new Map<string, Rendered>();

/** Whether a remembered rendering was made from the same reply fields and options (markdown is the key). */
function sameRender(e: Rendered, reply: Reply, o: RenderOptions): boolean {
  const r = e.reply;
  if (r.title !== reply.title || r.text !== reply.text || r.personal !== reply.personal) return false;
  if (e.o.maxBytes !== o.maxBytes || e.o.canMention !== o.canMention || e.o.personalUserId !== o.personalUserId || e.o.lightStyle !== o.lightStyle) return false;
  if (r.link?.url !== reply.link?.url || r.link?.title !== reply.link?.title) return false;
  if (r.mentions.length !== reply.mentions.length) return false;
  return r.mentions.every((m, i) => m.userId === reply.mentions[i]!.userId && m.name === reply.mentions[i]!.name);
}

function render(reply: Reply, o: RenderOptions): DtMessage[] {
  const title = plainTitle(reply.title);
  const wanted = reply.personal && o.personalUserId ? [o.personalUserId] : [];
  for (const m of reply.mentions) wanted.push(m.userId);
  const ids = (wanted.length > 1 ? [...new Set(wanted)] : wanted)
    .filter((id) => USER_ID.test(id) && !/^(all|everyone|here)$/i.test(id)); // never anything that could read as @all
  let atLine = '';
  if (o.canMention) atLine = ids.map((id) => `@${id}`).join(' ');
  else {
    const names = reply.mentions.map((m) => (m.name ? safeText(m.name) : '')).filter(Boolean);
    if (names.length) atLine = `提醒：${names.join('、')}`;
  }
  const url = reply.link ? safeUrl(reply.link.url) : null;
  const linkTitle = reply.link ? plainTitle(reply.link.title) : '';
  const useCard = Boolean(url) && !(o.canMention && ids.length);
  const linkLine = url && !useCard ? `[${linkTitle}](${url})` : '';

  // The first part also carries the ids as `at.atUserIds`: as many bytes again as the @ line.
  const atIds = o.canMention ? Buffer.byteLength(JSON.stringify(ids), 'utf8') : 0;
  const budget = o.maxBytes - RESERVE_BYTES - jsonBytes(atLine) - atIds - jsonBytes(linkLine) - jsonBytes(title);
  const body = toDingtalkMarkdown(reply.markdown, o.lightStyle) || safeText(reply.text);
  const chunks = splitBlocks(body, Math.max(budget, 1_000));
  const n = chunks.length;
  return chunks.map((chunk, i): DtMessage => {
    const partTitle = n > 1 ? `${title}（${i + 1}/${n}）` : title;
    let text = i > 0 ? `（续 ${i + 1}/${n}）\n\n${chunk}` : chunk;
    if (i === 0 && atLine) text += `\n\n${atLine}`;
    if (i === n - 1 && linkLine) text += `\n\n${linkLine}`;
    if (i === n - 1 && useCard && url) {
      return { kind: 'actionCard', title: partTitle, text, singleTitle: linkTitle, singleURL: url };
    }
    return { kind: 'markdown', title: partTitle, text, atUserIds: i === 0 && o.canMention ? ids : [] };
  });
}

/** webhookBody as JSON, remembered for a frozen (remembered) rendering. */
const bodies = new WeakMap<DtMessage, string>();
export function webhookJson(m: DtMessage): string {
  let json = bodies.get(m);
  if (json === undefined) {
    json = JSON.stringify(webhookBody(m));
    if (Object.isFrozen(m)) bodies.set(m, json);
  }
  return json;
}

/** Body for a sessionWebhook or custom robot webhook (https://open.dingtalk.com/document/robots/custom-robot-access). */
export function webhookBody(m: DtMessage): Record<string, unknown> {
  if (m.kind === 'actionCard') {
    return { msgtype: 'actionCard', actionCard: { title: m.title, text: m.text, singleTitle: m.singleTitle, singleURL: m.singleURL } };
  }
  return { msgtype: 'markdown', markdown: { title: m.title, text: m.text }, at: { atUserIds: m.atUserIds, isAtAll: false } };
}

/** msgKey + msgParam for the robot OpenAPI (https://open.dingtalk.com/document/orgapp/robot-message-types-and-data-format). */
export function openApiMessage(m: DtMessage): { msgKey: string; msgParam: string } {
  if (m.kind === 'actionCard') {
    return {
      msgKey: 'sampleActionCard',
      msgParam: JSON.stringify({ title: m.title, text: m.text, singleTitle: m.singleTitle, singleURL: m.singleURL }),
    };
  }
  return { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: m.title, text: m.text }) };
}
