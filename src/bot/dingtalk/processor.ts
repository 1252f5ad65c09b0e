import type { Logger } from 'pino';
import type { IncomingMessage, Reply } from '../../core/message.js';
import type { InboundPort, ReplyRoute } from '../../core/ports.js';
import { SendError } from '../../core/sender.js';
import { toIncoming, type RobotMessage } from './payload.js';
import type { Replier } from './replier.js';

export interface IntakeOptions {
  inbound: InboundPort;
  replier: Replier;
  logger: Logger;
  /** Sends queued answers (default: the replier); the card layer wraps it. */
  deliver?: import('../../core/ports.js').Deliverer;
}

/** What DingTalk should be told about a received message. */
export type IntakeOutcome = 'accepted' | 'duplicate' | 'ignored' | 'busy' | 'unavailable' | 'replay';

const BUSY: Reply = {
  title: '整改督办',
  markdown: '⚠️ 当前消息较多，机器人繁忙，您的这条消息未被记录，请稍后再试。',
  text: '当前消息较多，机器人繁忙，您的这条消息未被记录，请稍后再试。',
  mentions: [],
  personal: true,
};

const UNCERTAIN: Reply = {
  title: '整改督办',
  markdown: '⚠️ 服务响应缓慢，这条消息可能已经记录，也可能没有。请稍后发送“进度”或“历史 编号”查看，确认未记录再重新发送，以免重复。',
  text: '服务响应缓慢，这条消息可能已经记录，也可能没有。请稍后发送“进度”或“历史 编号”查看，确认未记录再重新发送，以免重复。',
  mentions: [],
  personal: true,
};

const UNSUPPORTED: Reply = {
  title: '整改督办',
  markdown: '目前只能识别文字、图片和文件。请用文字发送指令，例如“进度”“查看 二.3”“3.2 已完成，制度已印发”；佐证材料请以图片或文件发送。',
  text: '目前只能识别文字、图片和文件。请用文字发送指令，例如“进度”“查看 二.3”“3.2 已完成，制度已印发”；佐证材料请以图片或文件发送。',
  mentions: [],
  personal: true,
};

const UNAVAILABLE: Reply = {
  title: '整改督办',
  markdown: '⚠️ 服务暂时不可用，您的这条消息未被记录，请稍后重新发送。',
  text: '服务暂时不可用，您的这条消息未被记录，请稍后重新发送。',
  mentions: [],
  personal: true,
};

/** The fields of a robot message that answering it needs (stored with the queued message). */
const ROUTE_FIELDS = ['msgId', 'conversationId', 'conversationType', 'senderStaffId', 'sessionWebhook', 'sessionWebhookExpiredTime'] as const;

function routeOf(m: RobotMessage): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const f of ROUTE_FIELDS) if (m[f] !== undefined) r[f] = m[f];
  return r;
}

/**
 * Hands received robot messages (Stream and HTTP mode alike) to the durable
 * inbound queue; the caller acknowledges DingTalk only after `accept` returns.
 * Answers go out later through `deliver` (sessionWebhook, else OpenAPI).
 * When the message cannot be kept (Redis down, backlog full) the sender is
 * told so at once, directly: nothing is acknowledged silently.
 */
export class DingtalkIntake {
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly o: IntakeOptions) {
    o.inbound.onDeliver('dingtalk', o.deliver ?? ((route, reply) => this.o.replier.reply(route as unknown as RobotMessage, reply)));
  }

  /**
   * `guard`: the HTTP callback's sign, kept with the message (ReplyRoute.guard); a sign already
   * kept with another msgId is a replay: 'replay', nothing kept, nobody told. Checked only for a
   * message that is kept: the caller checks the sign itself for one that is not (see willKeep).
   */
  async accept(m: RobotMessage, source: 'stream' | 'http', guard?: ReplyRoute['guard']): Promise<IntakeOutcome> {
    const msg = this.decoded?.m === m ? this.decoded.msg : toIncoming(m);
    this.decoded = null;
    if (!msg) {
      this.o.logger.debug({ msgtype: m.msgtype, source }, 'dingtalk: message type not handled');
      // A video, voice without transcript or other type gets a hint, not silence.
      this.answerNow(m, UNSUPPORTED);
      return 'ignored';
    }
    let state: 'accepted' | 'duplicate' | 'full' | 'replay';
    try {
      // HTTP callbacks: DingTalk waits for the 200, so a held one paces it (Stream frames do not wait).
      state = await this.o.inbound.submit(msg, { passive: false, admit: source === 'http', data: routeOf(m), ...(guard ? { guard } : {}) });
    } catch (err) {
      const message = (err as Error).message;
      this.o.logger.error({ msgId: m.msgId, source, err: message }, 'dingtalk: message could not be queued');
      // With its sign unchecked the body may be a replay's: nobody is told (DingTalk gets a 503).
      if (guard) return 'unavailable';
      // A timed-out submit may still have been applied by Redis: say so rather than "not recorded".
      this.answerNow(m, /timed out/i.test(message) ? UNCERTAIN : UNAVAILABLE);
      return 'unavailable';
    }
    if (state === 'replay') return 'replay';
    if (state === 'full') {
      this.o.logger.warn({ msgId: m.msgId, source }, 'dingtalk: inbound backlog full, sender told to retry');
      this.answerNow(m, BUSY);
      return 'busy';
    }
    return state;
  }

  /** Whether `accept` would keep this message (a type it handles), so its sign can be checked in the submit. */
  willKeep(m: RobotMessage): boolean {
    this.decoded = { m, msg: toIncoming(m) };
    return this.decoded.msg !== null;
  }

  /** What willKeep decoded, for the accept of the same message that follows it (toIncoming is pure). */
  private decoded: { m: RobotMessage; msg: IncomingMessage | null } | null = null;

  /** A direct answer for a message that was not kept (it cannot go through the durable queue). */
  private answerNow(m: RobotMessage, reply: Reply): void {
    const p: Promise<void> = this.o.replier.reply(m, reply)
      .catch((err: unknown) => {
        const level = err instanceof SendError && err.kind === 'config' ? 'warn' : 'error';
        this.o.logger[level]({ msgId: m.msgId, code: (err as SendError).code, err: (err as Error).message }, 'dingtalk: notice not delivered');
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Resolves when every direct notice has gone out (or failed). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }
}
