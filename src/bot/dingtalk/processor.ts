import type { Logger } from 'pino';
import type { IncomingMessage, Reply } from '../../core/message.js';
import { SendError } from '../../core/sender.js';
import { toIncoming, type RobotMessage } from './payload.js';
import type { Replier } from './replier.js';

export interface ProcessorOptions {
  handle(msg: IncomingMessage): Promise<Reply | null>;
  replier: Replier;
  logger: Logger;
}

const APOLOGY: Reply = {
  title: '整改督办',
  markdown: '抱歉，处理这条消息时出了点问题，请稍后再试。',
  text: '抱歉，处理这条消息时出了点问题，请稍后再试。',
  mentions: [],
  personal: true,
};

/**
 * Runs received robot messages through the core and sends the answer. Shared
 * by Stream and HTTP mode. `process` never rejects: the platform has already
 * been acknowledged, so a failure can only be logged (with the message id).
 */
export class MessageProcessor {
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly o: ProcessorOptions) {}

  /** Starts processing in the background and returns at once. */
  dispatch(m: RobotMessage, source: 'stream' | 'http'): void {
    this.track(() => this.process(m, source)).catch(() => {}); // process() logs its own failures
  }

  /** Runs `work` counted in `idle()`; the returned promise settles with it. */
  track(work: () => Promise<void>): Promise<void> {
    const p = Promise.resolve()
      .then(work)
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    return p;
  }

  /** Resolves when every dispatched message has been answered or has failed. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  async process(m: RobotMessage, source: 'stream' | 'http'): Promise<void> {
    const log = this.o.logger.child({ msgId: m.msgId, source });
    try {
      const msg = toIncoming(m);
      if (!msg) {
        log.debug({ msgtype: m.msgtype }, 'dingtalk: message type not handled');
        return;
      }
      log.debug({ text: msg.text }, 'dingtalk: message received');
      let reply: Reply | null;
      try {
        reply = await this.o.handle(msg);
      } catch (err) {
        log.error({ err }, 'dingtalk: handling the message failed');
        reply = APOLOGY;
      }
      if (!reply) return; // a duplicate the core already answered
      await this.o.replier.reply(m, reply);
    } catch (err) {
      const e = err as Error;
      const level = err instanceof SendError && err.kind === 'config' ? 'warn' : 'error';
      log[level]({ code: (err as SendError).code, kind: (err as SendError).kind, err: e.message }, 'dingtalk: reply not delivered');
    }
  }
}
