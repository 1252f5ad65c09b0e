import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Metrics } from '../core/metrics.js';
import { safeEqual } from '../core/safe-equal.js';
import { isLocalRequest } from '../core/local-request.js';
import { exactRoutes } from './exact-routes.js';

/** Who may reach the HTTP surface, from TRUST_PROXY / METRICS_PUBLIC / METRICS_TOKEN. */
export interface HttpAccess {
  /** Honour X-Forwarded-* (only behind a proxy you run: otherwise any client can claim any address). */
  trustProxy?: boolean;
  /** Serve /metrics to anyone (behind your own network controls). */
  metricsPublic?: boolean;
  /** Serve /metrics to any client presenting `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

/**
 * Whether a /metrics request may be answered: with a token configured, only
 * with that bearer token (constant-time); else when public; else from the
 * loopback socket address only, and not through a proxy (never X-Forwarded-For).
 */
export function metricsAllowed(access: HttpAccess, local: boolean, authorization: string | undefined): boolean {
  if (access.metricsToken) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return safeEqual(m?.[1], access.metricsToken);
  }
  return !!access.metricsPublic || local;
}

/** The Koa app: health and metrics here; adapters add their routes to `router`. */
export function createHttpApp(deps: { logger: Logger; metrics: Metrics; redisPing: () => Promise<boolean>; access?: HttpAccess }) {
  const access = deps.access ?? {};
  const app = new Koa();
  const router = new Router();
  app.proxy = access.trustProxy === true;
  app.on('error', (err, ctx) => deps.logger.warn({ err: err?.message, path: ctx?.path }, 'http error'));
  router.get('/healthz', async (ctx) => {
    const ok = await deps.redisPing().catch(() => false);
    ctx.status = ok ? 200 : 503;
    ctx.body = ok ? { status: 'ok', redis: 'ok' } : { status: 'degraded', redis: 'down' };
  });
  router.get('/metrics', async (ctx) => {
    if (!metricsAllowed(access, isLocalRequest(ctx.req), ctx.get('authorization') || undefined)) {
      ctx.status = access.metricsToken ? 401 : 403;
      if (access.metricsToken) ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = access.metricsToken ? 'Unauthorized' : 'Forbidden';
      return;
    }
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  // Hot fixed routes (a platform callback, see exact-routes.ts) first, without the router's matching.
  app.use(exactRoutes(router));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, router };
}
