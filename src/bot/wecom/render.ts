import type { Mention, Reply } from '../../core/message.js';
import { safeText } from '../../core/safe-text.js';

/**
 * Reply → WeCom markdown, per channel. Dialects and limits:
 * https://developer.work.weixin.qq.com/document/path/91770 (group robot markdown, `<@userid>`)
 * https://developer.work.weixin.qq.com/document/path/90236 (app markdown subset, `<font color>`)
 * https://developer.work.weixin.qq.com/document/path/101031 (AI bot stream markdown)
 */
export type Flavour = 'robot' | 'app' | 'aibot';

/** Byte limits of each channel (UTF-8). */
export const LIMITS = {
  robotMarkdown: 4096,
  robotText: 2048,
  appMarkdown: 2048,
  appText: 2048,
  aibot: 20480,
} as const;

// Red → warning (orange-red), green → info (green), yellow → comment (grey):
// the only three colours WeCom markdown has.
const LIGHTS: Record<string, string> = { '🔴': 'warning', '🟡': 'comment', '🟢': 'info' };

/** WeCom user ids are letters, digits and `_.-@`; anything else never reaches a tag. */
const USERID = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/;

/** True for a user id safe to place in `<@…>` or `mentioned_list` (never @all). */
export function isMentionableId(id: string): boolean {
  return USERID.test(id) && id.toLowerCase() !== 'all' && id.toLowerCase() !== '@all';
}

/**
 * Defuses every `<` (and HTML entity that could decode to one) before we add
 * our own tags. The core's common markdown has no HTML, so this only ever
 * removes injected markup; `>` alone opens nothing and stays (quote syntax).
 */
function defuseTags(md: string): string {
  return md.replace(/</g, '＜').replace(/&(#?[A-Za-z0-9]+;)/g, '＆$1');
}

function linkLine(reply: Reply): string | null {
  const l = reply.link;
  if (!l || !/^https?:\/\/[^\s]+$/i.test(l.url)) return null;
  // encodeURIComponent leaves ( ) alone, and `)` would end the markdown link early.
  const url = l.url.replace(/[()<>\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `[${safeText(l.title)}](${url})`;
}

function names(ms: Mention[]): string {
  return ms.map((m) => safeText(m.name ?? m.userId)).join('、');
}

/**
 * Renders `reply` for a channel. `mentions` are the people to @ (the reply's
 * own plus, for personal replies, the sender); on the robot channel they become
 * `<@userid>`, elsewhere a plain "提醒" line (the channel cannot @ from markdown).
 */
export function renderMarkdown(reply: Reply, flavour: Flavour, mentions: Mention[] = reply.mentions): string {
  let md = defuseTags(reply.markdown.replace(/\r\n/g, '\n')).trim();
  if (flavour !== 'aibot') {
    // AI-bot markdown has no documented colours; emoji render fine there.
    md = md.replace(/🔴|🟡|🟢/gu, (e) => `<font color="${LIGHTS[e]}">●</font>`);
  }
  const tail: string[] = [];
  const link = linkLine(reply);
  if (link) tail.push(link);
  const uniq = dedupeMentions(mentions);
  if (uniq.length && flavour === 'robot') {
    const tags = uniq.filter((m) => isMentionableId(m.userId)).map((m) => `<@${m.userId}>`);
    if (tags.length) tail.push(tags.join(' '));
  } else if (uniq.length) {
    tail.push(`提醒：${names(uniq)}`);
  }
  return tail.length ? `${md}\n\n${tail.join('\n')}` : md;
}

/** Plain-text rendering (app passive replies, robot text messages). */
export function renderText(reply: Reply): string {
  const link = reply.link && /^https?:\/\//i.test(reply.link.url) ? `\n${reply.link.url}` : '';
  return `${reply.text.replace(/\r\n/g, '\n').trim()}${link}`;
}

/** Unique mentions by user id, order kept. */
export function dedupeMentions(ms: Mention[]): Mention[] {
  const seen = new Set<string>();
  return ms.filter((m) => (seen.has(m.userId) ? false : (seen.add(m.userId), true)));
}
