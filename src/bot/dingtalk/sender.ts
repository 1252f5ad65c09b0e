import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Reply } from '../../core/message.js';
import type { ConfigProblem, RateLimiter } from '../../core/ports.js';
import { SendError, unsentParts, type ChatSender, type DirectTarget, type OutboundTarget, type PartTracker, type SendOptions } from '../../core/sender.js';
import type { RobotApi } from './openapi.js';
import { OPENAPI_MAX_BYTES, renderReply, WEBHOOK_MAX_BYTES } from './render.js';
import { sendByCustomRobot } from './webhook.js';

/** DingTalk allows a robot 20 messages a minute and throttles it for 10 minutes beyond that. */
export const ROBOT_LIMIT = 20;
export const ROBOT_WINDOW_MS = 60_000;

export interface DingtalkSenderOptions {
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
  rateLimiter: RateLimiter;
  reportProblem(p: ConfigProblem): Promise<void>;
  /** Null when no app credentials are configured: only custom-robot webhooks can be used. */
  api: RobotApi | null;
  robotCode?: string;
  oapiBase: string;
  lightStyle: 'emoji' | 'font';
  timeoutMs: number;
  /** Longest we wait for a local rate-limit slot before throwing 'rate_limited' to the caller. */
  maxWaitMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Proactive sends (digests, reminders) to a bound group. The channel settings
 * choose the route: `webhookToken` (+ `webhookSecret`) = the group's custom
 * robot, otherwise the app robot's OpenAPI by openConversationId (the
 * binding's chatId, or `channel.openConversationId` when set).
 */
export class DingtalkSender implements ChatSender {
  readonly platform = 'dingtalk' as const;
  /** Set by the adapter when approval cards are configured: delivers a reply's card into a user's 1:1 chat. */
  private directCard?: (to: DirectTarget, reply: Reply) => Promise<void>;

  constructor(private readonly o: DingtalkSenderOptions) {}

  /** Lets 1:1 replies that offer a decision (approval copies) arrive as cards. */
  useDirectCards(f: (to: DirectTarget, reply: Reply) => Promise<void>): void {
    this.directCard = f;
  }

  /** 1:1 approval copies are cards only with a card template (DINGTALK_CARD_TEMPLATE_ID). */
  sendsDirectCards(): boolean {
    return Boolean(this.directCard) && this.canSendDirect();
  }

  /** 1:1 needs the app robot (a custom-robot webhook only reaches its group). */
  canSendDirect(): boolean {
    return Boolean(this.o.api);
  }

  /**
   * No per-robot limit is documented for oToMessages/batchSend (only the
   * platform-wide 90002 and flowControlledStaffIdList): 1:1 sends share one
   * key per robot at the group robot's 20 a minute, to stay well clear.
   */
  directKey(_userId: string): string {
    return `dingtalk:oto:${this.o.robotCode ?? 'none'}`;
  }

  /** 1:1 through the app robot (oToMessages/batchSend); a reply with a decision becomes a card when cards are set up. */
  async sendDirect(to: DirectTarget, reply: Reply, opts: SendOptions = {}): Promise<void> {
    const api = this.o.api;
    try {
      if (reply.actions && this.directCard) return await this.directCard(to, reply);
      if (!api) throw new SendError('config', 'no_app', 'DingTalk 1:1 messages need DINGTALK_CLIENT_ID/SECRET and DINGTALK_ROBOT_CODE');
      const parts = renderReply(reply, { maxBytes: OPENAPI_MAX_BYTES, canMention: false, lightStyle: this.o.lightStyle });
      const todo = await unsentParts(parts.length, opts.parts);
      const key = this.directKey(to.userId);
      for (let i = 0; i < todo.length; i++) await this.takeSlot(key);
      for (const i of todo) {
        await api.sendToUser(to.userId, parts[i]!);
        await opts.parts?.mark(i);
      }
    } catch (err) {
      const e = err instanceof SendError ? err : new SendError('retry', 'unexpected', (err as Error).message);
      if (e.kind === 'config') await this.report(to.chatId, e);
      throw e;
    }
  }

  robotKey(target: OutboundTarget): string {
    const token = target.channel.webhookToken;
    // Hashed: the key lands in Redis and logs, the webhook token must not.
    if (token) return `dingtalk:webhook:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
    return `dingtalk:app:${this.o.robotCode ?? 'none'}`;
  }

  async send(target: OutboundTarget, reply: Reply, opts: SendOptions = {}): Promise<void> {
    try {
      await this.sendParts(target, reply, opts.parts);
    } catch (err) {
      const e = err instanceof SendError ? err : new SendError('retry', 'unexpected', (err as Error).message);
      if (e.kind === 'config') await this.report(target.chatId, e);
      throw e;
    }
  }

  private async sendParts(target: OutboundTarget, reply: Reply, tracker?: PartTracker): Promise<void> {
    const token = target.channel.webhookToken;
    const api = this.o.api;
    if (!token && !api) {
      throw new SendError('config', 'no_channel', 'No DingTalk app credentials and no custom robot webhook for this group');
    }
    const parts = renderReply(reply, {
      maxBytes: token ? WEBHOOK_MAX_BYTES : OPENAPI_MAX_BYTES,
      canMention: Boolean(token),
      lightStyle: this.o.lightStyle,
    });
    // Take every slot before sending anything, so a throttled multi-part reply is not half sent.
    const key = this.robotKey(target);
    const todo = await unsentParts(parts.length, tracker);
    for (let i = 0; i < todo.length; i++) await this.takeSlot(key);
    for (const i of todo) {
      const m = parts[i];
      if (token) {
        const robot = { token, secret: target.channel.webhookSecret || undefined };
        await sendByCustomRobot(this.o.fetch, this.o.oapiBase, robot, m, this.o.clock.now().getTime(), this.o.timeoutMs);
      } else {
        await api!.sendToGroup(target.channel.openConversationId || target.chatId, m);
      }
      await tracker?.mark(i);
    }
  }

  private async takeSlot(key: string): Promise<void> {
    let waited = 0;
    for (;;) {
      const wait = await this.o.rateLimiter.take(key, ROBOT_LIMIT, ROBOT_WINDOW_MS);
      if (wait <= 0) return;
      if (waited + wait > this.o.maxWaitMs) {
        throw new SendError('rate_limited', 'local_limit', `DingTalk robot limit of ${ROBOT_LIMIT}/min reached`, wait);
      }
      await sleep(wait);
      waited += wait;
    }
  }

  private async report(chatId: string, e: SendError): Promise<void> {
    try {
      await this.o.reportProblem({ platform: 'dingtalk', chatId, code: e.code, message: e.message });
    } catch (err) {
      this.o.logger.error({ err, code: e.code }, 'dingtalk: could not report a configuration problem');
    }
  }
}
