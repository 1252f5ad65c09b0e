import type { Command } from 'commander';
import { DomainError } from '../core/errors.js';
import { dashboardLink, isLinkRole, LINK_ROLES } from '../core/signed-link.js';
import { DashboardStore } from '../store/dashboard-store.js';
import { withServices } from './open.js';

/**
 * `rectify link --ledger ID --role R [--days N]`: prints a signed dashboard
 * link (PUBLIC_URL as the base, else this machine's port). `rectify
 * sensitive --ledger ID [--off]`: marks a ledger sensitive, so viewer links
 * show no evidence notes and no item histories.
 */
export function registerDashboardCli(program: Command): void {
  program.command('link')
    .description(`print a signed dashboard link for one ledger and one role (${LINK_ROLES.join(' | ')})`)
    .requiredOption('--ledger <id>', 'ledger id')
    .option('--role <role>', 'viewer | supervisor | office', 'viewer')
    .option('--days <n>', 'days the link stays valid (1..366)', '30')
    .action((o) => withServices(undefined, async ({ services }) => {
      if (!isLinkRole(o.role)) throw new DomainError('bad_role', `--role 须为 ${LINK_ROLES.join(' | ')}`);
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new DomainError('bad_days', '--days 须为 1 到 366 的整数');
      if (!(await services.ledgers.getLedger(o.ledger))) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
      const base = process.env.PUBLIC_URL || `http://localhost:${process.env.PORT || 3000}`;
      if (!process.env.PUBLIC_URL) console.error(`PUBLIC_URL is not set: the link points at ${base}`);
      const secret = process.env.DASHBOARD_SECRET || (await services.directory.sharedSecret('dashboard'));
      console.log(dashboardLink(base, secret, o.ledger, Math.floor(services.clock.now().getTime() / 1000) + days * 86400, o.role));
    }));

  program.command('sensitive')
    .description('mark a ledger sensitive (viewer links hide evidence notes and histories), or --off to clear it')
    .requiredOption('--ledger <id>', 'ledger id')
    .option('--off', 'clear the mark')
    .action((o) => withServices(undefined, async ({ services, redis }) => {
      if (!(await services.ledgers.getLedger(o.ledger))) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
      await new DashboardStore(redis).setSensitive(o.ledger, !o.off);
      console.log(o.off ? `台账 ${o.ledger} 已取消敏感标记` : `台账 ${o.ledger} 已标记为敏感：查看权限的链接不显示佐证材料和办理记录`);
    }));
}
