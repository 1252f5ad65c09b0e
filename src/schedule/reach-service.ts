import type { Logger } from 'pino';
import type { ChatBinding } from '../core/binding.js';
import { isRedisError } from '../store/redis.js';
import type { Platform, Reply } from '../core/message.js';
import { sendsDirect, type SenderRegistry } from '../core/sender.js';
import type { Services } from '../commands/types.js';
import { DomainError } from '../core/errors.js';
import { isOfficeOf } from '../ledger/roles.js';
import { ReplyBuilder } from '../commands/reply.js';
import type { ScheduleStore } from '../store/schedule-store.js';
import { reachOf } from './compose.js';
import type { Outbox } from './outbox.js';
import { describeReach, parseOnOff, parseReachMode, REACH_LABEL, REACH_USAGE, REACH_WORDS, type ReachMode } from './reach.js';
import { approvalCopy } from './approval-copy.js';

export const APPROVAL_DIRECT_USAGE = '审批私信 开 | 关（不带参数查看当前设置）';

export interface ReachDeps {
  services: Services;
  /** Where a failure to queue the office's copies is reported (the completion itself stands). */
  logger?: Logger;
  sched: ScheduleStore;
  outbox?: Outbox;
  senders?: SenderRegistry;
}

/** Who changed a setting: a chat speaker or the CLI. */
interface By {
  name: string;
}

/** Reads and writes a ledger's reach settings; validates the office's phrases. */
export class ReachSettingsService {
  constructor(private readonly d: ReachDeps) {}

  /** Sets the mode (CLI and chat); returns the settings line. */
  async setMode(ledgerId: string, mode: ReachMode, by: By): Promise<string> {
    await this.d.sched.setReach(ledgerId, { mode, by: by.name, at: this.d.services.clock.now().toISOString() });
    return describeReach(await reachOf(this.d.sched, ledgerId));
  }

  async setApprovalDirect(ledgerId: string, on: boolean, by: By): Promise<string> {
    await this.d.sched.setReach(ledgerId, { approvalDirect: on ? '1' : '0', by: by.name, at: this.d.services.clock.now().toISOString() });
    return describeReach(await reachOf(this.d.sched, ledgerId));
  }

  /** 提醒方式 [phrase]. */
  async reach(binding: ChatBinding, phrase: string, by: By): Promise<Reply> {
    const p = phrase.trim();
    if (!p) return this.show(binding.ledgerId, '提醒方式');
    const mode = parseReachMode(p);
    if (!mode) {
      throw new DomainError('bad_reach', `无法识别提醒方式“${p.slice(0, 20)}”。`,
        `用法：${REACH_USAGE}。私信：到期提醒和“回头看”提示私信发给责任人、责任领导；群内：在本群@相关人员（默认）；先私信后群内：到期前私信，逾期后在群内@。`);
    }
    const line = await this.setMode(binding.ledgerId, mode, by);
    const b = new ReplyBuilder('提醒方式已设置');
    b.line(`✅ 已设置为：**${REACH_LABEL[mode]}**（${by.name}设置）。`);
    if (mode !== 'group') b.line('未登记本平台账号的人员无法私信，仍在群内提醒；每人每档只收到一条私信，列出其全部到期事项。');
    b.line(line);
    return b.build();
  }

  /** 审批私信 [开|关]. */
  async approvalDirect(binding: ChatBinding, phrase: string, by: By): Promise<Reply> {
    const p = phrase.trim();
    if (!p) return this.show(binding.ledgerId, '审批私信');
    const on = parseOnOff(p);
    if (on === null) throw new DomainError('bad_switch', `无法识别“${p.slice(0, 20)}”，请写“开”或“关”。`, `用法：${APPROVAL_DIRECT_USAGE}`);
    const line = await this.setApprovalDirect(binding.ledgerId, on, by);
    const b = new ReplyBuilder('审批私信已设置');
    b.line(on
      ? `✅ 已开启：责任人申报完成后，除本群的审核卡片外，整改办成员还会收到私信审核卡片（${by.name}设置）。`
      : `✅ 已关闭：申报完成的审核卡片只发到群里（${by.name}设置）。`);
    b.line(line);
    return b.build();
  }

  private async show(ledgerId: string, which: '提醒方式' | '审批私信'): Promise<Reply> {
    const s = await reachOf(this.d.sched, ledgerId);
    const b = new ReplyBuilder(which);
    b.line(describeReach(s));
    b.line(which === '提醒方式'
      ? `修改：${REACH_USAGE}（当前：${REACH_WORDS[s.mode]}）`
      : `修改：${APPROVAL_DIRECT_USAGE}（当前：${s.approvalDirect ? '开' : '关'}）`);
    return b.build();
  }

  /**
   * Queues the office's 1:1 copies of an approval card, once per completion and
   * person. Only a Redis error rejects (the inbound queue then retries the
   * message); anything else is logged and the completion stands.
   */
  async approvalCopies(chat: { platform: Platform; chatId: string; ledgerId: string }, reply: Reply, senderId: string): Promise<number> {
    try {
      return await this.queueCopies(chat, reply, senderId);
    } catch (e) {
      if (isRedisError(e)) throw e;
      this.d.logger?.error({ err: (e as Error).message, ledgerId: chat.ledgerId }, 'schedule: approval copies not queued');
      return 0;
    }
  }

  private async queueCopies(chat: { platform: Platform; chatId: string; ledgerId: string }, reply: Reply, senderId: string): Promise<number> {
    const { outbox, services } = this.d;
    if (!reply.actions || !outbox) return 0;
    if (!(await reachOf(this.d.sched, chat.ledgerId)).approvalDirect) return 0;
    const ledger = await services.ledgers.getLedger(chat.ledgerId);
    if (!ledger) return 0;
    const office = (await services.directory.listUsers())
      .filter((u) => u.platform === chat.platform && isOfficeOf(u, chat.ledgerId) && u.userId !== senderId);
    const sender = this.d.senders?.get(chat.platform);
    if (!office.length || !sendsDirect(sender)) return 0;
    const copy = approvalCopy(ledger.title, reply.actions);
    const now = services.clock.now().getTime();
    for (const u of office) {
      await outbox.enqueueDirect(chat, 'approval', { userId: u.userId, name: u.name }, reply.actions.id, now, copy, sender, now);
    }
    return office.length;
  }
}
