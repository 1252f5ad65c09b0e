import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpApp } from '../../src/http/app.js';
import { exactRoute } from '../../src/http/exact-routes.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

describe('exact routes', () => {
  it('answers the exact method and path before the router, and leaves every other spelling and method to it', async () => {
    const { app, router } = createHttpApp({ logger: silentLogger(), metrics: new Metrics(), redisPing: async () => true });
    const seen: Array<string | undefined> = [];
    exactRoute(router, 'POST', '/hook', async (ctx) => {
      // Set by @koa/router only when it dispatched the request.
      seen.push((ctx as { _matchedRoute?: string })._matchedRoute);
      ctx.status = 202;
      ctx.body = { got: ctx.path };
    });
    server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const exact = await fetch(`${url}/hook?x=1`, { method: 'POST', body: '{}' });
    expect(exact.status).toBe(202);
    expect(await exact.json()).toEqual({ got: '/hook' });
    // The router's own matching still serves what it accepts: a trailing slash, another case.
    expect((await fetch(`${url}/hook/`, { method: 'POST' })).status).toBe(202);
    expect((await fetch(`${url}/HOOK`, { method: 'POST' })).status).toBe(202);
    expect(seen).toEqual([undefined, '/hook', '/hook']);
    // Another method is the router's 405 with the methods the path has; an unknown path is a 404.
    const get = await fetch(`${url}/hook`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toContain('POST');
    expect((await fetch(`${url}/nothing`, { method: 'POST' })).status).toBe(404);
    // The app's own routes are unchanged.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
