import { formatMonthDayCn } from '../ledger/dates.js';
import { formatPercent } from '../ledger/light.js';
import { safeText } from '../core/safe-text.js';
import { loadNotice } from '../notice/load.js';
import { defineCommand } from './types.js';
import { ReplyBuilder } from './reply.js';

/**
 * 通报 (office): the headline of today's progress notice with its figures, the
 * places still to fill in, and the dashboard link; the Word file itself comes
 * from `rectify notice --format docx` (or the dashboard, once it offers it).
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
    b.item(`超过整改时限尚未完成${st.red}项，${ctx.ledger.yellowDays}日内到期${st.yellow}项，经审批调整整改时限${n.figures.extended}项`);
    b.blank();
    if (n.placeholders) b.line(`通报稿中有${n.placeholders}处【待补充】（巡察起止日期、领导小组、会议情况、联系电话等），请整改办补充后印发。`);
    b.line('Word 版（GB/T 9704 公文格式）：rectify notice --ledger 台账ID --format docx --out 通报.docx');
    const url = await ctx.services.dashboardLink?.(ctx.ledger.id);
    if (url) b.withLink({ title: '打开整改看板', url });
    return b.build();
  },
});
