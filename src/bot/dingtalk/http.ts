import { acceptsTimeoutMs, HttpTimeoutError } from '../../core/http-client.js';
import { SendError } from '../../core/sender.js';

/** The headers of every call without extra ones (the client copies them, never changes this object). */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Content-Type': 'application/json', Accept: 'application/json' });

/** A payload already serialised (sent as it is). */
export class JsonText {
  constructor(readonly json: string) {}
}

/** A response from a DingTalk endpoint: status and the parsed JSON body (`{}` when not JSON). */
export interface DtResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Default POST; the card update is a PUT. */
  method?: 'POST' | 'PUT';
}

/**
 * POSTs JSON to a DingTalk endpoint through the injected fetch. Network
 * failures, timeouts and 5xx become SendError 'retry'; any other status is
 * returned for the caller's API-specific checks (DingTalk reports many errors
 * with HTTP 200 and an `errcode`). Redirects are refused (SendError 'fatal',
 * code `redirect`), never followed. The URL is never put in an error message,
 * because webhook URLs carry tokens.
 */
export async function postJson(
  fetchFn: typeof fetch,
  url: string,
  payload: unknown,
  opts: PostOptions,
): Promise<DtResponse> {
  // The shared client (core/http-client) keeps the deadline itself with one timer; any other fetch
  // gets an AbortController and a plain cleared timer (not AbortSignal.timeout(): nothing may outlive the call).
  const own = acceptsTimeoutMs(fetchFn);
  const ac = own ? null : new AbortController();
  const timer = ac ? setTimeout(() => ac.abort(), opts.timeoutMs) : undefined;
  try {
    const init = {
      method: opts.method ?? 'POST',
      headers: opts.headers ? { ...JSON_HEADERS, ...opts.headers } : JSON_HEADERS,
      body: payload instanceof JsonText ? payload.json : JSON.stringify(payload),
      // Never follow: a redirect would resend the body (and the token-bearing query) to another host.
      redirect: 'manual' as const,
      signal: ac?.signal,
      timeoutMs: ac ? undefined : opts.timeoutMs,
    };
    const res = await fetchFn(url, init);
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new SendError('fatal', 'redirect', `DingTalk answered HTTP ${res.status} (a redirect): refused, not followed`);
    }
    const text = await res.text();
    if (res.status >= 500) throw new SendError('retry', `http_${res.status}`, `DingTalk answered HTTP ${res.status}`);
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = text ? JSON.parse(text) : {};
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      // Non-JSON bodies are judged by status alone.
    }
    return { status: res.status, body };
  } catch (err) {
    if (err instanceof SendError) throw err;
    if (ac ? ac.signal.aborted : err instanceof HttpTimeoutError) throw new SendError('retry', 'timeout', `DingTalk did not answer within ${opts.timeoutMs} ms`);
    throw new SendError('retry', 'network', `DingTalk unreachable: ${(err as Error).message}`);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The custom robot throttles a robot for 10 minutes after 20 messages a minute (https://open.dingtalk.com/document/robots/custom-robot-access). */
export const THROTTLE_BACKOFF_MS = 10 * 60_000;

/**
 * Maps an oapi-style `{errcode, errmsg}` answer (custom robot webhooks and
 * sessionWebhook, https://open.dingtalk.com/document/robots/custom-robot-access)
 * to nothing (success) or a SendError.
 */
export function errcodeError(r: DtResponse): SendError | null {
  const raw = r.body.errcode;
  if ((raw === undefined || raw === null) && r.status < 400) return null;
  const code = Number(raw ?? -r.status);
  if (code === 0 && r.status < 400) return null;
  const msg = `DingTalk errcode ${code}: ${String(r.body.errmsg ?? '').slice(0, 200)}`;
  switch (code) {
    case 130101: // send too fast, exceed 20 times per minute
    case 90002: // platform-wide API limit
      return new SendError('rate_limited', String(code), msg, THROTTLE_BACKOFF_MS);
    case 310000: // sign not match / keywords not in content / invalid timestamp / IP not allowed
    case 300001: // token is not exist
    case 400013: // group dissolved or robot removed (seen in field reports)
      return new SendError('config', String(code), msg);
    case -1: // 系统繁忙
      return new SendError('retry', String(code), msg);
    default:
      if (r.status === 429) return new SendError('rate_limited', 'http_429', msg, 60_000);
      return new SendError('fatal', String(code), msg);
  }
}

/**
 * Maps an api.dingtalk.com answer (`{code, message}` on 4xx,
 * https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message)
 * to nothing (success) or a SendError. 200 bodies are checked for `errcode` too.
 */
export function openApiError(r: DtResponse): SendError | null {
  if (r.status < 400) {
    const ec = r.body.errcode;
    return ec === undefined || ec === null || Number(ec) === 0 ? null : errcodeError(r);
  }
  const code = String(r.body.code ?? `http_${r.status}`);
  const msg = `DingTalk ${r.status} ${code}: ${String(r.body.message ?? '').slice(0, 200)}`;
  if (r.status === 429 || /^Throttling/i.test(code)) return new SendError('rate_limited', code, msg, 60_000);
  if (/^Forbidden|robotCode|openConversationId|invalidClient|InvalidAuthentication/i.test(code) || r.status === 403) {
    return new SendError('config', code, msg);
  }
  return new SendError('fatal', code, msg);
}

/** True for answers that mean "the access token is invalid or expired": refresh once and retry. */
export function isTokenRejected(r: DtResponse): boolean {
  const code = String(r.body.code ?? '');
  const ec = Number(r.body.errcode ?? 0);
  return r.status === 401 || code === 'InvalidAuthentication' || ec === 40014 || ec === 42001;
}
