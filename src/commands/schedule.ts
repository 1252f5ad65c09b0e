import { DomainError } from '../core/errors.js';
import { defineCommand, type CommandContext, type ScheduleCommands } from './types.js';
import { approvalDirect, reachMode } from './reach.js';

function scheduler(ctx: CommandContext): ScheduleCommands {
  const s = ctx.services.schedule;
  if (!s) throw new DomainError('no_scheduler', '定时推送功能未启用，请联系管理员。');
  if (!ctx.binding) throw new DomainError('not_bound', '本群还没有绑定台账，请先发送“绑定 台账ID”。');
  return s;
}

/** 订阅 [周一 9:00 | 每天 8:30 | 工作日 9:00 | 每月1日 9:00 | <cron>] */
export const subscribe = defineCommand<string>({
  name: '订阅', aliases: ['订阅通报', '定时推送', '订阅周报'], writes: true, groupOnly: true,
  summary: '订阅定时整改通报和到期提醒（整改办）',
  usage: '订阅 [时间]，如：订阅（默认每周一 9:00）、订阅 周一 9:00、订阅 每天 8:30、订阅 0 9 * * 1',
  roles: ['office'],
  // The schedule module reads the phrase ("周一 9:00", "每天 8:30", a cron line).
  parse: (args) => args.trim(),
  run: (ctx, phrase) => {
    const s = scheduler(ctx);
    const r = s.parseSchedule(phrase);
    if ('error' in r) throw new DomainError('bad_schedule', r.error, `用法：${subscribe.usage}`);
    return s.subscribe(ctx.binding!, r.cron, ctx.speaker);
  },
});

/** 退订 */
export const unsubscribe = defineCommand<null>({
  name: '退订', aliases: ['取消订阅', '停止推送'], writes: true, groupOnly: true,
  summary: '停止本群的定时通报和到期提醒（整改办）',
  usage: '退订',
  roles: ['office'],
  parse: () => null,
  run: (ctx) => scheduler(ctx).unsubscribe(ctx.binding!, ctx.speaker),
});

/** 推送记录 */
export const deliveryLog = defineCommand<null>({
  name: '推送记录', aliases: ['推送情况', '发送记录'], groupOnly: true,
  summary: '查看本群定时推送的发送情况：已发送、重试、失败原因（整改办）',
  usage: '推送记录',
  roles: ['office'],
  parse: () => null,
  run: (ctx) => scheduler(ctx).deliveryLog(ctx.binding!),
});

/** The scheduler's chat commands, for src/commands/index.ts. */
export const scheduleCommands = [subscribe, unsubscribe, deliveryLog, reachMode, approvalDirect];
