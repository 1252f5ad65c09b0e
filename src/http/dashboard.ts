import type Router from '@koa/router';
import type { Services } from '../commands/types.js';
import { verifyLink } from '../core/signed-link.js';
import { buildDigestModel, daysLeft } from '../schedule/digest-model.js';
import { shanghaiDate } from '../ledger/dates.js';
import { renderDashboard } from './dashboard-page.js';

const DENIED: Record<string, string> = {
  malformed: '链接不完整，请从群里的整改通报重新打开。',
  bad_signature: '链接无效，请从群里的整改通报重新打开。',
  expired: '链接已过期，请打开最近一期整改通报中的链接。',
};

/**
 * GET /dashboard?ledger&exp&sig — one ledger's read-only dashboard, opened
 * from the signed link in a digest. Ledgers are sensitive: no valid signature,
 * no content.
 */
export function registerDashboard(router: Router, services: Services, secret: () => Promise<string>): void {
  router.get('/dashboard', async (ctx) => {
    const q = ctx.query as Record<string, string | undefined>;
    const now = services.clock.now();
    const check = verifyLink(await secret(), { ledger: q.ledger, exp: q.exp, sig: q.sig }, Math.floor(now.getTime() / 1000));
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Robots-Tag', 'noindex');
    ctx.type = 'text/html; charset=utf-8';
    if (check !== 'ok') {
      ctx.status = 403;
      ctx.body = `<!doctype html><meta charset="utf-8"><p>${DENIED[check]}</p>`;
      return;
    }
    const doc = await services.ledgers.loadDoc(q.ledger!);
    if (!doc) {
      ctx.status = 404;
      ctx.body = '<!doctype html><meta charset="utf-8"><p>台账不存在。</p>';
      return;
    }
    const since = new Date(now.getTime() - 7 * 86400_000);
    const events = await services.ledgers.events(doc.ledger.id, `${since.getTime()}-0`);
    const model = buildDigestModel(doc, events, since, now);
    const today = shanghaiDate(now);
    ctx.body = renderDashboard(doc, model, (m) => daysLeft(m, today));
  });
}
