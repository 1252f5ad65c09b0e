import { safeText } from '../core/safe-text.js';
import { DomainError } from '../core/errors.js';
import { normalizeInput } from '../ledger/normalize.js';
import { roleFor } from '../ledger/roles.js';
import { ledgerNames, memberLedgers } from '../pipeline/private-chat.js';
import { defineCommand } from './types.js';
import { ReplyBuilder, simpleReply } from './reply.js';

const ROLE_NAMES = { office: '整改办', leader: '责任领导', owner: '责任人', supervisor: '纪检监督', viewer: '成员（只读）' } as const;

const squash = (s: string) => normalizeInput(s).replace(/[\s“”"'《》]/g, '').toLowerCase();

/** 切换 [台账名 | 台账ID]: in a 1:1 chat with the robot, which of the sender's ledgers it works on. */
export const switchLedger = defineCommand<string>({
  name: '切换', aliases: ['切换台账', '选择台账'], needsLedger: false, writes: true,
  summary: '私聊中选择要办理的台账（参与多个台账时）',
  usage: '切换 [台账名或台账ID]，如：切换 demo；只发“切换”列出您参与的台账',
  parse: (args) => args.trim().replace(/^[：:]\s*/, ''),
  async run(ctx, name) {
    if (ctx.msg.chatType !== 'private') {
      return simpleReply('无需切换', ctx.ledger
        ? `本群已绑定台账“${safeText(ctx.ledger.title)}”，群内无需切换。“切换”用于与我的私聊：参与多个台账时，在私聊中选择要办理的台账。`
        : '“切换”用于与我的私聊：参与多个台账时，在私聊中选择要办理的台账。本群尚未绑定台账，请整改办发送“绑定 台账ID”。');
    }
    const user = await ctx.services.directory.getUser(ctx.msg.platform, ctx.msg.senderId);
    const mine = memberLedgers(user, await ctx.services.ledgers.listLedgers());
    if (!user || !mine.length) throw new DomainError('no_ledger', '您尚未登记为任何整改台账的成员，无法切换。', '请联系整改办登记。');
    const names = await ledgerNames(ctx.services, mine);
    const current = mine.length === 1 ? mine[0]! : await ctx.services.directory.privateLedger(ctx.msg.platform, ctx.msg.senderId);
    if (!name) {
      const b = new ReplyBuilder('我的台账');
      b.line(mine.length === 1 ? '您参与的整改台账：' : '您参与以下整改台账，发送“切换 台账名”选择：');
      mine.forEach((L, i) => b.item(`${names[i]}${L === current ? '　← 当前' : ''}`));
      return b.build();
    }
    const want = squash(name);
    const titles = await Promise.all(mine.map(async (L) => squash((await ctx.services.ledgers.getLedger(L))?.title ?? L)));
    let hits = mine.filter((L, i) => L.toLowerCase() === want || titles[i] === want);
    if (!hits.length) hits = mine.filter((_L, i) => titles[i]!.includes(want));
    if (hits.length !== 1) {
      throw new DomainError('no_ledger', hits.length
        ? `“${safeText(name.slice(0, 30))}”对应多个台账，请写得更完整些。`
        : `您参与的台账中没有“${safeText(name.slice(0, 30))}”。`, `可选：${names.join('、')}`);
    }
    const L = hits[0]!;
    await ctx.services.directory.setPrivateLedger(ctx.msg.platform, ctx.msg.senderId, L);
    const b = new ReplyBuilder('已切换台账');
    b.line(`✅ 私聊已切换到台账：**${names[mine.indexOf(L)]}**，您在该台账的身份：${ROLE_NAMES[roleFor(user, L)]}。`);
    b.line('现在可以直接在这里发送“我的”“查看 编号”“进展 编号 说明”等。');
    return b.build();
  },
});
