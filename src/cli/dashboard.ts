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
    .description(`生成某一台账、某一角色（${LINK_ROLES.join(' | ')}）的看板签名链接`)
    .requiredOption('--ledger <id>', '台账ID')
    .option('--role <角色>', 'viewer（查看）| supervisor（督办）| office（整改办）', 'viewer')
    .option('--days <n>', '链接有效天数（1 到 366）', '30')
    .action((o) => withServices(undefined, async ({ services }) => {
      if (!isLinkRole(o.role)) throw new DomainError('bad_role', `--role 须为 ${LINK_ROLES.join(' | ')}`);
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new DomainError('bad_days', '--days 须为 1 到 366 的整数');
      if (!(await services.ledgers.getLedger(o.ledger))) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
      const base = process.env.PUBLIC_URL || `http://localhost:${process.env.PORT || 3000}`;
      if (!process.env.PUBLIC_URL) console.error(`未设置 PUBLIC_URL，链接指向 ${base}`);
      const secret = process.env.DASHBOARD_SECRET || (await services.directory.sharedSecret('dashboard'));
      console.log(dashboardLink(base, secret, o.ledger, Math.floor(services.clock.now().getTime() / 1000) + days * 86400, o.role));
    }));

  program.command('sensitive')
    .description('把台账标记为敏感（查看权限的链接不显示佐证材料和办理记录），加 --off 取消标记')
    .requiredOption('--ledger <id>', '台账ID')
    .option('--off', '取消敏感标记')
    .action((o) => withServices(undefined, async ({ services, redis }) => {
      if (!(await services.ledgers.getLedger(o.ledger))) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
      await new DashboardStore(redis).setSensitive(o.ledger, !o.off);
      console.log(o.off ? `台账 ${o.ledger} 已取消敏感标记` : `台账 ${o.ledger} 已标记为敏感：查看权限的链接不显示佐证材料和办理记录`);
    }));
}
