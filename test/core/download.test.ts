import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError, dispositionName, download, hostAllowed, parseHostList } from '../../src/core/download.js';
import { BodyTooLargeError, createHttpClient } from '../../src/core/http-client.js';

/** A local HTTP server whose routes stand for a media host; it counts what it wrote and whether the client hung up early. */
describe('bounded downloads', () => {
  let server: Server;
  let base: string;
  const http = createHttpClient();
  const seen: { path: string; headers: Record<string, unknown> }[] = [];
  let written = 0;
  let aborted = 0;
  let fail = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      seen.push({ path, headers: { ...req.headers } });
      if (path.startsWith('/flaky') && fail > 0) {
        fail--;
        return void res.writeHead(503).end();
      }
      if (path === '/hang') return; // never answers
      if (path === '/redirect') return void res.writeHead(302, { Location: '/ok' }).end();
      if (path === '/gone') return void res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>');
      if (path === '/bad') return void res.writeHead(400).end();
      if (path.startsWith('/stream')) {
        // 32 MiB (/stream) or 1 MiB in 64 KiB chunks, no Content-Length: only reading tells the size.
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 1);
        let left = path === '/stream' ? 512 : 16;
        res.on('close', () => { if (left > 0) aborted++; });
        const pump = () => {
          while (left > 0) {
            left--;
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      res.writeHead(200, { 'Content-Type': 'image/png; charset=binary', 'Content-Disposition': "attachment; filename=\"a.png\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA.png" });
      res.end(Buffer.from('hello'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    http.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const opts = (o: Partial<Parameters<typeof download>[1]> = {}) => ({ fetch: http, allowHosts: ['127.0.0.1'], maxBytes: 1024, timeoutMs: 2_000, retryDelayMs: 1, ...o });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e instanceof DownloadError ? e.kind : `not a DownloadError: ${String(e)}`;
    }
    return 'resolved';
  };

  it('reads body, type and RFC 6266 name, sending no headers of its own', async () => {
    const d = await download(`${base}/ok`, opts());
    expect(d).toEqual({ bytes: Buffer.from('hello'), mime: 'image/png', name: '现场.png' });
    expect(seen.at(-1)!.headers['content-type']).toBeUndefined();
  });

  it('stops reading a body over the limit instead of downloading it whole', async () => {
    written = 0;
    aborted = 0;
    expect(await failure(download(`${base}/stream`, opts({ maxBytes: 100 * 1024 })))).toBe('too_large');
    for (let i = 0; i < 400 && aborted === 0; i++) await new Promise((r) => setTimeout(r, 5));
    // The client hung up: the server never got to write the whole 32 MiB (socket buffers hold a few MiB at most).
    expect(aborted).toBe(1);
    expect(written).toBeLessThan(32 * 1024 * 1024);
  });

  it('the http client alone rejects with BodyTooLargeError past maxBodyBytes', async () => {
    await expect(http(`${base}/stream2`, { maxBodyBytes: 1000 } as RequestInit)).rejects.toBeInstanceOf(BodyTooLargeError);
    // Without the limit the same body is read whole.
    expect((await (await http(`${base}/stream3`)).arrayBuffer()).byteLength).toBe(1024 * 1024);
  });

  it('retries 5xx a bounded number of times', async () => {
    const before = seen.length;
    fail = 2;
    expect((await download(`${base}/flaky1`, opts())).bytes.toString()).toBe('hello');
    expect(seen.length - before).toBe(3);
    fail = 5;
    expect(await failure(download(`${base}/flaky2`, opts({ retries: 2 })))).toBe('http');
    fail = 0;
  });

  it('keeps all attempts within totalMs: a hanging host is tried once when its timeout uses the budget up', async () => {
    const before = seen.length;
    expect(await failure(download(`${base}/hang`, opts({ timeoutMs: 5_000, totalMs: 150 })))).toBe('network');
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/hang']);
  });

  it('refuses hosts off the list without a request, redirects without following, and names 403 as expired', async () => {
    const before = seen.length;
    expect(await failure(download(`${base.replace('127.0.0.1', 'localhost')}/ok`, opts()))).toBe('host');
    expect(await failure(download('file:///etc/passwd', opts({ allowHosts: ['*'] })))).toBe('host');
    expect(seen.length).toBe(before);
    expect(await failure(download(`${base}/redirect`, opts()))).toBe('host');
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/redirect']);
    expect(await failure(download(`${base}/gone`, opts()))).toBe('expired');
    expect(await failure(download(`${base}/bad`, opts()))).toBe('http');
  });

  it('matches host patterns: exact, *.domain (subdomains only), with a port', () => {
    const u = (s: string) => new URL(s);
    expect(hostAllowed(u('https://static.dingtalk.com/x'), ['*.dingtalk.com'])).toBe(true);
    expect(hostAllowed(u('https://a.b.aliyuncs.com/x'), ['*.aliyuncs.com'])).toBe(true);
    expect(hostAllowed(u('https://dingtalk.com/x'), ['*.dingtalk.com'])).toBe(false);
    expect(hostAllowed(u('https://evildingtalk.com/x'), ['*.dingtalk.com'])).toBe(false);
    expect(hostAllowed(u('https://dingtalk.com.evil.io/x'), ['*.dingtalk.com'])).toBe(false);
    expect(hostAllowed(u('http://127.0.0.1:8080/x'), ['127.0.0.1:8080'])).toBe(true);
    expect(hostAllowed(u('http://127.0.0.1:8081/x'), ['127.0.0.1:8080'])).toBe(false);
    expect(parseHostList(' A.com, *.b.com  c.com ', ['d.com'])).toEqual(['a.com', '*.b.com', 'c.com']);
    expect(parseHostList('', ['d.com'])).toEqual(['d.com']);
  });

  it('reads file names from Content-Disposition, also malformed ones', () => {
    expect(dispositionName('attachment; filename="report.pdf"')).toBe('report.pdf');
    expect(dispositionName("attachment; filename*=UTF-8''%E9%80%9A%E7%9F%A5.pdf")).toBe('通知.pdf');
    expect(dispositionName('attachment; filename="通知 final.docx"')).toBe('通知 final.docx');
    expect(dispositionName(null)).toBeUndefined();
    expect(dispositionName('inline')).toBeUndefined();
  });
});
