import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../../../src/bot/dingtalk/http.js';
import { createHttpClient } from '../../../src/core/http-client.js';
import { SendError } from '../../../src/core/sender.js';

let server: http.Server;
let base: string;
const seen: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body });
      if (req.url === '/slow') { setTimeout(() => { res.writeHead(200); res.end('{"errcode":0}'); }, 2_000); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = createHttpClient();
afterAll(() => client.close());

// The shared client keeps the deadline itself (timeoutMs); any other fetch gets an AbortController.
describe.each([
  ['the shared keep-alive client', () => client],
  ['a plain fetch', () => globalThis.fetch],
])('postJson through %s', (_name, fetchFn) => {
  it('posts the JSON with its headers and hands back the parsed answer', async () => {
    const r = await postJson(fetchFn(), `${base}/ok?session=s1`, { msgtype: 'text', text: { content: '整改进度' } }, { timeoutMs: 2_000, headers: { 'x-acs-dingtalk-access-token': 't' } });
    expect(r).toEqual({ status: 200, body: { errcode: 0, errmsg: 'ok' } });
    const last = seen.at(-1)!;
    expect(last.body).toBe('{"msgtype":"text","text":{"content":"整改进度"}}');
    expect([last.headers['content-type'], last.headers.accept, last.headers['x-acs-dingtalk-access-token']]).toEqual(['application/json', 'application/json', 't']);
    expect(Number(last.headers['content-length'])).toBe(Buffer.byteLength(last.body));
  });

  it('turns no answer within timeoutMs into SendError retry/timeout, without waiting for the late answer', async () => {
    const t0 = performance.now();
    const e = await postJson(fetchFn(), `${base}/slow`, {}, { timeoutMs: 150 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SendError);
    expect([(e as SendError).kind, (e as SendError).code]).toEqual(['retry', 'timeout']);
    expect(performance.now() - t0).toBeLessThan(1_500);
  });

  it('turns a refused connection into SendError retry/network', async () => {
    const e = await postJson(fetchFn(), 'http://127.0.0.1:1/robot/send', {}, { timeoutMs: 2_000 }).catch((x: unknown) => x);
    expect([(e as SendError).kind, (e as SendError).code]).toEqual(['retry', 'network']);
  });
});
