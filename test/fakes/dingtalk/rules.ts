/**
 * What DingTalk's oapi robot endpoints refuse (sessionWebhook `/robot/sendBySession`
 * and the custom robot `/robot/send`), as one pure check the fake applies. Both
 * answer HTTP 200 with `{errcode, errmsg}`; shapes and codes from
 * /work/shared/protocols/dingtalk.md §4, §5a:
 *
 * - 460101 "message too long, exceed 20000 bytes" (timonwong/prometheus-webhook-dingtalk#30,
 *   Le0nsec/SecCrawler#12). The fake counts the whole UTF-8 body, the worst reading.
 * - 40035 "缺少参数 json": a body DingTalk cannot read as JSON (ccfos/nightingale#2704,
 *   megaease/easeprobe#467). No source names the code for an unknown or missing
 *   msgtype; the fake answers 40035 for that too.
 * - 400402 "参数 markdown --》 title 缺失" (cryozerolabs/n8n-nodes-dingtalk#10) and
 *   400403 "miss param : markdown->text" (feiyu563/PrometheusAlert#63): a missing
 *   title, or missing text/content. The fake uses the same two codes for actionCard.
 */

/** An oapi error answer. */
export interface DtRefusal {
  errcode: number;
  errmsg: string;
}

/** Byte limit of one robot message (from the 460101 errmsg). */
export const OAPI_MAX_BYTES = 20_000;

const isObject = (b: unknown): b is Record<string, any> => !!b && typeof b === 'object' && !Array.isArray(b);
const filled = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const noTitle = (t: string): DtRefusal => ({ errcode: 400402, errmsg: `错误描述:参数 ${t} --》 title 缺失，或者参数格式不正确` });
const miss = (what: string): DtRefusal => ({ errcode: 400403, errmsg: `miss param : ${what}` });

/** `at` (optional): atUserIds / atMobiles lists of strings, isAtAll a boolean. */
function atRefusal(at: unknown): DtRefusal | null {
  if (at === undefined) return null;
  if (!isObject(at)) return miss('at');
  for (const k of ['atUserIds', 'atMobiles'] as const) {
    if (at[k] !== undefined && (!Array.isArray(at[k]) || at[k].some((x: unknown) => typeof x !== 'string'))) return miss(`at->${k}`);
  }
  if (at.isAtAll !== undefined && typeof at.isAtAll !== 'boolean') return miss('at->isAtAll');
  return null;
}

/**
 * Checks one robot message body. `raw` is the request body as received, so the
 * size and the JSON check see exactly what DingTalk would.
 * `endpoint` 'session' accepts text, markdown and actionCard (what
 * sessionWebhook is known to take); 'robot' also link and feedCard.
 */
export function oapiMessageRefusal(raw: string, endpoint: 'session' | 'robot'): DtRefusal | null {
  if (Buffer.byteLength(raw, 'utf8') > OAPI_MAX_BYTES) {
    return { errcode: 460101, errmsg: `message too long, exceed ${OAPI_MAX_BYTES} bytes` };
  }
  let body: unknown;
  try { body = JSON.parse(raw); } catch { return { errcode: 40035, errmsg: '缺少参数 json' }; }
  if (!isObject(body)) return { errcode: 40035, errmsg: '缺少参数 json' };
  const at = atRefusal(body.at);
  if (at) return at;
  const t = body.msgtype;
  const m = isObject(body[t]) ? body[t] : undefined;
  switch (t) {
    case 'text':
      return filled(m?.content) ? null : miss('text->content');
    case 'markdown':
      if (!filled(m?.title)) return noTitle('markdown');
      return filled(m?.text) ? null : miss('markdown->text');
    case 'actionCard': {
      if (!filled(m?.title)) return noTitle('actionCard');
      if (!filled(m?.text)) return miss('actionCard->text');
      const single = filled(m?.singleTitle) && filled(m?.singleURL);
      const btns = Array.isArray(m?.btns) && m.btns.length > 0
        && m.btns.every((b: unknown) => isObject(b) && filled(b.title) && filled(b.actionURL));
      return single || btns ? null : miss('actionCard->singleURL');
    }
    case 'link':
      if (endpoint !== 'robot') break;
      if (!filled(m?.title)) return noTitle('link');
      return filled(m?.text) && filled(m?.messageUrl) ? null : miss('link->messageUrl');
    case 'feedCard':
      if (endpoint !== 'robot') break;
      return Array.isArray(m?.links) && m.links.length > 0 ? null : miss('feedCard->links');
  }
  return { errcode: 40035, errmsg: `缺少参数 json (msgtype ${String(t).slice(0, 30)} not supported)` };
}
