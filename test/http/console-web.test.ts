import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startService } from '../../src/main.js';
import { testRedisUrl } from '../helpers/redis.js';

interface Res { status: number; body: string }

/** Raw request with a chosen local address and headers, so the guard sees exactly what a browser (or an attacker) sends. */
function request(port: number, path: string, opts: { method?: string; body?: string; localAddress?: string; headers?: Record<string, string> } = {}) {
  return new Promise<Res>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', localAddress: opts.localAddress, headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('the console web page', () => {
  let svc: Awaited<ReturnType<typeof startService>>;
  let token = '';
  let origin = '';
  let audit = 0;
  const events = async () => (await svc.services.ledgers.events('demo')).length;
  /** A POST as the page itself would send it; `over` replaces or removes (undefined) headers. */
  const say = (text: string, over: Record<string, string | undefined> = {}, extra: { localAddress?: string; body?: string } = {}) => {
    const headers: Record<string, string | undefined> = { 'content-type': 'application/json', 'x-console-token': token, origin, ...over };
    const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
    return request(svc.port, '/console/api/say', { method: 'POST', headers: clean, body: extra.body ?? JSON.stringify({ as: 'office', chat: 'demo', text }), localAddress: extra.localAddress });
  };

  beforeAll(async () => {
    svc = await startService({ REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/59'), PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'silent' });
    origin = `http://127.0.0.1:${svc.port}`;
    const page = await request(svc.port, '/console');
    token = /<meta name="console-token" content="([A-Za-z0-9_-]{20,})">/.exec(page.body)?.[1] ?? '';
    audit = await events();
  });
  afterAll(async () => { await svc.stop(); });

  it('serves the chat page with its token and answers a same-page POST through the pipeline', async () => {
    expect(token).not.toBe('');
    // The page's own script sends the token in the header the API checks, with a JSON content type.
    const page = await request(svc.port, '/console');
    expect(page.body).toContain("'x-console-token':document.querySelector('meta[name=console-token]').content");
    expect(page.body).toContain("'content-type':'application/json'");
    const r = await say('进度');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).reply.markdown).toContain('21条整改措施');
    // Without an Origin header (curl, older clients) the token alone suffices.
    expect((await say('进度', { origin: undefined })).status).toBe(200);
    expect((await say('进度', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // localhost is as good as 127.0.0.1.
    expect((await say('进度', { host: `localhost:${svc.port}`, origin: `http://localhost:${svc.port}` })).status).toBe(200);
  });

  it('a same-page write is applied (one audit event)', async () => {
    const before = await events();
    const r = await say('进展 二.1.1 控制台写入');
    expect(r.status).toBe(200);
    expect(await events()).toBe(before + 1);
    audit = await events();
  });

  it.each<[string, Record<string, string | undefined>, number]>([
    ['a cross-origin POST', { origin: 'https://evil.example' }, 403],
    ['an opaque (null) origin', { origin: 'null' }, 403],
    ['a cross-site fetch without Origin (Sec-Fetch-Site)', { origin: undefined, 'sec-fetch-site': 'cross-site' }, 403],
    ['a same-site subdomain fetch (Sec-Fetch-Site)', { origin: undefined, 'sec-fetch-site': 'same-site' }, 403],
    ['a DNS-rebound host name', { host: "evil.example:80", origin: undefined }, 403],
    ['a rebound host name with its own origin', { host: 'rebind.example', origin: 'http://rebind.example' }, 403],
    ['a missing token', { 'x-console-token': undefined }, 403],
    ['a wrong token', { 'x-console-token': 'x'.repeat(43) }, 403],
    ['a token of another length', { 'x-console-token': 'abc' }, 403],
    ['a form-encoded body', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['a text/plain body (the CORS-simple type)', { 'content-type': 'text/plain' }, 415],
    ['no content type', { 'content-type': undefined }, 415],
  ])('refuses %s and changes nothing', async (_what, over, status) => {
    const r = await say('进展 二.1.1 不该写入', over);
    expect(r.status).toBe(status);
    expect(r.body).not.toContain('reply');
    expect(await events()).toBe(audit);
  });

  it('the page itself is refused to a rebound host name, so its token cannot be read', async () => {
    const r = await request(svc.port, '/console', { headers: { host: 'evil.example' } });
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('console-token');
  });

  it('rejects malformed requests', async () => {
    expect((await say('', {}, { body: '{oops' })).status).toBe(400);
    expect((await say('', {}, { body: JSON.stringify({ as: 'owner' }) })).status).toBe(400);
    expect((await say('', {}, { body: 'x'.repeat(20_000) })).status).toBe(413);
  });

  it('refuses clients that are not on the loopback address, whatever X-Forwarded-For says', async () => {
    const opts = { localAddress: '127.0.0.2', headers: { 'X-Forwarded-For': '127.0.0.1' } };
    expect((await request(svc.port, '/console', opts)).status).toBe(403);
    const r = await say('进展 二.1.1 远程', { 'X-Forwarded-For': '127.0.0.1' }, { localAddress: '127.0.0.2' });
    expect(r.status).toBe(403);
    expect(await events()).toBe(audit);
  });

  it.each(['x-forwarded-for', 'x-real-ip', 'forwarded', 'via'])('refuses a loopback request that came through a local proxy (%s)', async (h) => {
    // A reverse proxy on this machine makes every remote client look local; its headers give it away.
    expect((await request(svc.port, '/console', { headers: { [h]: '203.0.113.9' } })).status).toBe(403);
    expect((await say('进展 二.1.1 经代理', { [h]: '203.0.113.9' })).status).toBe(403);
    expect(await events()).toBe(audit);
  });

  it('a new start has a new token: the old one is refused', async () => {
    const other = await startService({ REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/59'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    try {
      const r = await request(other.port, '/console/api/say', {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-console-token': token }, body: JSON.stringify({ as: 'office', chat: 'demo', text: '进度' }),
      });
      expect(r.status).toBe(403);
    } finally {
      await other.stop();
    }
  });
});
