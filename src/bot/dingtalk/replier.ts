import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Reply } from '../../core/message.js';
import { SendError } from '../../core/sender.js';
import type { RobotApi } from './openapi.js';
import { sessionWebhookExpiry, type RobotMessage } from './payload.js';
import { OPENAPI_MAX_BYTES, renderReply, WEBHOOK_MAX_BYTES } from './render.js';
import type { DingtalkSender } from './sender.js';
import { sendBySession } from './webhook.js';

/** Stop using a sessionWebhook this long before its stated expiry: a send in flight must not straddle it. */
const EXPIRY_MARGIN_MS = 60_000;

export interface ReplierOptions {
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
  api: RobotApi | null;
  sender: DingtalkSender;
  oapiBase: string;
  lightStyle: 'emoji' | 'font';
  timeoutMs: number;
}

/**
 * Answers a received message: through its sessionWebhook while valid, else
 * (expired, missing, untrusted, or refused) through the robot OpenAPI.
 */
export class Replier {
  /** The configured oapi host's origin and the sendBySession path on it (null: an unparsable oapiBase trusts nothing). */
  private readonly session: { origin: string; path: string; prefix: string | null } | null;

  constructor(private readonly o: ReplierOptions) {
    let base: URL | null = null;
    try {
      base = new URL(o.oapiBase);
    } catch {
      // Left null: no sessionWebhook is trusted.
    }
    const path = base ? `${base.pathname.replace(/\/$/, '')}/robot/sendBySession` : '';
    // An opaque origin ('null': not http(s)) has no spelling to compare with: such bases always parse.
    this.session = base ? { origin: base.origin, path, prefix: base.origin === 'null' ? null : `${base.origin}${path}` } : null;
  }

  /**
   * A sessionWebhook is only trusted on the configured oapi host: the HTTP-mode
   * signature does not cover the body, so a replayed signature with a forged
   * body must not make us post ledger content to an arbitrary URL. Origin and
   * path must be exactly those of the oapi base. A URL spelled exactly as the
   * serialised origin + path, then a query or nothing (the form DingTalk sends),
   * parses to just those, so it is trusted without a parse; any other spelling is parsed and compared.
   */
  trustedWebhook(url: string | undefined): url is string {
    if (!url || !this.session) return false;
    const { origin, path, prefix } = this.session;
    if (prefix && url.startsWith(prefix) && (url.length === prefix.length || url.charCodeAt(prefix.length) === 0x3f /* ? */)) return true;
    try {
      const u = new URL(url);
      return u.origin === origin && u.pathname === path;
    } catch {
      return false;
    }
  }

  async reply(m: RobotMessage, reply: Reply): Promise<void> {
    const now = this.o.clock.now().getTime();
    const expiry = sessionWebhookExpiry(m);
    const fresh = expiry === 0 || now < expiry - EXPIRY_MARGIN_MS;
    if (this.trustedWebhook(m.sessionWebhook) && fresh) {
      // An @ only means something in a group; in a 1:1 chat it would show as a raw id.
      const group = m.conversationType === '2';
      const parts = renderReply(reply, {
        maxBytes: WEBHOOK_MAX_BYTES,
        canMention: group,
        personalUserId: group ? m.senderStaffId : undefined,
        lightStyle: this.o.lightStyle,
      });
      try {
        await sendBySession(this.o.fetch, m.sessionWebhook, parts[0]!, this.o.timeoutMs);
      } catch (err) {
        // A timeout may have delivered; resending through the OpenAPI could double the answer.
        if (!(err instanceof SendError) || err.code === 'timeout' || err.kind === 'rate_limited') throw err;
        this.o.logger.warn({ msgId: m.msgId, code: err.code }, 'dingtalk: sessionWebhook refused, replying through OpenAPI');
        return this.viaOpenApi(m, reply);
      }
      for (const p of parts.slice(1)) await sendBySession(this.o.fetch, m.sessionWebhook, p, this.o.timeoutMs);
      return;
    }
    return this.viaOpenApi(m, reply);
  }

  private async viaOpenApi(m: RobotMessage, reply: Reply): Promise<void> {
    if (m.conversationType === '2') {
      await this.o.sender.send({ platform: 'dingtalk', chatId: m.conversationId, channel: {} }, reply);
      return;
    }
    if (!this.o.api || !m.senderStaffId) {
      throw new SendError('config', 'no_channel', 'sessionWebhook expired and no way to reach this user');
    }
    const parts = renderReply(reply, { maxBytes: OPENAPI_MAX_BYTES, canMention: false, lightStyle: this.o.lightStyle });
    for (const p of parts) await this.o.api.sendToUser(m.senderStaffId, p);
  }
}
