import { Command } from 'commander';
import { PLATFORMS, type Platform } from '../core/message.js';
import { DomainError } from '../core/errors.js';
import { loadDemo, removeDemo } from '../app/demo.js';
import { statusReport } from '../commands/status-report.js';
import { shanghaiDate } from '../ledger/dates.js';
import { aliasOf, parseCode } from '../ledger/codes.js';
import { withServices } from './open.js';
import { runChat } from './chat.js';
import { registerLedgerCli } from './ledger.js';
import { registerNoticeCli } from './notice.js';
import { registerScheduleCli } from '../schedule/cli.js';
import { registerDashboardCli } from './dashboard.js';
import { registerDepartmentsCli } from './departments.js';
import { registerEvidenceCli } from './evidence.js';
import { localizeCommander } from './help-zh.js';
import type { ChangesPort } from '../commands/ports.js';

const program = new Command();
program.name('rectify').description('整改督办机器人：台账、用户、群绑定、本机对话');

program.command('demo')
  .description('载入演示台账（种子数据003），附带本机用户 office、leader、owner、supervisor、viewer（角色只在演示台账上有效）和本机群“demo”')
  .option('--reset', '已存在也重新载入（事项和办理记录全部替换）')
  .option('--remove', '移除演示数据：演示用户、绑定到台账“demo”的所有群，以及该台账和办理记录')
  .action((o) => withServices(undefined, async ({ services, redis }) => {
    if (o.remove) {
      const x = await removeDemo(services, redis);
      console.log(`演示数据已移除：用户${x.users}个，群${x.chats}个，台账数据${x.keys}条。`);
      return;
    }
    const r = await loadDemo(services, { reset: !!o.reset });
    console.log(r === 'loaded' ? '演示台账已载入：台账 demo，本机群 demo。' : '演示台账已存在（用 --reset 重新载入）。');
  }));

program.command('status')
  .description('以JSON输出台账统计：整改措施数、问题数、按状态和类别的分布、红灯、黄灯、完成率')
  .requiredOption('--ledger <id>', '台账ID')
  .option('--as-of <日期>', '按哪一天计算红黄灯（如 2025-01-03）')
  .option('--json', '输出JSON（默认即是）')
  .action((o) => withServices(o.asOf, async ({ services }) => {
    const report = await statusReport(services, o.ledger, shanghaiDate(services.clock.now()));
    console.log(JSON.stringify(report, null, 2));
  }));

program.command('history')
  .description('以JSON输出某一事项的办理记录，按时间先后')
  .requiredOption('--ledger <id>', '台账ID')
  .argument('<编号>', '事项编号，如 二.1.1 或 3.2')
  .option('--json', '输出JSON（默认即是）')
  .action((code: string, o) => withServices(undefined, async ({ services }) => {
    const q = parseCode(code);
    if (!q) throw new DomainError('bad_code', `“${code}”不是有效的编号。`);
    const ids = await services.ledgers.resolveAlias(o.ledger, aliasOf(q));
    if (ids.length !== 1) throw new DomainError('unknown_code', ids.length ? `编号“${code}”对应多个事项，请带上方面序号。` : `未找到编号“${code}”。`);
    console.log(JSON.stringify(await services.ledgers.history(o.ledger, ids[0]), null, 2));
  }));

program.command('bind')
  .description('把群绑定到台账（群ID：钉钉为 conversationId，企业微信为 chatid，本机对话为群名）')
  .requiredOption('--platform <平台>', 'console（本机）| dingtalk（钉钉）| wecom（企业微信）')
  .requiredOption('--chat <id>', '群ID')
  .requiredOption('--ledger <id>', '台账ID')
  .option('--webhook-key <密钥>', '企业微信群机器人的 webhook key')
  .option('--webhook-token <令牌>', '钉钉自定义机器人的 access_token')
  .option('--webhook-secret <密钥>', '钉钉自定义机器人的加签密钥')
  .action((o) => withServices(undefined, async ({ services }) => {
    if (!PLATFORMS.includes(o.platform)) throw new DomainError('bad_platform', `平台须为 ${PLATFORMS.join(' | ')}`);
    if (!(await services.ledgers.getLedger(o.ledger))) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
    const prev = await services.directory.getBinding(o.platform as Platform, o.chat);
    const channel: Record<string, string> = { ...(prev?.channel ?? {}) };
    if (o.webhookKey) channel.webhookKey = o.webhookKey;
    if (o.webhookToken) channel.webhookToken = o.webhookToken;
    if (o.webhookSecret) channel.webhookSecret = o.webhookSecret;
    await services.directory.bind({ platform: o.platform, chatId: o.chat, ledgerId: o.ledger, channel, schedule: prev?.schedule, boundAt: new Date().toISOString(), boundBy: 'cli' });
    console.log(`已绑定：${o.platform}:${o.chat} → ${o.ledger}`);
  }));

program.command('chat')
  .description('以本机用户身份与机器人对话（交互输入；经管道输入时每行一条消息）')
  .requiredOption('--as <用户>', '本机用户ID（演示用户：office、leader、owner、supervisor、viewer）')
  .option('--chat <群>', '本机群ID（演示群：demo）')
  .option('--private', '与机器人私聊（不用 --chat）：按该用户参与的台账办理，如同回复私信提醒')
  .option('--as-of <日期>', '假定今天是这一天（只读）')
  .option('--json', '每条回复输出一行JSON')
  .action((o) => {
    if (!o.private && !o.chat) {
      process.exitCode = 1;
      console.error('错误：请给出 --chat <群>，或用 --private 与机器人私聊');
      return;
    }
    return withServices(o.asOf, (open) => runChat(o.asOf ? readOnlyChanges(open) : open, { as: o.as, chat: o.chat, private: !!o.private, json: !!o.json }));
  });

/**
 * Under --as-of the clock is pretended, so a write would be recorded at a time that never happened:
 * the chat answers every question for that date but refuses writes.
 */
function readOnlyChanges<T extends { services: { changes: ChangesPort } }>(open: T): T {
  const refuse = async (): Promise<never> => {
    throw new DomainError('as_of_readonly', '按指定日期（--as-of）查看时不能修改台账，以免变更记录的时间失真。请去掉 --as-of 后再登记。');
  };
  const changes: ChangesPort = { apply: refuse, applyByAlias: refuse, undo: refuse };
  return { ...open, services: { ...open.services, changes } };
}

registerLedgerCli(program);
registerNoticeCli(program);
registerScheduleCli(program, withServices);
registerDashboardCli(program);
registerDepartmentsCli(program);
registerEvidenceCli(program);
localizeCommander(program);

program.parseAsync(process.argv).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
