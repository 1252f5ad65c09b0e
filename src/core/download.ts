import contentDisposition from 'content-disposition';
import { BodyTooLargeError } from './http-client.js';

/**
 * Bounded downloads of platform media (evidence files): the URL's host must be
 * on an allow-list, redirects are refused, a body over `maxBytes` is not read
 * further than its first byte over, 5xx and network failures are retried a
 * few times. The GET carries only the headers the caller passes (DingTalk's
 * signed OSS URLs answer 403 to a GET with a Content-Type header).
 * Bytes never reach a log line; errors name the failure, never the URL's query.
 */

/** Why a download did not produce bytes. */
export type DownloadFailure = 'host' | 'too_large' | 'expired' | 'http' | 'network' | 'corrupt';

export class DownloadError extends Error {
  constructor(readonly kind: DownloadFailure, message: string, readonly status?: number) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadOptions {
  fetch: typeof fetch;
  /** Host patterns: `files.example.com`, `*.example.com` (any subdomain), optionally with `:port`. */
  allowHosts: readonly string[];
  maxBytes: number;
  /** Per attempt. */
  timeoutMs: number;
  /** Further attempts after a 5xx or a network failure (default 2). */
  retries?: number;
  retryDelayMs?: number;
  /**
   * All attempts together (default 20 s): the download runs inside the inbound queue's apply
   * step, which gives a message 30 s before counting it as failed.
   */
  totalMs?: number;
  headers?: Record<string, string>;
}

export interface Downloaded {
  bytes: Buffer;
  /** The response's Content-Type (without parameters), if any. */
  mime?: string;
  /** From Content-Disposition, if any. */
  name?: string;
}

/** Splits a comma/space separated host list; empty or unset gives the defaults. */
export function parseHostList(value: string | undefined, defaults: readonly string[]): string[] {
  const list = (value ?? '').split(/[\s,]+/).map((h) => h.trim().toLowerCase()).filter(Boolean);
  return list.length ? list : [...defaults];
}

/** True when the URL's host (and port, when the pattern names one) matches a pattern. */
export function hostAllowed(url: URL, patterns: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port;
  return patterns.some((p) => {
    const m = /^(.*?)(?::(\d+))?$/.exec(p)!;
    const name = m[1]!;
    if (m[2] !== undefined && m[2] !== port) return false;
    if (name.startsWith('*.')) return host.endsWith(name.slice(1)) && host.length > name.length - 1;
    return host === name;
  });
}

/** The file name a Content-Disposition header gives (RFC 6266, filename* preferred), if any. */
export function dispositionName(header: string | null): string | undefined {
  if (!header) return undefined;
  try {
    const name = contentDisposition.parse(header).parameters.filename;
    return typeof name === 'string' && name ? name : undefined;
  } catch {
    // Malformed (e.g. raw UTF-8 in a quoted name): take the quoted value as it is.
    const m = /filename\s*=\s*"([^"]+)"/i.exec(header) ?? /filename\s*=\s*([^;]+)/i.exec(header);
    return m?.[1]?.trim() || undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GETs `rawUrl` within the limits; throws DownloadError. */
export async function download(rawUrl: string, o: DownloadOptions): Promise<Downloaded> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new DownloadError('host', 'download URL is not a URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !hostAllowed(url, o.allowHosts)) {
    throw new DownloadError('host', `download host ${url.hostname} is not allowed`);
  }
  const retries = o.retries ?? 2;
  const deadline = Date.now() + (o.totalMs ?? 20_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(url, { ...o, timeoutMs: Math.max(1, Math.min(o.timeoutMs, deadline - Date.now())) });
    } catch (e) {
      const err = e instanceof DownloadError ? e : new DownloadError('network', `download failed: ${(e as Error).message}`);
      const retriable = err.kind === 'network' || (err.kind === 'http' && (err.status ?? 0) >= 500);
      const delay = (o.retryDelayMs ?? 200) * 2 ** attempt;
      if (!retriable || attempt >= retries || Date.now() + delay >= deadline) throw err;
      await sleep(delay);
    }
  }
}

async function once(url: URL, o: DownloadOptions): Promise<Downloaded> {
  const init = {
    method: 'GET', redirect: 'error' as const, signal: AbortSignal.timeout(o.timeoutMs),
    ...(o.headers ? { headers: o.headers } : {}),
    maxBodyBytes: o.maxBytes,
  };
  let res: Response;
  try {
    res = await o.fetch(url.href, init as RequestInit);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new DownloadError('too_large', `file over ${o.maxBytes} bytes`);
    if (/redirect/i.test((e as Error).message)) throw new DownloadError('host', 'download redirected: refused, not followed');
    throw e;
  }
  if (res.status === 403 || res.status === 404 || res.status === 410) {
    await res.body?.cancel().catch(() => undefined);
    throw new DownloadError('expired', `download refused (HTTP ${res.status})`, res.status);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new DownloadError('http', `download failed (HTTP ${res.status})`, res.status);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > o.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new DownloadError('too_large', `file over ${o.maxBytes} bytes`);
  }
  const bytes = await readBounded(res, o.maxBytes);
  const mime = res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || undefined;
  const name = dispositionName(res.headers.get('content-disposition'));
  return { bytes, ...(mime ? { mime } : {}), ...(name ? { name } : {}) };
}

/** Reads the body, at most maxBytes + 1 bytes of it (the http client stops by itself; a stream reader stops here). */
async function readBounded(res: Response, maxBytes: number): Promise<Buffer> {
  const body = res.body as (ReadableStream<Uint8Array> & { getReader?: unknown }) | null;
  if (body && typeof body.getReader === 'function') {
    const reader = body.getReader();
    const chunks: Buffer[] = [];
    let got = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got += value.length;
      if (got > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new DownloadError('too_large', `file over ${maxBytes} bytes`);
      }
      chunks.push(Buffer.from(value));
    }
    return Buffer.concat(chunks);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > maxBytes) throw new DownloadError('too_large', `file over ${maxBytes} bytes`);
  return bytes;
}
