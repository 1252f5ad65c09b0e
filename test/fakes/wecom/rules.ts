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
      const s = body.stream;
      if (!isObject(s) || typeof s.id !== 'string' || s.id === '') return { errcode: 40058, errmsg: 'stream.id is required' };
      if (s.content !== undefined && typeof s.content !== 'string') return { errcode: 40058, errmsg: 'stream.content must be a string' };
      if (bytes(s.content ?? '') > WECOM_LIMITS.aibot) return { errcode: 40058, errmsg: `stream.content exceed max length ${WECOM_LIMITS.aibot}` };
      return null;
    }
    case 'text': return content(body, 'text', WECOM_LIMITS.aibot);
    case 'template_card': return isObject(body.template_card) ? null : { errcode: 40058, errmsg: 'template_card is required' };
    default:
      if (body.response_type === 'update_template_card') return null;
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
