import { SendError } from '../../core/sender.js';

/**
 * Outbound HTTP to WeCom with an injected fetch, a timeout, and one mapping of
 * WeCom error codes to SendError kinds. URLs carry credentials (webhook key,
 * access_token), so nothing here ever logs or throws a URL.
 */

/** A WeCom JSON answer: errcode 0 means success. */
export interface WecomAnswer {
  errcode?: number;
  errmsg?: string;
  [k: string]: unknown;
}

/** Codes the office must fix; sending again cannot help. */
export const CONFIG_CODES = new Set([
  93000, // invalid webhook url: https://developer.work.weixin.qq.com/document/path/91770
  60020, // caller IP not in 企业可信IP: https://developer.work.weixin.qq.com/document/path/90313
  40001, // invalid corpsecret: https://developer.work.weixin.qq.com/document/path/91039
  40013, // invalid corpid
  60011, // app has no permission for the target
  301002, // app not visible to the user / group
  81013, // no valid recipient: e.g. a group chat id given to message/send (needs a robot key)
]);
/** Access token rejected: drop the cache, refetch once. */
export const TOKEN_CODES = new Set([40014, 42001]);
/** WeCom-side transient errors. */
const RETRY_CODES = new Set([-1, 45033]);
/** Frequency limits (45009 api freq out of limit). */
const RATE_CODES = new Set([45009, 45011, 45047]);

/** Back-off for a platform frequency limit: WeCom counts per minute. */
export const RATE_BACKOFF_MS = 60_000;

/** Maps a non-zero errcode to a SendError (the caller decides about TOKEN_CODES). */
export function errorFor(code: number, what: string): SendError {
  const c = String(code);
  if (RATE_CODES.has(code)) return new SendError('rate_limited', c, `${what}: WeCom rate limit (${c})`, RATE_BACKOFF_MS);
  if (CONFIG_CODES.has(code)) return new SendError('config', c, `${what}: ${CONFIG_HINTS[code] ?? 'configuration rejected'} (${c})`);
  if (RETRY_CODES.has(code)) return new SendError('retry', c, `${what}: WeCom busy (${c})`);
  if (TOKEN_CODES.has(code)) return new SendError('retry', c, `${what}: access token rejected again (${c})`);
  return new SendError('fatal', c, `${what}: WeCom refused the message (${c})`);
}

/** Sentences for the office, naming the fix. */
export const CONFIG_HINTS: Record<number, string> = {
  93000: '群机器人 webhook key 无效（机器人已被移除，或误填了完整 URL）；请在群里重新添加消息推送机器人，并用 rectify bind --platform wecom --chat <群> --ledger <台账> --webhook-key <key> 重新绑定',
  60020: '本服务的出口 IP 不在企业微信应用的「企业可信IP」列表中；请管理员在应用设置里添加本机出口 IP',
  40001: 'WECOM_SECRET 无效；请核对自建应用的 Secret',
  40013: 'WECOM_CORP_ID 无效；请核对企业 ID',
  60011: '自建应用对接收人不可见；请调整应用的可见范围',
  301002: '自建应用对接收人不可见；请调整应用的可见范围',
  81013: '自建应用找不到接收人；群聊请用 rectify bind --platform wecom --chat <群> --ledger <台账> --webhook-key <key> 绑定群机器人',
};

/** Options for one call. */
export interface CallOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  /** What is being sent, for error messages (never the URL). */
  what: string;
}

/**
 * Sends one request and returns the parsed WeCom answer. Network errors,
 * timeouts and 5xx become SendError('retry'); redirects (never followed) and
 * other HTTP errors 'fatal'.
 */
export async function callWecom(
  url: string, init: { method: 'GET' | 'POST'; body?: unknown }, o: CallOptions,
): Promise<WecomAnswer> {
  let res: Response;
  try {
    res = await o.fetch(url, {
      method: init.method,
      headers: init.body === undefined ? undefined : { 'content-type': 'application/json; charset=utf-8' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(o.timeoutMs),
      // Never follow: the URL carries a key or token, and a redirect would resend the body elsewhere.
      redirect: 'manual',
    });
  } catch (e) {
    const name = (e as Error).name;
    const why = name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'network error';
    throw new SendError('retry', why === 'timed out' ? 'timeout' : 'network', `${o.what}: ${why}`);
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    throw new SendError('fatal', 'redirect', `${o.what}: HTTP ${res.status} (a redirect): refused, not followed`);
  }
  if (res.status >= 500 || res.status === 429) {
    await res.body?.cancel().catch(() => undefined);
    const kind = res.status === 429 ? 'rate_limited' : 'retry';
    throw new SendError(kind, `http_${res.status}`, `${o.what}: HTTP ${res.status}`, kind === 'rate_limited' ? RATE_BACKOFF_MS : undefined);
  }
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    throw new SendError(res.ok ? 'retry' : 'fatal', `http_${res.status}`, `${o.what}: unreadable answer (HTTP ${res.status})`);
  }
  if (!res.ok) throw new SendError('fatal', `http_${res.status}`, `${o.what}: HTTP ${res.status}`);
  if (!data || typeof data !== 'object') throw new SendError('retry', 'bad_answer', `${o.what}: unreadable answer`);
  return data as WecomAnswer;
}
