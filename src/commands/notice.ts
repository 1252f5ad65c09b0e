import { formatMonthDayCn } from '../ledger/dates.js';
import { formatPercent } from '../ledger/light.js';
import { safeText } from '../core/safe-text.js';
import { loadNotice } from '../notice/load.js';
import { defineCommand } from './types.js';
import { ReplyBuilder } from './reply.js';

/** The download link carries the office role (the full notice): keep it short-lived. */
const NOTICE_LINK_DAYS = 7;

/**
 * 通报 (office): the headline of today's progress notice with its figures, the
 * places still to fill in, and a signed download link of the Word file when the
 * dashboard is public (PUBLIC_URL); else the `rectify notice` command that makes it.
 */
export const notice = defineCommand<null>({
  name: '通报',
  aliases: ['整改通报', '进展通报', '生成通报'],
  summary: '生成整改进展情况通报：标题、总体进度句及各项数字（与“进度”一致）',
  usage: '通报',
  roles: ['office'],
  parse: () => null,
  async run(ctx) {
    const n = await loadNotice(ctx.services, ctx.ledger.id, ctx.today);
    const st = n.figures.status;
    const b = new ReplyBuilder(`整改进展通报（${formatMonthDayCn(n.asOf)}）`);
    b.heading(safeText(n.titleLines.join('')));
    b.line(safeText(n.headline));
    b.item(`${n.figures.aspects}个方面、${st.problems}个问题、${st.measures}项整改措施，整改完成率${formatPercent(st.completionRate)}`);
    b.item(`超过整改时限尚未完成${st.red}项，${ctx.ledger.yellowDays}日内到期${st.yellow}项，已批准延期${n.figures.extended}项${n.figures.pending ? `，申请延期待审批${n.figures.pending}项` : ''}`);
    b.blank();
    if (n.placeholders) b.line(`通报稿中有${n.placeholders}处【待补充】（巡察起止日期、领导小组、会议情况、联系电话等），请整改办补充后印发。`);
    // The dashboard serves the Word file to office links (/dashboard/notice.docx, same signed query).
    const url = await ctx.services.dashboardLink?.(ctx.ledger.id, { role: 'office', days: NOTICE_LINK_DAYS });
    if (url) {
      const u = new URL(url);
      u.pathname = u.pathname.replace(/\/dashboard$/, '/dashboard/notice.docx');
      b.line(`Word 版（GB/T 9704 公文格式）可点击下方链接下载，链接${NOTICE_LINK_DAYS}天内有效，请勿转发。`);
      b.withLink({ title: '下载整改情况通报（Word）', url: u.toString() });
    } else {
      b.line('Word 版（GB/T 9704 公文格式）请管理员用命令生成：rectify notice --ledger 台账ID --format docx --out 通报.docx');
    }
    return b.build();
  },
});
