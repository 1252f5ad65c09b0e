import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { z } from 'zod';
import type { IncomingMessage, Reply } from '../../core/message.js';
import { CONSOLE_PAGE } from './page.js';

const saySchema = z.object({
  as: z.string().min(1).max(64),
  chat: z.string().min(1).max(64),
  text: z.string().min(1).max(4000),
});

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The console adapter's web page: a local chat with the bot in a browser, on
 * the same pipeline as every platform. Anyone using it may speak as any
 * console user, so it answers loopback clients only (the socket address, not
 * X-Forwarded-For) unless CONSOLE_WEB=open; CONSOLE_WEB=off removes it.
 */
export function registerConsoleWeb(
  router: Router,
  deps: { handle(m: IncomingMessage): Promise<Reply | null>; mode: 'local' | 'open' | 'off' },
): void {
  if (deps.mode === 'off') return;
  const allowed = (remote: string | undefined) => deps.mode === 'open' || (remote !== undefined && LOOPBACK.has(remote));
  router.get('/console', (ctx) => {
    if (!allowed(ctx.req.socket.remoteAddress)) { ctx.status = 403; return; }
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'");
    ctx.body = CONSOLE_PAGE;
  });
  router.post('/console/api/say', async (ctx) => {
    if (!allowed(ctx.req.socket.remoteAddress)) { ctx.status = 403; return; }
    let raw = '';
    for await (const chunk of ctx.req) {
      raw += chunk;
      if (raw.length > 16_384) { ctx.status = 413; return; }
    }
    let body: unknown;
    try { body = JSON.parse(raw); } catch { ctx.status = 400; ctx.body = { error: 'invalid JSON' }; return; }
    const p = saySchema.safeParse(body);
    if (!p.success) { ctx.status = 400; ctx.body = { error: 'expected {as, chat, text}' }; return; }
    const reply = await deps.handle({
      platform: 'console', chatId: p.data.chat, chatType: 'group', messageId: randomUUID(), senderId: p.data.as, text: p.data.text,
    });
    ctx.body = { reply };
  });
}
