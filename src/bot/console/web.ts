import { randomBytes, randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { PLATFORMS, type IncomingMessage, type Reply } from '../../core/message.js';
import { consolePage, type ConsoleChat, type ConsoleUser } from './page.js';
import { safeEqual } from '../../core/safe-equal.js';
import { checkConsoleRequest } from './guard.js';

const saySchema = z.object({
  as: z.string().min(1).max(64),
  /** The speaker's platform (a directory user of any platform may be picked); default console. */
  platform: z.enum(PLATFORMS).default('console'),
  chat: z.string().min(1).max(64),
  text: z.string().min(1).max(4000),
});

/** The header the page sends its per-start token in. */
export const CONSOLE_TOKEN_HEADER = 'x-console-token';

/**
 * The console adapter's web page: a local chat with the bot in a browser, on
 * the same pipeline as every platform. Anyone using it may speak as any
 * user of the directory (of any platform), so it answers only a local
 * browser (see checkConsoleRequest), and every POST must carry the random token embedded in the page at this
 * start and be `application/json` (a cross-site form cannot send either).
 * Refusals are bare 403/415 answers that change nothing. CONSOLE_WEB=off
 * removes the routes.
 */
export function registerConsoleWeb(
  router: Router,
  deps: {
    handle(m: IncomingMessage): Promise<Reply | null>; mode: 'local' | 'off'; token?: string;
    /** The directory's users and bound chats for the page's menus (read on each page load). */
    directory?: () => Promise<{ users: ConsoleUser[]; chats: ConsoleChat[] }>;
  },
): void {
  if (deps.mode === 'off') return;
  const token = deps.token ?? randomBytes(32).toString('base64url');
  const refuse = (ctx: Context, status: 403 | 415) => {
    ctx.status = status;
    ctx.body = status === 403 ? 'Forbidden' : 'Unsupported Media Type';
  };
  router.get('/console', async (ctx) => {
    if (checkConsoleRequest(ctx.req)) return refuse(ctx, 403);
    const dir = await deps.directory?.().catch(() => undefined);
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.body = consolePage(token, dir ?? {});
  });
  router.post('/console/api/say', async (ctx) => {
    if (checkConsoleRequest(ctx.req)) return refuse(ctx, 403);
    if (ctx.is('application/json') !== 'application/json') return refuse(ctx, 415);
    if (!safeEqual(ctx.get(CONSOLE_TOKEN_HEADER) || undefined, token)) return refuse(ctx, 403);
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
      platform: p.data.platform, chatId: p.data.chat, chatType: 'group', messageId: randomUUID(), senderId: p.data.as, text: p.data.text,
    });
    ctx.body = { reply };
  });
}

/** The page's menus from the directory: every user (at most 2,000) with their role, every bound chat. */
export async function consoleMenus(dir: {
  listUsers(): Promise<Array<{ platform: string; userId: string; name: string; department: string; role: string; ledgers?: Record<string, string>; admin?: boolean }>>;
  listBindings(): Promise<Array<{ platform: string; chatId: string; ledgerId: string }>>;
}): Promise<{ users: ConsoleUser[]; chats: ConsoleChat[] }> {
  const [users, chats] = await Promise.all([dir.listUsers(), dir.listBindings()]);
  return {
    users: users.slice(0, 2000).map((u) => ({
      platform: u.platform, userId: u.userId, name: u.name, department: u.department,
      // One ledger's role when the user has just one; else the all-ledgers role.
      role: u.admin ? 'office' : Object.keys(u.ledgers ?? {}).length === 1 ? Object.values(u.ledgers!)[0] : u.role,
    })),
    chats: chats.map((c) => ({ platform: c.platform, chatId: c.chatId, ledgerId: c.ledgerId })),
  };
}
