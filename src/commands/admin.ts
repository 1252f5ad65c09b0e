import { safeText } from '../core/safe-text.js';
import { DomainError } from '../core/errors.js';
import { defineCommand } from './types.js';
import { ReplyBuilder, simpleReply } from './reply.js';

export const bind = defineCommand<string>({
  name: '绑定', aliases: ['绑定台账'], needsLedger: false, writes: true,
  summary: '把本群绑定到一本台账（整改办）',
  usage: '绑定 <台账ID>，如：绑定 demo',
  roles: ['office'],
  parse: (args) => (/^[\w.-]{1,64}$/.test(args) ? args : { error: '请写上台账ID（字母、数字、短横线）。' }),
  async run(ctx, ledgerId) {
    const ledger = await ctx.services.ledgers.getLedger(ledgerId);
    if (!ledger) {
      const all = await ctx.services.ledgers.listLedgers();
      throw new DomainError('no_ledger', `台账“${safeText(ledgerId)}”不存在。`, all.length ? `现有台账：${all.map(safeText).join('、')}` : '请先导入台账。');
    }
    const prev = ctx.binding;
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
  name: '解绑', aliases: ['解除绑定'], writes: true,
  summary: '解除本群与台账的绑定（整改办）',
  usage: '解绑',
  roles: ['office'],
  parse: () => null,
  async run(ctx) {
    await ctx.services.directory.unbind(ctx.msg.platform, ctx.msg.chatId);
    return simpleReply('已解绑', `本群已解除与台账“${safeText(ctx.ledger.title)}”的绑定，将不再显示台账内容和推送周报。`);
  },
});
