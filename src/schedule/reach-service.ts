import type { Logger } from 'pino';
import { isRedisError } from '../store/redis.js';
import { PLATFORMS, type Platform, type Reply } from '../core/message.js';
import { sendsDirect, type SenderRegistry } from '../core/sender.js';
import type { Services, Speaker } from '../commands/types.js';
import { DomainError } from '../core/errors.js';
import { ReplyBuilder } from '../commands/reply.js';
import type { ScheduleStore } from '../store/schedule-store.js';
import { reachOf } from './compose.js';
import type { Outbox } from './outbox.js';
import { describeReach, parseOnOff, parseReachMode, REACH_CHOICES, REACH_LABEL, type ReachMode } from './reach.js';
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

/** Who changed a setting: a chat speaker (with their role) or the CLI. */
type By = { name: string } | Speaker;

/** Where a 提醒方式 / 审批私信 is sent: the ledger, and the chat's platform (a group's or a 1:1 chat's). */
export interface ReachChat {
  platform: Platform;
  ledgerId: string;
}

const PLATFORM_NAME: Record<Platform, string> = { dingtalk: '钉钉', wecom: '企业微信', console: '本机控制台' };
/** Why a platform cannot send 1:1 (the administrator's fix is in the README, 定时通报与到期提醒). */
const DIRECT_NEEDS: Record<Platform, string> = {
  dingtalk: '只有群自定义机器人，未配置钉钉应用机器人',
  wecom: '未配置企业微信自建应用',
  console: '未启用本机私信',
};

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

  /** 提醒方式 [phrase]: anyone in the chat may look; setting is the office's (the command's roles). */
  async reach(chat: ReachChat, phrase: string, by: By): Promise<Reply> {
    const p = phrase.trim().replace(/^[：:]\s*/, '');
    if (!p) return this.show(chat.ledgerId, '提醒方式', by);
    const mode = parseReachMode(p);
    if (!mode) {
      throw new DomainError('bad_reach', `无法识别提醒方式“${p.slice(0, 20)}”。`,
        `用法：${REACH_CHOICES}。私信：到期提醒和“回头看”提示私信发给责任人、责任领导；群内：在本群@相关人员（默认）；先私信后群内：到期前私信，逾期后在群内@。`);
    }
    await this.setMode(chat.ledgerId, mode, by);
    const s = await reachOf(this.d.sched, chat.ledgerId);
    const b = new ReplyBuilder('提醒方式已设置');
    const blocked = mode === 'group' ? [] : await this.withoutDirect(chat);
    if (blocked.length) {
      b.line(`已设置为**${REACH_LABEL[mode]}**（${by.name}设置）；但${blocked.join('；')}，提醒仍将发到群内@相关人员。管理员配置好私信通道后即按私信发送。`);
    } else {
      b.line(`✅ 已设置为：**${REACH_LABEL[mode]}**（${by.name}设置）。`);
    }
    if (mode !== 'group') b.line('未登记本平台账号的人员无法私信，仍在群内提醒；每人每档只收到一条私信，列出其全部到期事项，收到后可直接在私信中回复进展。');
    b.line(`完成申报私信整改办：${s.approvalDirect ? '开' : '关'}（发送“审批私信 ${s.approvalDirect ? '关' : '开'}”可${s.approvalDirect ? '关闭' : '开启'}）。`);
    return b.build();
  }

  /** 审批私信 [开|关]. */
  async approvalDirect(chat: ReachChat, phrase: string, by: By): Promise<Reply> {
    const p = phrase.trim();
    if (!p) return this.show(chat.ledgerId, '审批私信', by);
    const on = parseOnOff(p);
    if (on === null) throw new DomainError('bad_switch', `无法识别“${p.slice(0, 20)}”，请写“开”或“关”。`, `用法：${APPROVAL_DIRECT_USAGE}`);
    await this.setApprovalDirect(chat.ledgerId, on, by);
    const b = new ReplyBuilder('审批私信已设置');
    if (!on) {
      b.line(`✅ 已关闭：申报完成后，审核卡片只发到群里（${by.name}设置）。`);
      return b.build();
    }
    b.line(`✅ 已开启：责任人申报完成后，除群内的审核卡片外，整改办成员还会收到私信（${by.name}设置）：`);
    for (const l of await this.copyForms(chat)) b.item(l);
    return b.build();
  }

  private async show(ledgerId: string, which: '提醒方式' | '审批私信', by: By): Promise<Reply> {
    const s = await reachOf(this.d.sched, ledgerId);
    const b = new ReplyBuilder(which);
    b.line(describeReach(s));
    const office = 'role' in by ? by.role === 'office' : true;
    const how = which === '提醒方式' ? REACH_CHOICES : '审批私信 开 | 关';
    b.line(office ? `修改请发送：${how}` : `如需修改，请整改办发送：${how}`);
    return b.build();
  }

  /** The platforms of the ledger's groups (and this chat's) that cannot send 1:1, as sentences. */
  private async withoutDirect(chat: ReachChat): Promise<string[]> {
    const out: string[] = [];
    for (const p of await this.platformsOf(chat)) {
      if (sendsDirect(this.d.senders?.get(p))) continue;
      const here = p === chat.platform ? '本群所在平台' : `本台账在${PLATFORM_NAME[p]}的群`;
      out.push(`${here}（${PLATFORM_NAME[p]}）${DIRECT_NEEDS[p]}，无法发私信`);
    }
    return out;
  }

  /** What the office's 1:1 copy looks like on each platform of the ledger's groups. */
  private async copyForms(chat: ReachChat): Promise<string[]> {
    return (await this.platformsOf(chat)).map((p) => {
      const sender = this.d.senders?.get(p);
      if (!sendsDirect(sender)) return `${PLATFORM_NAME[p]}：${DIRECT_NEEDS[p]}，无法发私信，审核只在群内`;
      if (sender?.sendsDirectCards?.()) return `${PLATFORM_NAME[p]}：${p === 'wecom' ? '自建应用' : ''}私信审核卡片，可直接点“销号”“退回”`;
      return `${PLATFORM_NAME[p]}：私信文字通知（列出申报内容），在私信中回复“销号 编号”或“退回 编号 原因”即可审核`;
    });
  }

  private async platformsOf(chat: ReachChat): Promise<Platform[]> {
    const bound = (await this.d.services.directory.listBindings()).filter((b) => b.ledgerId === chat.ledgerId).map((b) => b.platform);
    const all = new Set<Platform>([chat.platform, ...bound]);
    return PLATFORMS.filter((p) => all.has(p));
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
    const office = (await services.directory.officeMembers(chat.platform, chat.ledgerId)).filter((u) => u.userId !== senderId);
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
