import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Metrics } from '../core/metrics.js';

/** The Koa app: health and metrics here; adapters add their routes to `router`. */
export function createHttpApp(deps: { logger: Logger; metrics: Metrics; redisPing: () => Promise<boolean> }) {
  const app = new Koa();
  const router = new Router();
  app.proxy = true;
  app.on('error', (err, ctx) => deps.logger.warn({ err: err?.message, path: ctx?.path }, 'http error'));
  router.get('/healthz', async (ctx) => {
    const ok = await deps.redisPing().catch(() => false);
    ctx.status = ok ? 200 : 503;
    ctx.body = ok ? { status: 'ok', redis: 'ok' } : { status: 'degraded', redis: 'down' };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, router };
}
