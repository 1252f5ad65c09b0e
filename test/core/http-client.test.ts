import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsTimeoutMs, createHttpClient, HttpTimeoutError } from '../../src/core/http-client.js';

let server: Server;
let base: string;
const sockets = new Set<Socket>();
let seenSockets = 0;
const routes: Record<string, (req: IncomingMessage, body: string, res: ServerResponse) => void> = {
  '/echo': (req, body, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ method: req.method, body, ct: req.headers['content-type'] ?? null, len: req.headers['content-length'] ?? null })); },
  '/errcode': (_q, _b, res) => { res.writeHead(200); res.end('{"errcode":130101,"errmsg":"send too fast"}'); },
  '/redirect': (_q, _b, res) => { res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }); res.end(); },
  '/slow': (_q, _b, res) => { setTimeout(() => { res.writeHead(200); res.end('late'); }, 2_000); },
  // Headers at once, the rest of the body only after 2 s.
  '/stall-body': (_q, _b, res) => { res.writeHead(200, { 'content-length': '20' }); res.write('0123456789'); setTimeout(() => res.end('0123456789'), 2_000); },
  '/500': (_q, _b, res) => { res.writeHead(500); res.end('boom'); },
  '/seen': (req, body, res) => { res.writeHead(200); res.end(JSON.stringify({ url: req.url, auth: req.headers.authorization ?? null, host: req.headers.host, len: req.headers['content-length'] ?? null, body })); },
  '/中文': (_q, _b, res) => { res.writeHead(200); res.end('整改进度：完成率95%'); },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => (routes[decodeURIComponent(new URL(req.url!, 'http://x').pathname)] ?? ((_a, _b, r) => { r.writeHead(404); r.end(); }))(req, body, res));
  });
  server.on('connection', (s) => { seenSockets++; sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

describe('outbound HTTP client (node:http, keep-alive)', () => {
  it('POSTs JSON and reads the body, status and headers like fetch', async () => {
    const c = createHttpClient();
    const res = await c(`${base}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ 问题: '二.3' }) });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(await res.json()).toEqual({ method: 'POST', body: '{"问题":"二.3"}', ct: 'application/json', len: String(Buffer.byteLength('{"问题":"二.3"}')) });
    c.close();
  });

  it('sends the path and query, the userinfo as Basic auth, and a string body byte for byte', async () => {
    const c = createHttpClient();
    const port = new URL(base).port;
    const body = `{"t":"整改\ud800 ok"}`; // a lone surrogate goes out as U+FFFD, counted as such
    const r = (await (await c(`http://us%40er:p%3Ass@127.0.0.1:${port}/seen?session=a%20b&x=1#frag`, { method: 'POST', body })).json()) as Record<string, string>;
    expect(r).toEqual({
      url: '/seen?session=a%20b&x=1', auth: `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`, host: `127.0.0.1:${port}`,
      len: String(Buffer.byteLength(body)), body: Buffer.from(body).toString('utf8'),
    });
    c.close();
  });

  it('reaches an IPv6 literal host', async () => {
    const v6 = createServer((req, res) => { res.end(`${req.headers.host} ${req.url}`); });
    await new Promise<void>((r) => v6.listen(0, '::1', r));
    const port = (v6.address() as AddressInfo).port;
    const c = createHttpClient();
    try {
      expect(await (await c(`http://[::1]:${port}/x?y=1`)).text()).toBe(`[::1]:${port} /x?y=1`);
    } finally {
      c.close();
      await new Promise((r) => v6.close(r));
    }
  });

  it('keeps one socket alive across sequential calls to one host', async () => {
    const c = createHttpClient();
    const before = seenSockets;
    for (let i = 0; i < 20; i++) expect((await c(`${base}/errcode`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(seenSockets - before).toBe(1);
    c.close();
  });

  it('hands back errcode bodies on HTTP 200 and 5xx bodies for the caller to judge', async () => {
    const c = createHttpClient();
    expect(await (await c(`${base}/errcode`, { method: 'POST', body: '{}' })).json()).toEqual({ errcode: 130101, errmsg: 'send too fast' });
    const r500 = await c(`${base}/500`);
    expect([r500.status, r500.ok, await r500.text()]).toEqual([500, false, 'boom']);
    expect(await (await c(`${base}/${encodeURIComponent('中文')}`)).text()).toBe('整改进度：完成率95%');
    c.close();
  });

  it('never follows a redirect: "manual" returns the 3xx, anything else rejects', async () => {
    const c = createHttpClient();
    const manual = await c(`${base}/redirect`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    await expect(c(`${base}/redirect`, { redirect: 'error' })).rejects.toThrow(TypeError);
    await expect(c(`${base}/redirect`)).rejects.toThrow(/redirect refused/);
    c.close();
  });

  it('rejects like fetch on a timeout signal and on a refused connection', async () => {
    const c = createHttpClient();
    const err = await c(`${base}/slow`, { signal: AbortSignal.timeout(100) }).catch((e: Error) => e);
    expect((err as Error).name).toBe('TimeoutError');
    const ac = new AbortController();
    const p = c(`${base}/slow`, { signal: ac.signal });
    ac.abort();
    expect(((await p.catch((e: Error) => e)) as Error).name).toBe('AbortError');
    const refused = await c('http://127.0.0.1:1/', {}).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(TypeError);
    c.close();
  });

  it('retries once on a fresh socket when the server dropped the kept-alive one as it was reused', async () => {
    let requests = 0;
    const perSocket = new WeakMap<Socket, number>();
    const dropping = createServer((req, res) => {
      requests++;
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // The second request on a socket: the server has given the socket up (its keep-alive timeout).
      if (n >= 2) { req.socket.destroy(); return; }
      req.resume();
      req.on('end', () => { res.writeHead(200); res.end('ok'); });
    });
    await new Promise<void>((r) => dropping.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(dropping.address() as AddressInfo).port}/`;
    const c = createHttpClient();
    try {
      expect(await (await c(url, { method: 'POST', body: '{}' })).text()).toBe('ok');
      expect(await (await c(url, { method: 'POST', body: '{}' })).text()).toBe('ok');
      expect(requests).toBe(3); // the dropped attempt, then the retry on a new socket
    } finally {
      c.close();
      dropping.closeAllConnections();
      await new Promise((r) => dropping.close(r));
    }
  });

  describe('the timeoutMs extension (one timer, no AbortController)', () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

    it('is honoured by this client only', () => {
      const c = createHttpClient();
      expect(acceptsTimeoutMs(c)).toBe(true);
      expect(acceptsTimeoutMs(globalThis.fetch)).toBe(false);
      expect(acceptsTimeoutMs(undefined)).toBe(false);
      c.close();
    });

    it('rejects with a TimeoutError when no answer comes in time, and the request is dropped', async () => {
      const c = createHttpClient();
      const closed = new Promise<void>((r) => server.once('request', (req: IncomingMessage) => req.socket.once('close', () => r())));
      const t0 = performance.now();
      const err = await c(`${base}/slow`, { timeoutMs: 100 } as RequestInit).catch((e: Error) => e);
      expect(err).toBeInstanceOf(HttpTimeoutError);
      expect((err as Error).name).toBe('TimeoutError');
      expect(performance.now() - t0).toBeLessThan(1_500);
      // The socket is destroyed at once, not left waiting for the late answer (at 2 s, then kept alive 5 s more).
      expect(await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 1_000))])).toBe('closed');
      c.close();
    });

    it('counts until the body is read, not only until the headers', async () => {
      const c = createHttpClient();
      const err = await c(`${base}/stall-body`, { timeoutMs: 150 } as RequestInit).catch((e: Error) => e);
      expect((err as Error).name).toBe('TimeoutError');
      c.close();
    });

    it('leaves no timer behind once answered, refused or failed', async () => {
      const c = createHttpClient();
      const before = timeouts();
      expect(await (await c(`${base}/echo`, { method: 'POST', body: '{}', timeoutMs: 60_000 } as RequestInit)).json()).toMatchObject({ body: '{}' });
      expect(await c(`${base}/redirect`, { timeoutMs: 60_000 } as RequestInit).catch((e: Error) => e)).toBeInstanceOf(TypeError);
      expect(await c('http://127.0.0.1:1/', { timeoutMs: 60_000 } as RequestInit).catch((e: Error) => e)).toBeInstanceOf(TypeError);
      expect(timeouts()).toBe(before);
      c.close();
    });

    it('works beside a signal: whichever comes first ends the call', async () => {
      const c = createHttpClient();
      const ac = new AbortController();
      const p = c(`${base}/slow`, { signal: ac.signal, timeoutMs: 60_000 } as RequestInit);
      ac.abort();
      expect(((await p.catch((e: Error) => e)) as Error).name).toBe('AbortError');
      const q = await c(`${base}/slow`, { signal: AbortSignal.timeout(60_000), timeoutMs: 100 } as RequestInit).catch((e: Error) => e);
      expect(q).toBeInstanceOf(HttpTimeoutError);
      c.close();
    });
  });
});
