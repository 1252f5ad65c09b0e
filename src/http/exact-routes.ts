import type Router from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';

/**
 * Routes answered before the router runs, found by one Map lookup on the exact
 * method and path. @koa/router matches every layer's regexp and composes a new
 * chain per request (a few µs of a callback in profiles); a hot fixed route such
 * as a platform callback does not need either. The route is registered on the
 * router as well, so any other spelling it accepts (a trailing slash, other
 * case) and the 405 of another method stay the router's. Router-level middleware
 * (`router.use`) does not run for the exact method and path: such a route must
 * not rely on it (none is used on the app's router).
 */
type Handler = (ctx: ParameterizedContext) => Promise<void> | void;

const exact = new WeakMap<Router, Map<string, Handler>>();

/** `router.post(path, handler)` (or another method) that `exactRoutes(router)` answers without the router. */
export function exactRoute(router: Router, method: 'GET' | 'POST', path: string, handler: Handler): void {
  let routes = exact.get(router);
  if (!routes) exact.set(router, (routes = new Map()));
  routes.set(`${method} ${path}`, handler);
  if (method === 'POST') router.post(path, (ctx) => handler(ctx));
  else router.get(path, (ctx) => handler(ctx));
}

/** Middleware to put before `router.routes()`: answers the router's exact routes itself. */
export function exactRoutes(router: Router): Middleware {
  return (ctx, next) => {
    const h = exact.get(router)?.get(`${ctx.method} ${ctx.path}`);
    return h ? Promise.resolve(h(ctx)) : next();
  };
}
