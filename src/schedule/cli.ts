import type { Command } from 'commander';
import type { Services } from '../commands/types.js';
import { PLATFORMS, type Platform } from '../core/message.js';
import { DomainError } from '../core/errors.js';
import { targetOf, type RedisClient } from '../store/redis.js';
import { ScheduleStore } from '../store/schedule-store.js';
import { DeliveryLog } from '../store/delivery-log.js';
import { defaultScheduleConfig, loadScheduleConfig } from './config.js';
import { parseScheduleArg } from './cron.js';
import { ladderOf, reachOf } from './compose.js';
import { CLI_SETTER, describeReach, parseOnOff, parseReachMode, REACH_MODES, REACH_WORDS } from './reach.js';
import { Outbox } from './outbox.js';
import { AUDIENCE_LABEL, formatLadder, ladderToString, parseLadder, type LadderStep } from './reminders.js';
import { ScheduleService } from './service.js';
import { summarize } from './log-render.js';
import { SenderRegistry } from '../core/sender.js';
import { ConsoleSender } from '../bot/console/sender.js';

/** What the CLI's opener gives us (src/cli/open.ts `withServices`). */
export type CliRunner = (asOf: string | undefined, f: (open: { services: Services; redis: RedisClient }) => Promise<void>) => Promise<void>;

function platformOf(p: string): Platform {
  if (!(PLATFORMS as readonly string[]).includes(p)) throw new DomainError('bad_platform', `平台须为 ${PLATFORMS.join(' | ')}`);
  return p as Platform;
}

/** The ladder as a cadre would type it back to --ladder (parseLadder reads these words). */
function ladderInWords(ladder: LadderStep[]): string {
  return ladder.map((s) => `${s.days === 'overdue' ? '逾期' : s.days}:${s.notify.map((a) => AUDIENCE_LABEL[a]).join('+')}`).join(';');
}

/** Schedule commands for a process without a scheduler of its own (CLI, console chat): they only read and write Redis. */
export function serviceFor(services: Services, redis: RedisClient, outbox?: Outbox): ScheduleService {
  const config = safeConfig();
  return new ScheduleService({ services, sched: new ScheduleStore(redis), log: new DeliveryLog(redis), outbox, reminderCron: config.reminderCron });
}

/**
 * The schedule commands of `rectify chat`: like the console page's, they queue
 * what a message asks to send (the office's 1:1 approval copies) in the
 * service's outbox; the running service's delivery worker sends it.
 */
export function queueingServiceFor(services: Services, redis: RedisClient): { service: ScheduleService; close: () => Promise<void> } {
  const config = safeConfig();
  const sched = new ScheduleStore(redis);
  const log = new DeliveryLog(redis);
  const outbox = new Outbox({ redisUrl: targetOf(redis), ...config }, sched, log);
  // Only for its send keys and its 1:1 ability: the running service's own console sender prints.
  const senders = new SenderRegistry();
  senders.register(new ConsoleSender({ out: null }));
  const service = new ScheduleService({ services, sched, log, outbox, senders, reminderCron: config.reminderCron });
  return { service, close: () => outbox.close() };
}

function safeConfig() {
  try {
    return loadScheduleConfig(process.env);
  } catch {
    return defaultScheduleConfig();
  }
}

/** Adds `schedule`, `digest`, `deliveries` and `reminders` to the rectify CLI. */
export function registerScheduleCli(program: Command, run: CliRunner): void {
  program.command('schedule')
    .description('设置群的定期汇总推送时间（cron 表达式，北京时间；默认每周一 9:00），或用 --off 停止')
    .requiredOption('--chat <id>', '群ID')
    .option('--platform <平台>', 'console（本机）| dingtalk（钉钉）| wecom（企业微信）', 'console')
    .option('--cron <时间>', 'cron 表达式或中文说法，如 "0 9 * * 1"、"周一 9:00"、"每天 8:30"')
    .option('--off', '停止向该群推送汇总和提醒')
    .action((o) => run(undefined, async ({ services, redis }) => {
      const platform = platformOf(o.platform);
      let cron: string | null = null;
      if (!o.off) {
        const r = parseScheduleArg(o.cron ?? '');
        if ('error' in r) throw new DomainError('bad_cron', r.error);
        cron = r.cron;
      }
      console.log(await serviceFor(services, redis).setSchedule(platform, o.chat, cron));
    }));

  program.command('digest')
    .description('生成群的汇总（--print，默认），或立即放入发送队列（--send）')
    .requiredOption('--chat <id>', '群ID')
    .option('--platform <平台>', 'console（本机）| dingtalk（钉钉）| wecom（企业微信）', 'console')
    .option('--as-of <日期>', '按这一天生成（如 2025-01-03）')
    .option('--print', '只显示汇总，不发送（默认）')
    .option('--send', '立即放入发送队列，由运行中的服务发送（结果见 rectify deliveries）')
    .option('--json', '以JSON输出回复和统计数字')
    .action((o) => run(o.asOf, async ({ services, redis }) => {
      const platform = platformOf(o.platform);
      const config = safeConfig();
      const outbox = o.send ? new Outbox({ redisUrl: targetOf(redis), ...config }, new ScheduleStore(redis), new DeliveryLog(redis)) : undefined;
      try {
        const r = await serviceFor(services, redis, outbox).digestNow(platform, o.chat, { send: !!o.send });
        if (o.json) console.log(JSON.stringify({ reply: r.reply, counts: r.model.counts, asOf: r.model.asOf, jobId: r.jobId }, null, 2));
        else console.log(r.reply.markdown + (r.reply.link ? `\n\n${r.reply.link.title}：${r.reply.link.url}` : ''));
        if (r.jobId && !o.json) console.log(`\n已放入发送队列：${r.jobId}（由运行中的服务发送，用 rectify deliveries 查看结果）`);
      } finally {
        await outbox?.close();
      }
    }));

  program.command('deliveries')
    .description('推送记录：已发送、重试、失败及原因（最新的在前）')
    .option('--chat <id>', '只看这个群')
    .option('--platform <平台>', '--chat 所在平台', 'console')
    .option('--limit <n>', '显示多少条', '50')
    .option('--json', '输出JSON（默认即是）')
    .option('--summary', '每条消息一行，不列出每次尝试')
    .action((o) => run(undefined, async ({ redis }) => {
      const log = new DeliveryLog(redis);
      const n = Math.max(1, Number(o.limit) || 50);
      const entries = o.chat ? await log.forChat(platformOf(o.platform), o.chat, n) : await log.all(n);
      console.log(JSON.stringify(o.summary ? summarize(entries) : entries, null, 2));
    }));

  program.command('reminders')
    .description('查看或设置台账的到期提醒阶梯和提醒方式（群内、私信、先私信后群内）')
    .requiredOption('--ledger <id>', '台账ID')
    .option('--ladder <阶梯>', '天数:对象;……（对象：责任人、责任领导、整改办）')
    .option('--reset', '恢复默认提醒阶梯')
    .option('--reach <方式>', '提醒方式：群内（默认，群内@）| 私信（私信责任人、责任领导）| 先私信后群内（到期前私信，逾期后群内@）')
    .option('--approval-direct <开|关>', '申报完成后是否同时私信整改办：钉钉配置了卡片模板时为审核卡片，其他（企业微信、本机、钉钉无模板）为文字通知，均可在私信中回复“销号 编号”审核')
    .option('--by <姓名>', `记为谁设置的（默认“${CLI_SETTER}”）`)
    .addHelpText('after', [
      '',
      '示例：',
      '  rectify reminders --ledger demo --ladder \\',
      '    "20:责任人;10:责任人+责任领导;逾期:责任领导+整改办"',
      '  rectify reminders --ledger demo --reach 私信 --approval-direct 开 --by 王静',
    ].join('\n'))
    .action((o) => run(undefined, async ({ services, redis }) => {
      if (!(await services.ledgers.getLedger(o.ledger))) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
      const sched = new ScheduleStore(redis);
      if (o.reset) await sched.setLadder(o.ledger, null);
      else if (o.ladder) {
        const l = parseLadder(o.ladder);
        if ('error' in l) throw new DomainError('bad_ladder', l.error);
        await sched.setLadder(o.ledger, ladderToString(l));
      }
      const reach = serviceFor(services, redis).reachSettings;
      const by = typeof o.by === 'string' && o.by.trim() ? o.by.trim().slice(0, 20) : CLI_SETTER;
      if (o.reach !== undefined) {
        const mode = parseReachMode(o.reach);
        if (!mode) throw new DomainError('bad_reach', `无法识别提醒方式“${o.reach}”，可选：${REACH_MODES.map((m) => REACH_WORDS[m]).join('、')}。`);
        await reach.setMode(o.ledger, mode, { name: by });
      }
      if (o.approvalDirect !== undefined) {
        const on = parseOnOff(o.approvalDirect);
        if (on === null) throw new DomainError('bad_switch', `--approval-direct 须为“开”或“关”，收到“${o.approvalDirect}”。`);
        await reach.setApprovalDirect(o.ledger, on, { name: by });
      }
      const ladder = await ladderOf(sched, o.ledger);
      console.log(`${formatLadder(ladder)}\n（--ladder 写法：${ladderInWords(ladder)}）\n${describeReach(await reachOf(sched, o.ledger))}`);
    }));
}
