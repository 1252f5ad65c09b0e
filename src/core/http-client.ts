import http from 'node:http';
import https from 'node:https';

/**
 * The outbound HTTP client for platform calls (sessionWebhook, OpenAPI, WeCom
 * API, response_url): the subset of `fetch` the adapters use, on `node:http`
 * with one keep-alive Agent per protocol (sockets are pooled per host by the
 * Agent). Node's built-in fetch (undici) costs several times the CPU of a
 * plain `node:http` request through a kept-alive socket, and a chat answer is
 * one such request, so the hot path uses this; tests inject it the same way.
 *
 * Supported: method, headers, string/Buffer body, `signal` (abort and
 * `AbortSignal.timeout`, rejecting with the signal's reason like fetch),
 * `redirect: 'manual' | 'error'` ('follow' is treated as 'error': platform
 * calls never follow redirects). The response has status, ok, statusText,
 * headers.get, text(), json(), arrayBuffer() and body.cancel().
 * Downloads may pass `maxBodyBytes` (ignored by other fetch implementations):
 * a body over it is not read further and the call rejects with BodyTooLargeError.
 * Callers that only want a deadline may pass `timeoutMs` instead of a signal
 * (check `acceptsTimeoutMs(fetchFn)` first: other fetch implementations ignore
 * it): one timer, no AbortController; past it the request is destroyed and the
 * call rejects with HttpTimeoutError (name 'TimeoutError', as for `AbortSignal.timeout`).
 */
export interface KeepAliveOptions {
  /** Idle sockets kept per host (default 16). */
  maxFreeSockets?: number;
  /** Concurrent sockets per host (default 64). */
  maxSockets?: number;
}

type FetchInit = {
  method?: string;
  headers?: Record<string, string> | Array<[string, string]>;
  body?: string | Buffer | Uint8Array | null;
  signal?: AbortSignal | null;
  redirect?: 'follow' | 'manual' | 'error';
  /** Extension (downloads): stop reading past this many body bytes and reject with BodyTooLargeError. */
  maxBodyBytes?: number;
  /** Extension: the whole call (a reused-socket retry included) must end within this many ms, else HttpTimeoutError. */
  timeoutMs?: number;
};

/** A response body longer than the caller's `maxBodyBytes`: reading stopped at the first byte over. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body over ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The call's `timeoutMs` passed before the response was read: the request was destroyed. */
export class HttpTimeoutError extends Error {
  constructor(readonly ms: number) {
    super('The operation was aborted due to timeout');
    this.name = 'TimeoutError';
  }
}

/** The clients createHttpClient made: the fetch functions that honour the `timeoutMs` extension. */
const ownClients = new WeakSet<object>();

/** True when `fetchFn` is this module's client, so it takes `timeoutMs` (others would ignore it). */
export function acceptsTimeoutMs(fetchFn: unknown): boolean {
  return typeof fetchFn === 'function' && ownClients.has(fetchFn);
}

/** A response shaped like fetch's, over a fully read body. */
class SmallResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  readonly headers: { get(name: string): string | null; has(name: string): boolean };
  readonly body: { cancel(): Promise<void> } | null;

  constructor(readonly status: number, readonly statusText: string, private readonly raw: http.IncomingHttpHeaders, private readonly data: Buffer, readonly url: string) {
    this.ok = status >= 200 && status < 300;
    this.headers = {
      get: (n) => { const v = raw[n.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v); },
      has: (n) => raw[n.toLowerCase()] !== undefined,
    };
    this.body = { cancel: async () => undefined };
  }

  async text(): Promise<string> { return this.data.toString('utf8'); }
  async json(): Promise<unknown> { return JSON.parse(this.data.toString('utf8')); }
  async arrayBuffer(): Promise<ArrayBuffer> { return this.data.buffer.slice(this.data.byteOffset, this.data.byteOffset + this.data.byteLength) as ArrayBuffer; }
}

function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** Creates the client; `close()` destroys its pooled sockets (tests, shutdown). */
export function createHttpClient(o: KeepAliveOptions = {}): typeof fetch & { close(): void } {
  const agentOpts = { keepAlive: true, maxFreeSockets: o.maxFreeSockets ?? 16, maxSockets: o.maxSockets ?? 64, scheduling: 'lifo' as const };
  const agents = { 'http:': new http.Agent(agentOpts), 'https:': new https.Agent(agentOpts) };

  const request = (input: string | URL, init: FetchInit = {}): Promise<SmallResponse> => new Promise((resolve, reject) => {
    const url = typeof input === 'string' ? new URL(input) : input;
    const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!lib) return reject(new TypeError(`unsupported protocol ${url.protocol}`));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(abortReason(signal));
    const headers: Record<string, string> = Array.isArray(init.headers) ? Object.fromEntries(init.headers) : { ...(init.headers ?? {}) };
    // A string body stays a string: Node then writes it and the header block as one string (one write, no Buffer made here).
    const body = init.body == null ? undefined : typeof init.body === 'string' ? init.body : Buffer.from(init.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    }
    // The request's options from the URL, as node:http's urlToHttpOptions makes them, without its copy of every URL field.
    const host = url.hostname;
    const reqOpts: http.RequestOptions = {
      protocol: url.protocol,
      hostname: host.charCodeAt(0) === 0x5b /* [ */ ? host.slice(1, -1) : host,
      path: url.pathname + url.search,
      method: init.method ?? 'GET',
      headers,
      agent: agents[url.protocol as 'http:' | 'https:'],
    };
    if (url.port !== '') reqOpts.port = Number(url.port);
    if (url.username || url.password) reqOpts.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    const max = init.maxBodyBytes;
    // The request in flight: the first, or the one retry on a fresh socket.
    let req: http.ClientRequest;
    let done = false;
    const fail = (e: unknown) => { if (done) return; done = true; cleanup(); reject(e); };
    const onAbort = () => { req.destroy(); fail(abortReason(signal!)); };
    const timer = init.timeoutMs === undefined ? undefined : setTimeout(() => { req.destroy(); fail(new HttpTimeoutError(init.timeoutMs!)); }, init.timeoutMs);
    const cleanup = () => { if (timer !== undefined) clearTimeout(timer); signal?.removeEventListener('abort', onAbort); };
    const send = (retried: boolean) => {
      req = lib.request(reqOpts, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && init.redirect !== 'manual') {
          res.resume();
          return fail(new TypeError('fetch failed: redirect refused'));
        }
        const chunks: Buffer[] = [];
        let got = 0;
        res.on('data', (c: Buffer) => {
          if (done) return;
          got += c.length;
          if (max !== undefined && got > max) {
            fail(new BodyTooLargeError(max));
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        res.once('end', () => {
          if (done) return;
          done = true;
          cleanup();
          resolve(new SmallResponse(status, res.statusMessage ?? '', res.headers, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), url.href));
        });
        res.once('error', fail);
      });
      req.once('error', (e: NodeJS.ErrnoException) => {
        if (done) return; // already settled: the body was cut off on purpose, or the call was aborted or timed out
        // A kept-alive socket the server closed just as we reused it: the request never reached it,
        // so one retry on a fresh socket is safe (Node's documented `reusedSocket` pattern).
        if (!retried && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return send(true);
        fail(Object.assign(new TypeError('fetch failed'), { cause: e }));
      });
      req.end(body);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    send(false);
  });

  const client = ((input: string | URL | Request, init?: RequestInit) => {
    if (typeof input !== 'string' && !(input instanceof URL)) return Promise.reject(new TypeError('http client: pass a URL string'));
    return request(input, init as FetchInit) as unknown as Promise<Response>;
  }) as typeof fetch & { close(): void };
  client.close = () => { agents['http:'].destroy(); agents['https:'].destroy(); };
  ownClients.add(client);
  return client;
}
