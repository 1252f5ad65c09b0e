import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startService } from '../../src/main.js';
import { testRedisUrl } from '../helpers/redis.js';

/** Raw request with a chosen local address, to check the loopback guard reads the socket, not headers. */
function request(port: number, path: string, opts: { method?: string; body?: string; localAddress?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
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
  beforeAll(async () => {
    svc = await startService({ REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/59'), PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'silent' });
  });
  afterAll(async () => { await svc.stop(); });

  it('serves the chat page and answers through the pipeline', async () => {
    const page = await request(svc.port, '/console');
    expect(page.status).toBe(200);
    expect(page.body).toContain('整改督办机器人 · 本地控制台');
    const r = await request(svc.port, '/console/api/say', { method: 'POST', body: JSON.stringify({ as: 'owner', chat: 'demo', text: '进度' }) });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).reply.markdown).toContain('21条整改措施');
  });

  it('rejects malformed requests', async () => {
    expect((await request(svc.port, '/console/api/say', { method: 'POST', body: '{oops' })).status).toBe(400);
    expect((await request(svc.port, '/console/api/say', { method: 'POST', body: JSON.stringify({ as: 'owner' }) })).status).toBe(400);
    expect((await request(svc.port, '/console/api/say', { method: 'POST', body: 'x'.repeat(20_000) })).status).toBe(413);
  });

  it('refuses clients that are not on the loopback address, whatever X-Forwarded-For says', async () => {
    const opts = { localAddress: '127.0.0.2', headers: { 'X-Forwarded-For': '127.0.0.1' } };
    expect((await request(svc.port, '/console', opts)).status).toBe(403);
    const r = await request(svc.port, '/console/api/say', { ...opts, method: 'POST', body: JSON.stringify({ as: 'office', chat: 'demo', text: '进度' }) });
    expect(r.status).toBe(403);
  });
});
