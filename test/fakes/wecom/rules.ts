/**
 * What WeCom refuses, as pure checks the fake applies before answering. Limits
 * and codes are from /work/shared/protocols/wecom.md; where a source names
 * no code for a refusal, the fake uses the closest global code and says so.
 *
 * - 40058 "不合法的参数": what WeCom answers for an over-long body, e.g.
 *   `{"errcode":40058,"errmsg":"markdown.content exceed max length 4096. invalid Request Parameter"}`
 *   (github.com/RayWangQvQ/BiliBiliTool/issues/569, dromara/domain-admin/issues/82).
 *   The fake also uses it for a missing or non-string content (no source names a code).
 * - 40008 "不合法的msgtype参数" / "invalid message type": global error codes
 *   (https://developer.work.weixin.qq.com/document/path/90313), seen on an AI-bot reply
 *   in funcodingdev/n8n-nodes-wecom#43.
 * - 45009 "api freq out of limit": over 20 messages a minute per robot (D/91770; the code [2nd]).
 * - App template cards (message/send D/90236, update_template_card D/94888): no source we found
 *   names the code for a task_id already used by the app, nor for a used or expired
 *   response_code (D/94888 only says "一个code只能调用一次该接口，且只能在72小时内调用"), so the
 *   fake answers both with the invalid-parameter code 40058 and says which rule in errmsg. An
 *   update needs agentid (40056 "不合法的agentid", global codes D/90313), a recipient choice
 *   (userids or atall) and either button.replace_name or a template_card.
 */

/** A WeCom error answer. */
export interface Refusal {
  errcode: number;
  errmsg: string;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Byte limits, UTF-8 (wecom.md §5, §6, §7, §4.4, §4.5). */
export const WECOM_LIMITS = {
  /** Group robot text.content: D/91770. */
  robotText: 2048,
  /** Group robot markdown / markdown_v2 content: D/91770. */
  robotMarkdown: 4096,
  /** App message/send text.content and markdown.content: D/90236. */
  appText: 2048,
  appMarkdown: 2048,
  /** AI-bot response_url markdown.content (D/101138) and passive stream.content (D/101031). */
  aibot: 20480,
  /** App passive reply Content (D/96469). */
  appPassive: 2048,
} as const;

/** Messages a group robot may send per minute (D/91770). */
export const ROBOT_PER_MINUTE = 20;

/** App messages a member may receive per minute from one app; the excess is dropped silently (D/90236). */
export const APP_PER_MEMBER_PER_MINUTE = 30;

const badType = (t: unknown): Refusal => ({ errcode: 40008, errmsg: `invalid message type: ${String(t).slice(0, 40)}` });

/** Checks `field.content`: a string within `limit` bytes. */
function content(body: Record<string, any>, field: string, limit: number): Refusal | null {
  const c = body[field]?.content;
  if (typeof c !== 'string' || c === '') return { errcode: 40058, errmsg: `${field}.content is required. invalid Request Parameter` };
  if (bytes(c) > limit) return { errcode: 40058, errmsg: `${field}.content exceed max length ${limit}. invalid Request Parameter` };
  return null;
}

const isObject = (b: unknown): b is Record<string, any> => !!b && typeof b === 'object' && !Array.isArray(b);

/** Group robot `webhook/send` body (D/91770): text, markdown, markdown_v2 checked; other documented types accepted. */
export function webhookRefusal(body: unknown): Refusal | null {
  if (!isObject(body)) return { errcode: 40058, errmsg: 'body is not a JSON object. invalid Request Parameter' };
  const t = body.msgtype;
  switch (t) {
    case 'text': {
      const r = content(body, 'text', WECOM_LIMITS.robotText);
      if (r) return r;
      const ml = body.text.mentioned_list;
      if (ml !== undefined && (!Array.isArray(ml) || ml.some((x: unknown) => typeof x !== 'string'))) {
        return { errcode: 40058, errmsg: 'text.mentioned_list must be a list of strings. invalid Request Parameter' };
      }
      return null;
    }
    case 'markdown':
    case 'markdown_v2':
      return content(body, t, WECOM_LIMITS.robotMarkdown);
    case 'image': case 'news': case 'file': case 'voice': case 'template_card':
      return isObject(body[t]) ? null : { errcode: 40058, errmsg: `${t} is required. invalid Request Parameter` };
    default:
      return badType(t);
  }
}

/** App `message/send` body (D/90236): a recipient, and text/markdown within 2,048 bytes. */
export function appSendRefusal(body: unknown): Refusal | null {
  if (!isObject(body)) return { errcode: 40058, errmsg: 'body is not a JSON object. invalid Request Parameter' };
  if (![body.touser, body.toparty, body.totag].some((x) => typeof x === 'string' && x !== '')) {
    return { errcode: 81013, errmsg: 'user & party & tag all invalid' };
  }
  switch (body.msgtype) {
    case 'text': return content(body, 'text', WECOM_LIMITS.appText);
    case 'markdown': return content(body, 'markdown', WECOM_LIMITS.appMarkdown);
    case 'image': case 'voice': case 'video': case 'file': case 'textcard': case 'news': case 'mpnews': case 'template_card':
      return isObject(body[body.msgtype]) ? null : { errcode: 40058, errmsg: `${body.msgtype} is required. invalid Request Parameter` };
    default: return badType(body.msgtype);
  }
}

/** AI-bot `response_url` body (D/101138): markdown within 20,480 bytes, or a template card. */
export function responseRefusal(body: unknown): Refusal | null {
  if (!isObject(body)) return { errcode: 40058, errmsg: 'body is not a JSON object. invalid Request Parameter' };
  if (body.msgtype === 'markdown') return content(body, 'markdown', WECOM_LIMITS.aibot);
  if (body.msgtype === 'template_card') return isObject(body.template_card) ? null : { errcode: 40058, errmsg: 'template_card is required' };
  return badType(body.msgtype);
}

/**
 * AI-bot passive reply plaintext (D/101031): a stream with an id and at most
 * 20,480 bytes of content, or one of the other documented reply types.
 */
export function aibotPassiveRefusal(plain: string): Refusal | null {
  let body: unknown;
  try { body = JSON.parse(plain); } catch { return { errcode: 40058, errmsg: 'passive reply is not JSON' }; }
  if (!isObject(body)) return { errcode: 40058, errmsg: 'passive reply is not a JSON object' };
  switch (body.msgtype) {
    case 'stream':
    case 'stream_with_template_card': {
      if (body.msgtype === 'stream_with_template_card') {
        const bad = templateCardRefusal(body.template_card);
        if (bad) return bad;
      }
      const s = body.stream;
      if (!isObject(s) || typeof s.id !== 'string' || s.id === '') return { errcode: 40058, errmsg: 'stream.id is required' };
      if (s.content !== undefined && typeof s.content !== 'string') return { errcode: 40058, errmsg: 'stream.content must be a string' };
      if (bytes(s.content ?? '') > WECOM_LIMITS.aibot) return { errcode: 40058, errmsg: `stream.content exceed max length ${WECOM_LIMITS.aibot}` };
      return null;
    }
    case 'text': return content(body, 'text', WECOM_LIMITS.aibot);
    case 'template_card': return templateCardRefusal(body.template_card);
    default:
      if (body.response_type === 'update_template_card') {
        if (body.userids !== undefined && (!Array.isArray(body.userids) || body.userids.some((u: unknown) => typeof u !== 'string'))) {
          return { errcode: 40058, errmsg: 'userids must be a list of strings' };
        }
        return templateCardRefusal(body.template_card);
      }
      return badType(body.msgtype);
  }
}

/** App passive reply plaintext XML (D/96469): a known MsgType; text Content within 2,048 bytes. */
export function appPassiveRefusal(xml: string): Refusal | null {
  const get = (tag: string) => new RegExp(`<${tag}>(?:<!\\[CDATA\\[)?([\\s\\S]*?)(?:\\]\\]>)?</${tag}>`).exec(xml)?.[1];
  const type = get('MsgType');
  if (!['text', 'image', 'voice', 'video', 'news', 'update_button'].includes(type ?? '')) return badType(type);
  if (type !== 'text') return null;
  const c = get('Content');
  if (!c) return { errcode: 40058, errmsg: 'Content is required' };
  // The doc says longer text is cut; the fake refuses it so a silent cut shows up in tests.
  if (bytes(c) > WECOM_LIMITS.appPassive) return { errcode: 40058, errmsg: `Content exceed max length ${WECOM_LIMITS.appPassive}` };
  return null;
}

/** Card types the AI bot accepts (D/101031). */
const CARD_TYPES = ['text_notice', 'news_notice', 'button_interaction', 'vote_interaction', 'multiple_interaction'];

/**
 * A template_card (D/101031, D/101032): a known card_type; an interactive card
 * has a task_id of at most 128 bytes of [0-9a-zA-Z_-@]; button_interaction has
 * 1–6 buttons, each with text and a key of at most 1,024 bytes; at most 6
 * horizontal_content_list rows.
 */
export function templateCardRefusal(card: unknown): Refusal | null {
  if (!isObject(card)) return { errcode: 40058, errmsg: 'template_card is required' };
  if (!CARD_TYPES.includes(card.card_type)) return { errcode: 40058, errmsg: `invalid card_type: ${String(card.card_type).slice(0, 40)}` };
  if (card.card_type === 'text_notice' || card.card_type === 'news_notice') return null;
  if (typeof card.task_id !== 'string' || !/^[0-9a-zA-Z_\-@]{1,128}$/.test(card.task_id)) return { errcode: 40058, errmsg: 'invalid task_id' };
  const rows = card.horizontal_content_list;
  if (rows !== undefined && (!Array.isArray(rows) || rows.length > 6)) return { errcode: 40058, errmsg: 'horizontal_content_list exceeds 6' };
  if (card.card_type !== 'button_interaction') return null;
  if (!isObject(card.main_title) || typeof card.main_title.title !== 'string') return { errcode: 40058, errmsg: 'main_title.title is required' };
  const b = card.button_list;
  if (!Array.isArray(b) || b.length < 1 || b.length > 6) return { errcode: 40058, errmsg: 'button_list must have 1 to 6 buttons' };
  for (const x of b) {
    if (!isObject(x) || typeof x.text !== 'string' || !x.text || typeof x.key !== 'string' || !x.key) return { errcode: 40058, errmsg: 'button text and key are required' };
    if (bytes(x.key) > 1024) return { errcode: 40058, errmsg: 'button key exceeds 1024 bytes' };
  }
  return null;
}

/** A response_code (of a card send, or of a click) updates once within 72 hours (D/94888). */
export const RESPONSE_CODE_TTL_MS = 72 * 3_600_000;

/** The body of message/update_template_card (D/94888), before its response_code is checked. */
export function appCardUpdateRefusal(body: unknown): Refusal | null {
  if (!isObject(body)) return { errcode: 40058, errmsg: 'body is not a JSON object. invalid Request Parameter' };
  if (typeof body.agentid !== 'number') return { errcode: 40056, errmsg: 'invalid agentid' };
  if (typeof body.response_code !== 'string' || !body.response_code) return { errcode: 40058, errmsg: 'response_code is required. invalid Request Parameter' };
  const ids = body.userids;
  if (ids !== undefined && (!Array.isArray(ids) || ids.length > 1000 || ids.some((u: unknown) => typeof u !== 'string'))) {
    return { errcode: 40058, errmsg: 'userids must be a list of at most 1000 userids' };
  }
  if (body.atall !== 1 && !ids?.length) return { errcode: 81013, errmsg: 'user & party & tag all invalid' };
  if (body.button !== undefined) {
    if (body.template_card !== undefined) return { errcode: 40058, errmsg: 'button and template_card are exclusive' };
    if (!isObject(body.button) || typeof body.button.replace_name !== 'string' || !body.button.replace_name) {
      return { errcode: 40058, errmsg: 'button.replace_name is required. invalid Request Parameter' };
    }
    return null;
  }
  if (!isObject(body.template_card)) return { errcode: 40058, errmsg: 'button or template_card is required. invalid Request Parameter' };
  return null;
}
