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

const program = new Command();
program.name('rectify').description('整改督办机器人 rectify-bot: ledger, users, bindings, console chat').showHelpAfterError();

program.command('demo')
  .description('load the demo ledger from seed 003 with users office/leader/owner/supervisor/viewer (roles on the demo ledger only) and console chat "demo"')
  .option('--reset', 'reload it even if it exists (its items and history are replaced)')
  .option('--remove', 'remove the demo: its console users, every chat bound to ledger "demo", and the ledger with its history')
  .action((o) => withServices(undefined, async ({ services, redis }) => {
    if (o.remove) {
      const x = await removeDemo(services, redis);
      console.log(`演示数据已移除 / demo removed: ${x.users} users, ${x.chats} chats, ${x.keys} ledger keys`);
      return;
    }
    const r = await loadDemo(services, { reset: !!o.reset });
    console.log(r === 'loaded' ? '演示台账已载入 / demo ledger loaded: ledger "demo", chat "demo"' : '演示台账已存在（用 --reset 重新载入）/ demo exists (use --reset)');
  }));

program.command('status')
  .description('ledger figures as JSON: measures, problems, byStatus, byKind, red, yellow, completionRate')
  .requiredOption('--ledger <id>', 'ledger id')
  .option('--as-of <date>', 'date for red/yellow (YYYY-MM-DD)')
  .option('--json', 'print JSON (the default)')
  .action((o) => withServices(o.asOf, async ({ services }) => {
    const report = await statusReport(services, o.ledger, shanghaiDate(services.clock.now()));
    console.log(JSON.stringify(report, null, 2));
  }));

program.command('history')
  .description("an item's audit events, oldest first, as JSON")
  .requiredOption('--ledger <id>', 'ledger id')
  .argument('<code>', 'item code, e.g. 二.1.1 or 3.2')
  .option('--json', 'print JSON (the default)')
  .action((code: string, o) => withServices(undefined, async ({ services }) => {
    const q = parseCode(code);
    if (!q) throw new DomainError('bad_code', `“${code}”不是有效的编号。`);
    const ids = await services.ledgers.resolveAlias(o.ledger, aliasOf(q));
    if (ids.length !== 1) throw new DomainError('unknown_code', ids.length ? `编号“${code}”对应多个事项，请带上方面序号。` : `未找到编号“${code}”。`);
    console.log(JSON.stringify(await services.ledgers.history(o.ledger, ids[0]), null, 2));
  }));

program.command('bind')
  .description('bind a chat to a ledger (platform chat id: DingTalk conversationId, WeCom chatid, console name)')
  .requiredOption('--platform <platform>', 'console | dingtalk | wecom')
  .requiredOption('--chat <id>', 'chat id')
  .requiredOption('--ledger <id>', 'ledger id')
  .option('--webhook-key <key>', 'WeCom group robot webhook key')
  .option('--webhook-token <token>', 'DingTalk custom robot access_token')
  .option('--webhook-secret <secret>', 'DingTalk custom robot 加签 secret')
  .action((o) => withServices(undefined, async ({ services }) => {
    if (!PLATFORMS.includes(o.platform)) throw new DomainError('bad_platform', `平台须为 ${PLATFORMS.join(' | ')}`);
    if (!(await services.ledgers.getLedger(o.ledger))) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
    const prev = await services.directory.getBinding(o.platform as Platform, o.chat);
    const channel: Record<string, string> = { ...(prev?.channel ?? {}) };
    if (o.webhookKey) channel.webhookKey = o.webhookKey;
    if (o.webhookToken) channel.webhookToken = o.webhookToken;
    if (o.webhookSecret) channel.webhookSecret = o.webhookSecret;
    await services.directory.bind({ platform: o.platform, chatId: o.chat, ledgerId: o.ledger, channel, schedule: prev?.schedule, boundAt: new Date().toISOString(), boundBy: 'cli' });
    console.log(`已绑定 / bound: ${o.platform}:${o.chat} → ${o.ledger}`);
  }));

program.command('chat')
  .description('talk to the bot as a console user (interactive, or one message per stdin line when piped)')
  .requiredOption('--as <user>', 'console user id (demo: office, leader, owner, supervisor, viewer)')
  .requiredOption('--chat <chat>', 'console chat id (demo: demo)')
  .option('--as-of <date>', 'pretend today is this date')
  .option('--json', 'print Reply objects as JSON lines')
  .action((o) => withServices(o.asOf, (open) => runChat(o.asOf ? readOnlyChanges(open) : open, { as: o.as, chat: o.chat, json: !!o.json })));

/**
 * Under --as-of the clock is pretended, so a write would be recorded at a time that never happened:
 * the chat answers every question for that date but refuses writes.
 */
function readOnlyChanges<T extends { services: { changes: object } }>(open: T): T {
  const refuse = async (): Promise<never> => {
    throw new DomainError('as_of_readonly', '按指定日期（--as-of）查看时不能修改台账，以免变更记录的时间失真。请去掉 --as-of 后再登记。');
  };
  return { ...open, services: { ...open.services, changes: { apply: refuse, undo: refuse } } };
}

registerLedgerCli(program);
registerNoticeCli(program);
registerScheduleCli(program, withServices);
registerDashboardCli(program);
registerDepartmentsCli(program);

program.parseAsync(process.argv).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
