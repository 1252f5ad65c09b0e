import { safeText } from '../core/safe-text.js';
import { DomainError } from '../core/errors.js';
import { bindableLedgers, mayBind } from '../ledger/roles.js';
import { defineCommand } from './types.js';
import { ReplyBuilder, simpleReply } from './reply.js';

interface BindArgs {
  ledgerId: string;
  /** `绑定 <id> 确认`: the sender saw that the chat is bound elsewhere and means it. */
  confirmed: boolean;
}

export const bind = defineCommand<BindArgs>({
  name: '绑定', aliases: ['绑定台账'], needsLedger: false, writes: true, groupOnly: true,
  summary: '把本群绑定到一本台账（该台账的整改办或管理员）',
  usage: '绑定 <台账ID>，如：绑定 demo；改绑已绑定的群：绑定 <台账ID> 确认',
  roles: ['office'],
  parse: (args) => {
    const m = /^([\w.-]{1,64})\s*(确认|确定)?$/.exec(args.trim());
    return m ? { ledgerId: m[1]!, confirmed: !!m[2] } : { error: '请写上台账ID（字母、数字、短横线）。' };
  },
  async run(ctx, { ledgerId, confirmed }) {
    const user = await ctx.services.directory.getUser(ctx.msg.platform, ctx.msg.senderId);
    // One answer for "no such ledger" and "not yours": a refusal must not tell which ledgers exist.
    const ledger = mayBind(user, ledgerId) ? await ctx.services.ledgers.getLedger(ledgerId) : null;
    if (!ledger) {
      const mine = bindableLedgers(user, await ctx.services.ledgers.listLedgers());
      throw new DomainError(
        'no_ledger', `无法绑定台账“${safeText(ledgerId)}”：台账不存在，或您不是该台账的整改办。`,
        mine.length ? `您可以绑定的台账：${mine.map(safeText).join('、')}` : '如需绑定，请联系该台账的整改办或管理员。',
      );
    }
    const prev = ctx.binding;
    if (prev && prev.ledgerId === ledgerId) {
      return simpleReply('已绑定', `本群已绑定台账：**${safeText(ledger.title)}**（${safeText(ledger.id)}），无需重复绑定。`);
    }
    if (prev && !confirmed) {
      const b = new ReplyBuilder('请确认改绑');
      b.line(`本群已绑定台账：**${safeText(ctx.ledger?.title ?? prev.ledgerId)}**（${safeText(prev.ledgerId)}）。`);
      b.line(`改绑后，本群将改为显示台账“${safeText(ledger.title)}”的内容，定时推送设置保持不变。`);
      b.line(`确认改绑请发送：绑定 ${safeText(ledgerId)} 确认`);
      return b.build();
    }
    await ctx.services.directory.bind({
      platform: ctx.msg.platform, chatId: ctx.msg.chatId, ledgerId, channel: prev?.channel ?? {},
      schedule: prev?.schedule, boundAt: ctx.now.toISOString(), boundBy: ctx.speaker.name,
    });
    const b = new ReplyBuilder('绑定成功');
    b.line(`✅ 本群已绑定台账：**${safeText(ledger.title)}**（${safeText(ledger.id)}）`);
    b.line('群成员可发送“进度”“逾期”“我的”“查看 编号”。');
    return b.build();
  },
});

export const unbind = defineCommand<null>({
  name: '解绑', aliases: ['解除绑定'], writes: true, groupOnly: true,
  summary: '解除本群与台账的绑定（该台账的整改办）',
  usage: '解绑',
  roles: ['office'],
  parse: () => null,
  async run(ctx) {
    await ctx.services.directory.unbind(ctx.msg.platform, ctx.msg.chatId);
    return simpleReply('已解绑', `本群已解除与台账“${safeText(ctx.ledger.title)}”的绑定，将不再显示台账内容和推送周报。`);
  },
});
