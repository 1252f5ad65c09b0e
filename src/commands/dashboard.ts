import type { Role } from '../ledger/roles.js';
import type { LinkRole } from '../core/signed-link.js';
import { safeText } from '../core/safe-text.js';
import { formatDateCn, shanghaiDate } from '../ledger/dates.js';
import { defineCommand } from './types.js';
import { ReplyBuilder, simpleReply } from './reply.js';

/** The dashboard view a chat role gets: the office sees everything including the notice; leaders and supervisors the full ledger. */
export const LINK_ROLE_OF: Partial<Record<Role, LinkRole>> = { office: 'office', supervisor: 'supervisor', leader: 'supervisor' };

const LINK_DAYS = 7;

/** 看板: a signed dashboard link for the asking user, scoped to the bound ledger and the user's role. */
export const dashboard = defineCommand<null>({
  name: '看板',
  aliases: ['整改看板', '驾驶舱', 'dashboard'],
  summary: '获取整改看板链接（图表、台账筛选、事项办理记录、下载）',
  usage: '看板',
  roles: ['leader', 'office', 'supervisor'],
  parse: () => null,
  async run(ctx) {
    const role = LINK_ROLE_OF[ctx.speaker.role];
    const make = ctx.services.dashboardLink;
    if (!role || !make) return simpleReply('整改看板', '整改看板尚未开通：请管理员设置 PUBLIC_URL（看板的对外地址）后重启服务。');
    const url = await make(ctx.ledger.id, { role, days: LINK_DAYS });
    const until = shanghaiDate(new Date(ctx.now.getTime() + LINK_DAYS * 86400_000));
    return new ReplyBuilder('整改看板')
      .line(`${safeText(ctx.speaker.name)}，这是“${safeText(ctx.ledger.title)}”的整改看板链接（${role === 'office' ? '整改办' : '督查'}权限），${formatDateCn(until)}前有效。`)
      .line('链接只给您本人使用，请勿转发。')
      .withLink({ title: '打开整改看板', url })
      .forSender()
      .build();
  },
});
