import { DomainError } from '../core/errors.js';
import { defineCommand, type CommandContext, type ScheduleCommands } from './types.js';

function scheduler(ctx: CommandContext): ScheduleCommands {
  const s = ctx.services.schedule;
  if (!s) throw new DomainError('no_scheduler', '定时推送功能未启用，请联系管理员。');
  if (!ctx.binding) throw new DomainError('not_bound', '本群还没有绑定台账，请先发送“绑定 台账ID”。');
  return s;
}

/** 提醒方式 [私信 | 群内 | 先私信后群内] */
export const reachMode = defineCommand<string>({
  name: '提醒方式', aliases: ['提醒渠道', '提醒设置', '私信提醒'], writes: true,
  summary: '查看到期提醒和“回头看”提示的方式：群内@、私信、先私信后群内（设置限整改办）',
  usage: '提醒方式 [私信 | 群内 | 先私信后群内]，如：提醒方式 私信',
  roles: ['office'], openWhenBare: true,
  // The schedule module reads the phrase and answers a miss with the choices.
  parse: (args) => args.trim(),
  run: (ctx, phrase) => scheduler(ctx).reach(ctx.binding!, phrase, ctx.speaker),
});

/** 审批私信 [开 | 关] */
export const approvalDirect = defineCommand<string>({
  name: '审批私信', aliases: ['私信审批', '审核私信', '销号私信'], writes: true,
  summary: '查看申报完成后是否同时私信通知整改办审核（设置限整改办）',
  usage: '审批私信 [开 | 关]，如：审批私信 开',
  roles: ['office'], openWhenBare: true,
  parse: (args) => args.trim(),
  run: (ctx, phrase) => scheduler(ctx).approvalDirect(ctx.binding!, phrase, ctx.speaker),
});
