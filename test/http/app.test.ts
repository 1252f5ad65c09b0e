import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { Server } from 'node:http';
import { createHttpApp, type HttpAccess } from '../../src/http/app.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadConfig } from '../../src/config.js';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** The real Koa app on 0.0.0.0 with an extra route that echoes what Koa thinks the client is. */
async function serve(access: HttpAccess): Promise<number> {
  const { app, router } = createHttpApp({ logger: silentLogger(), metrics: new Metrics(), redisPing: async () => true, access });
  router.get('/whoami', (ctx) => { ctx.body = { ip: ctx.ip, protocol: ctx.protocol }; });
  app.use(router.routes());
  server = await new Promise<Server>((resolve) => { const s = app.listen(0, '0.0.0.0', () => resolve(s)); });
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

function get(port: number, path: string, o: { localAddress?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, localAddress: o.localAddress, headers: o.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const REMOTE = { localAddress: '127.0.0.2' };
const TOKEN = 'metrics-token-0123456789';

describe('/metrics access', () => {
  it('answers loopback by default and refuses other addresses, whatever X-Forwarded-For says', async () => {
    const port = await serve({});
    const local = await get(port, '/metrics');
    expect(local.status).toBe(200);
    expect(local.body).toContain('rectify_');
    const remote = await get(port, '/metrics', { ...REMOTE, headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(remote.status).toBe(403);
    expect(remote.body).not.toContain('rectify_');
  });

  it('refuses a loopback request that came through a local proxy', async () => {
    const port = await serve({});
    expect((await get(port, '/metrics', { headers: { 'x-real-ip': '203.0.113.9' } })).status).toBe(403);
    expect((await get(port, '/metrics', { headers: { via: '1.1 nginx' } })).status).toBe(403);
  });

  it('METRICS_PUBLIC=1 answers anyone', async () => {
    const port = await serve({ metricsPublic: true });
    expect((await get(port, '/metrics', REMOTE)).status).toBe(200);
  });

  it('METRICS_TOKEN requires the bearer token, from loopback too', async () => {
    const port = await serve({ metricsToken: TOKEN });
    expect((await get(port, '/metrics', { ...REMOTE, headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await get(port, '/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await get(port, '/metrics', { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    expect((await get(port, '/metrics')).status).toBe(401);
  });

  it('/healthz stays open to load balancers', async () => {
    const port = await serve({});
    expect((await get(port, '/healthz', REMOTE)).status).toBe(200);
  });
});

describe('proxy headers', () => {
  const spoof = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' };
  it('are ignored unless TRUST_PROXY=1', async () => {
    const port = await serve({});
    expect(JSON.parse((await get(port, '/whoami', { headers: spoof })).body)).toEqual({ ip: '127.0.0.1', protocol: 'http' });
  });
  it('are honoured with TRUST_PROXY=1', async () => {
    const port = await serve({ trustProxy: true });
    expect(JSON.parse((await get(port, '/whoami', { headers: spoof })).body)).toEqual({ ip: '203.0.113.9', protocol: 'https' });
  });
});

describe('config keys', () => {
  const base = { REDIS_URL: 'redis://127.0.0.1:6379' };
  it('default to no proxy trust and private metrics', () => {
    const c = loadConfig(base);
    expect([c.TRUST_PROXY, c.METRICS_PUBLIC, c.METRICS_TOKEN]).toEqual(['0', '0', undefined]);
  });
  it('name a bad value', () => {
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'yes', METRICS_TOKEN: 'short' })).toThrow(/TRUST_PROXY[\s\S]*METRICS_TOKEN|METRICS_TOKEN[\s\S]*TRUST_PROXY/);
    expect(() => loadConfig({ ...base, CONSOLE_WEB: 'open' })).toThrow(/CONSOLE_WEB: must be local or off/);
  });
});
