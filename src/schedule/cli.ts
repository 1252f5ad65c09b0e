import type { Command } from 'commander';
import type { Services } from '../commands/types.js';
import { PLATFORMS, type Platform } from '../core/message.js';
import { DomainError } from '../core/errors.js';
import { targetOf, type RedisClient } from '../store/redis.js';
import { ScheduleStore } from '../store/schedule-store.js';
import { DeliveryLog } from '../store/delivery-log.js';
import { defaultScheduleConfig, loadScheduleConfig } from './config.js';
import { parseScheduleArg } from './cron.js';
import { ladderOf } from './compose.js';
import { Outbox } from './outbox.js';
import { formatLadder, ladderToString, parseLadder } from './reminders.js';
import { ScheduleService } from './service.js';
import { summarize } from './log-render.js';

/** What the CLI's opener gives us (src/cli/open.ts `withServices`). */
export type CliRunner = (asOf: string | undefined, f: (open: { services: Services; redis: RedisClient }) => Promise<void>) => Promise<void>;

function platformOf(p: string): Platform {
  if (!(PLATFORMS as readonly string[]).includes(p)) throw new DomainError('bad_platform', `平台须为 ${PLATFORMS.join(' | ')}`);
  return p as Platform;
}

/** Schedule commands for a process without a scheduler of its own (CLI, console chat): they only read and write Redis. */
export function serviceFor(services: Services, redis: RedisClient, outbox?: Outbox): ScheduleService {
  const config = safeConfig();
  return new ScheduleService({ services, sched: new ScheduleStore(redis), log: new DeliveryLog(redis), outbox, reminderCron: config.reminderCron });
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
    .description('set a chat\'s digest schedule (cron, Asia/Shanghai; default Monday 09:00), or --off')
    .requiredOption('--chat <id>', 'chat id')
    .option('--platform <platform>', 'console | dingtalk | wecom', 'console')
    .option('--cron <expr>', 'cron expression or words: "0 9 * * 1", "周一 9:00", "每天 8:30"')
    .option('--off', 'stop the chat\'s digests and reminders')
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
    .description('render a chat\'s digest (--print, the default) or queue it for sending now (--send)')
    .requiredOption('--chat <id>', 'chat id')
    .option('--platform <platform>', 'console | dingtalk | wecom', 'console')
    .option('--as-of <date>', 'render as of this date (YYYY-MM-DD)')
    .option('--print', 'print the digest without sending (default)')
    .option('--send', 'queue it now; a running service sends it (see `rectify deliveries`)')
    .option('--json', 'print the reply and the figures as JSON')
    .action((o) => run(o.asOf, async ({ services, redis }) => {
      const platform = platformOf(o.platform);
      const config = safeConfig();
      const outbox = o.send ? new Outbox({ redisUrl: targetOf(redis), ...config }, new ScheduleStore(redis), new DeliveryLog(redis)) : undefined;
      try {
        const r = await serviceFor(services, redis, outbox).digestNow(platform, o.chat, { send: !!o.send });
        if (o.json) console.log(JSON.stringify({ reply: r.reply, counts: r.model.counts, asOf: r.model.asOf, jobId: r.jobId }, null, 2));
        else console.log(r.reply.markdown + (r.reply.link ? `\n\n${r.reply.link.title}：${r.reply.link.url}` : ''));
        if (r.jobId && !o.json) console.log(`\n已放入发送队列 / queued: ${r.jobId}（由运行中的服务发送，用 rectify deliveries 查看结果）`);
      } finally {
        await outbox?.close();
      }
    }));

  program.command('deliveries')
    .description('the delivery log: sent / retried / failed with reasons (newest first)')
    .option('--chat <id>', 'only this chat')
    .option('--platform <platform>', 'platform of --chat', 'console')
    .option('--limit <n>', 'how many entries', '50')
    .option('--json', 'print JSON (the default)')
    .option('--summary', 'one line per message instead of every attempt')
    .action((o) => run(undefined, async ({ redis }) => {
      const log = new DeliveryLog(redis);
      const n = Math.max(1, Number(o.limit) || 50);
      const entries = o.chat ? await log.forChat(platformOf(o.platform), o.chat, n) : await log.all(n);
      console.log(JSON.stringify(o.summary ? summarize(entries) : entries, null, 2));
    }));

  program.command('reminders')
    .description('show or set a ledger\'s reminder ladder, e.g. "20:owner;10:owner+leader;overdue:leader+office"')
    .requiredOption('--ledger <id>', 'ledger id')
    .option('--ladder <steps>', 'days:audience;… (audience: owner, leader, office)')
    .option('--reset', 'back to the default ladder')
    .action((o) => run(undefined, async ({ services, redis }) => {
      if (!(await services.ledgers.getLedger(o.ledger))) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
      const sched = new ScheduleStore(redis);
      if (o.reset) await sched.setLadder(o.ledger, null);
      else if (o.ladder) {
        const l = parseLadder(o.ladder);
        if ('error' in l) throw new DomainError('bad_ladder', l.error);
        await sched.setLadder(o.ledger, ladderToString(l));
      }
      const ladder = await ladderOf(sched, o.ledger);
      console.log(`${formatLadder(ladder)}\n(${ladderToString(ladder)})`);
    }));
}
