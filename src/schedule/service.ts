import type { Logger } from 'pino';
import type { ChatBinding } from '../core/binding.js';
import type { Platform, Reply } from '../core/message.js';
import type { SenderRegistry } from '../core/sender.js';
import type { ScheduleCommands, Services, Speaker } from '../commands/types.js';
import { DomainError } from '../core/errors.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import type { ScheduleStore } from '../store/schedule-store.js';
import { composeDigest, ladderOf, RunCache } from './compose.js';
import { cronOf, describeCron, prevSlot, compileCron, parseScheduleArg } from './cron.js';
import type { DigestModel } from './digest-model.js';
import { formatLadder } from './reminders.js';
import type { Outbox } from './outbox.js';
import { renderDeliveryLog } from './log-render.js';
import { ReplyBuilder } from '../commands/reply.js';
import { ReachSettingsService } from './reach-service.js';
import { CLI_SETTER, describeReach } from './reach.js';
import { reachOf } from './compose.js';

export interface ScheduleServiceDeps {
  services: Services;
  sched: ScheduleStore;
  log: DeliveryLog;
  reminderCron: string;
  /** Absent in a process that only renders (CLI --print). */
  outbox?: Outbox;
  senders?: SenderRegistry;
  /** Reports a failure to queue the office's approval copies. */
  logger?: Logger;
  /** Called after a schedule changed, so this instance's scheduler re-reads it at once. */
  onChange?: () => void;
}

/** Subscriptions, the delivery log and on-demand digests; behind 订阅/退订/推送记录 and the CLI. */
export class ScheduleService implements ScheduleCommands {
  /** 提醒方式 / 审批私信 and the office's approval copies. */
  readonly reachSettings: ReachSettingsService;

  constructor(private readonly d: ScheduleServiceDeps) {
    this.reachSettings = new ReachSettingsService(d);
  }

  reach(binding: ChatBinding, phrase: string, by: Speaker | { name: string }): Promise<Reply> {
    return this.reachSettings.reach(binding, phrase, by);
  }

  approvalDirect(binding: ChatBinding, phrase: string, by: Speaker | { name: string }): Promise<Reply> {
    return this.reachSettings.approvalDirect(binding, phrase, by);
  }

  approvalCopies(chat: { platform: Platform; chatId: string; ledgerId: string }, reply: Reply, senderId: string): Promise<number> {
    return this.reachSettings.approvalCopies(chat, reply, senderId);
  }

  parseSchedule(phrase: string): { cron: string } | { error: string } {
    return parseScheduleArg(phrase);
  }

  async subscribe(binding: ChatBinding, cron: string, by: Speaker | { name: string }): Promise<Reply> {
    const spec = compileCron(cron);
    if ('error' in spec) throw new DomainError('bad_cron', spec.error);
    const { directory, clock } = this.d.services;
    await directory.setSchedule(binding.platform, binding.chatId, spec.expr);
    // The subscription starts with the next slot: nothing is sent for slots already past.
    const now = clock.now();
    const last = prevSlot(spec, now);
    if (last) await this.d.sched.seedSlot(binding.platform, binding.chatId, 'digest', last.getTime());
    const lastRemind = prevSlot(cronOf(this.d.reminderCron), now);
    if (lastRemind) await this.d.sched.seedSlot(binding.platform, binding.chatId, 'remind', lastRemind.getTime());
    this.d.onChange?.();
    const ladder = await ladderOf(this.d.sched, binding.ledgerId);
    const b = new ReplyBuilder('订阅成功');
    b.line(`✅ 已订阅整改进展通报：**${describeCron(spec.expr)}** 推送到本群（${by.name}设置）。`);
    b.line(`到期提醒：${describeCron(this.d.reminderCron).replace(/^工作日/, '每个工作日')} 检查一次，${formatLadder(ladder)}，每项每档只提醒一次；长期坚持事项每月提示“回头看”。`);
    b.line(`${describeReach(await reachOf(this.d.sched, binding.ledgerId))}（发送“提醒方式”“审批私信”查看或修改）。`);
    b.line('发送“推送记录”查看发送情况，发送“退订”停止推送。');
    return b.build();
  }

  async unsubscribe(binding: ChatBinding): Promise<Reply> {
    const had = Boolean(binding.schedule);
    await this.d.services.directory.setSchedule(binding.platform, binding.chatId, null);
    this.d.onChange?.();
    const b = new ReplyBuilder('已退订');
    b.line(had ? '已退订：本群不再收到定时通报和到期提醒。' : '本群没有订阅定时通报。');
    b.line('需要时发送“订阅 周一 9:00”重新订阅。');
    return b.build();
  }

  async deliveryLog(binding: ChatBinding): Promise<Reply> {
    const fresh = await this.d.services.directory.getBinding(binding.platform, binding.chatId);
    const entries = await this.d.log.forChat(binding.platform, binding.chatId);
    const problems = (await this.d.services.directory.listProblems(50))
      .filter((p) => p.platform === binding.platform && p.chatId === binding.chatId);
    const reach = describeReach(await reachOf(this.d.sched, binding.ledgerId));
    return renderDeliveryLog(fresh?.schedule ?? null, entries, problems, this.d.services.clock.now(), reach);
  }

  /** Renders a chat's digest now (CLI `rectify digest`); `send` also queues it for delivery. */
  async digestNow(platform: Platform, chatId: string, opts: { send?: boolean } = {}): Promise<{ reply: Reply; model: DigestModel; jobId?: string }> {
    const binding = await this.d.services.directory.getBinding(platform, chatId);
    if (!binding) throw new DomainError('not_bound', `群 ${platform}:${chatId} 没有绑定台账。`);
    const now = this.d.services.clock.now();
    const mark = await this.d.sched.slotMark(platform, chatId, 'digest');
    const since = new Date(mark?.rendered || now.getTime() - 7 * 86_400_000);
    const chat = { platform, chatId, ledgerId: binding.ledgerId };
    const r = await composeDigest(this.d.services, new RunCache(this.d.services), chat, now, since);
    if (!r) throw new DomainError('no_ledger', `台账 ${binding.ledgerId} 不存在。`);
    if (!opts.send) return r;
    if (!this.d.outbox) throw new Error('outbox not available');
    const jobId = await this.d.outbox.enqueue(chat, binding.channel, 'manual', now.getTime(), r.reply, this.d.senders?.get(platform), now.getTime());
    return { ...r, jobId };
  }

  /** Sets (or with null, clears) a chat's schedule from the CLI. */
  async setSchedule(platform: Platform, chatId: string, cron: string | null, by = CLI_SETTER): Promise<string> {
    const binding = await this.d.services.directory.getBinding(platform, chatId);
    if (!binding) throw new DomainError('not_bound', `群 ${platform}:${chatId} 没有绑定台账，请先绑定。`);
    const r = cron === null ? await this.unsubscribe(binding) : await this.subscribe(binding, cron, { name: by });
    return r.text;
  }
}
