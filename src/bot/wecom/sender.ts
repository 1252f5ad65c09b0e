import type { Logger } from 'pino';
import type { Mention, Reply } from '../../core/message.js';
import type { ConfigProblem, RateLimiter } from '../../core/ports.js';
import { SendError, unsentParts as unsent, type ChatSender, type DirectTarget, type OutboundTarget, type PartTracker, type SendOptions } from '../../core/sender.js';
import { CONFIG_HINTS, TOKEN_CODES, callWecom, errorFor, type WecomAnswer } from './api.js';
import type { WecomConfig } from './config.js';
import { APP_PER_MEMBER_PER_MINUTE, ROBOT_PER_MINUTE, fingerprint, sleep as realSleep, takeSlots } from './limit.js';
import { LIMITS, dedupeMentions, isMentionableId, renderMarkdown } from './render.js';
import { packWords, splitByBytes, truncateBytes, utf8Bytes } from './split.js';
import type { AccessTokenCache } from './token.js';

/** The only host a `response_url` may point at (https://developer.work.weixin.qq.com/document/path/101138). */
export const WECOM_API_HOST = 'qyapi.weixin.qq.com';

/** What the sender needs; everything with side effects is injected. */
export interface WecomSenderDeps {
  config: WecomConfig;
  fetch: typeof fetch;
  rateLimiter: RateLimiter;
  reportProblem(p: ConfigProblem): Promise<void>;
  logger: Logger;
  tokens: AccessTokenCache | null;
  sleep?: (ms: number) => Promise<void>;
}

/** Extracts the key when a whole webhook URL was stored instead of the key (a common mix-up). */
export function webhookKeyOf(stored: string): string {
  const s = stored.trim();
  const m = /[?&]key=([^&#\s]+)/.exec(s);
  return m ? decodeURIComponent(m[1]!) : s;
}

/**
 * The WeCom ChatSender: group-robot webhook when the binding has a
 * `webhookKey`, the AI bot's one-shot `responseUrl` when given, else the
 * self-built app's `message/send` to `touser` (default: the chat id, a userid).
 */
export class WecomSender implements ChatSender {
  readonly platform = 'wecom' as const;
  private readonly sleep: (ms: number) => Promise<void>;
  private directCard?: (to: DirectTarget, reply: Reply) => Promise<void>;

  constructor(private readonly d: WecomSenderDeps) {
    this.sleep = d.sleep ?? realSleep;
  }

  robotKey(t: OutboundTarget): string {
    if (t.channel.webhookKey) return `wecom:robot:${fingerprint(webhookKeyOf(t.channel.webhookKey))}`;
    if (t.channel.responseUrl) return `wecom:aibot:${fingerprint(t.channel.responseUrl)}`;
    return `wecom:app:${this.d.config.agentId ?? 'none'}:${t.channel.touser ?? t.chatId}`;
  }

  async send(t: OutboundTarget, reply: Reply, opts: SendOptions = {}): Promise<void> {
    if (t.channel.webhookKey) return this.sendWebhookMarkdown(t, reply, opts.parts);
    if (t.channel.responseUrl) {
      await this.respond(t.channel.responseUrl, reply);
      return;
    }
    if (this.d.config.appSend) return this.sendApp(t, reply, opts.parts);
    throw await this.configProblem(t.chatId, 'no_channel',
      '该企业微信群没有发送渠道；请用 rectify bind --platform wecom --chat <群> --ledger <台账> --webhook-key <key> 绑定群机器人');
  }

  /** 1:1 needs the self-built app (WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET). */
  canSendDirect(): boolean {
    return this.d.config.appSend;
  }

  /** 30 messages a minute per member and app (limit.ts): one key per person. */
  directKey(userId: string): string {
    return `wecom:app:${this.d.config.agentId ?? 'none'}:${userId}`;
  }

  /** Set by the adapter when a card store is there: delivers a reply's decision as an app template card (app-cards.ts). */
  useDirectCards(f: (to: DirectTarget, reply: Reply) => Promise<void>): void {
    this.directCard = f;
  }

  /** 1:1 approval copies are app cards when the app can send and cards are kept. */
  sendsDirectCards(): boolean {
    return Boolean(this.directCard) && this.d.config.appSend;
  }

  /**
   * 1:1 through the self-built app's message/send to `touser`. A reply with
   * a decision becomes an app template card (its clicks come back on the app
   * callback); without a card store it goes as text naming the commands.
   */
  async sendDirect(to: DirectTarget, reply: Reply, opts: SendOptions = {}): Promise<void> {
    if (!this.d.config.appSend) {
      throw await this.configProblem(to.chatId, 'no_app', '企业微信私信提醒需要自建应用：请设置 WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET');
    }
    if (reply.actions && this.directCard) return this.directCard(to, reply);
    return this.sendApp({ platform: 'wecom', chatId: to.chatId, channel: { touser: to.userId } }, reply, opts.parts);
  }

  /** An app template_card to one member (D/90236); returns the send's response_code (one later update, 72 h). */
  async sendAppCard(chatId: string, touser: string, card: Record<string, unknown>): Promise<string | undefined> {
    await takeSlots(this.d.rateLimiter, this.directKey(touser), APP_PER_MEMBER_PER_MINUTE, 1, this.d.config.rateWaitMs, this.sleep);
    const body = { touser, msgtype: 'template_card', agentid: this.d.config.agentId, template_card: card };
    const a = await this.withToken((tok) =>
      this.call(`${this.d.config.apiBase}/cgi-bin/message/send?access_token=${encodeURIComponent(tok)}`, body, 'message/send'));
    await this.checked(chatId, a, 'message/send');
    return typeof a.response_code === 'string' ? a.response_code : undefined;
  }

  /** `message/update_template_card` (https://developer.work.weixin.qq.com/document/path/94888): one use of a response_code. */
  async updateAppCard(update: { response_code: string; userids?: string[]; atall?: 1; button?: { replace_name: string }; template_card?: Record<string, unknown> }): Promise<void> {
    const body = { ...update, agentid: this.d.config.agentId };
    const a = await this.withToken((tok) =>
      this.call(`${this.d.config.apiBase}/cgi-bin/message/update_template_card?access_token=${encodeURIComponent(tok)}`, body, 'update_template_card'));
    await this.checked(undefined, a, 'update_template_card');
  }

  /** A plain app text to one member (the answer to a card click: a refusal, a hint). */
  async sendAppText(touser: string, reply: Reply): Promise<void> {
    return this.sendApp({ platform: 'wecom', chatId: touser, channel: { touser } }, reply);
  }

  /** Group robot markdown, split at 4,096 bytes; mentions as `<@userid>` in the last part. */
  private async sendWebhookMarkdown(t: OutboundTarget, reply: Reply, tracker?: PartTracker): Promise<void> {
    const parts = splitByBytes(renderMarkdown(reply, 'robot', []), LIMITS.robotMarkdown);
    const tags = dedupeMentions(reply.mentions).filter((m) => isMentionableId(m.userId)).map((m) => `<@${m.userId}>`);
    // Many mentions may not fit one message either: whole tags, in as many messages as needed.
    const tagLines = packWords(tags, LIMITS.robotMarkdown);
    const last = parts.length - 1;
    if (tagLines.length === 1 && utf8Bytes(`${parts[last]}\n\n${tagLines[0]}`) <= LIMITS.robotMarkdown) parts[last] += `\n\n${tagLines[0]}`;
    else parts.push(...tagLines);
    await this.webhook(t, parts.map((content) => ({ msgtype: 'markdown', markdown: { content } })), tracker);
  }

  /** A text message whose `mentioned_list` @s people, for channels whose markdown cannot. */
  async mentionViaWebhook(t: OutboundTarget, text: string, mentions: Mention[]): Promise<void> {
    const ids = dedupeMentions(mentions).map((m) => m.userId).filter(isMentionableId);
    if (!ids.length || !t.channel.webhookKey) return;
    // `<@id>` inside text content also mentions: defuse it, only mentioned_list may @.
    const content = truncateBytes(text.replace(/</g, '＜'), LIMITS.robotText);
    await this.webhook(t, [{ msgtype: 'text', text: { content, mentioned_list: ids } }]);
  }

  private async webhook(t: OutboundTarget, payloads: object[], tracker?: PartTracker): Promise<void> {
    const key = webhookKeyOf(t.channel.webhookKey ?? '');
    if (!/^[A-Za-z0-9-]{8,128}$/.test(key)) {
      throw await this.configProblem(t.chatId, 'bad_webhook_key', CONFIG_HINTS[93000]!);
    }
    const todo = await unsent(payloads.length, tracker);
    await takeSlots(this.d.rateLimiter, this.robotKey(t), ROBOT_PER_MINUTE, todo.length, this.d.config.rateWaitMs, this.sleep);
    for (const i of todo) {
      // https://developer.work.weixin.qq.com/document/path/91770
      const url = `${this.d.config.apiBase}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
      await this.checked(t.chatId, await this.call(url, payloads[i], 'webhook/send'), 'webhook/send');
      await tracker?.mark(i);
    }
  }

  /** Self-built app `message/send` (markdown, 2,048 bytes a part) with token refetch. */
  private async sendApp(t: OutboundTarget, reply: Reply, tracker?: PartTracker): Promise<void> {
    const touser = t.channel.touser ?? t.chatId;
    const parts = splitByBytes(renderMarkdown(reply, 'app'), LIMITS.appMarkdown);
    const todo = await unsent(parts.length, tracker);
    await takeSlots(this.d.rateLimiter, this.robotKey(t), APP_PER_MEMBER_PER_MINUTE, todo.length, this.d.config.rateWaitMs, this.sleep);
    for (const i of todo) {
      const content = parts[i];
      const body = { touser, msgtype: 'markdown', agentid: this.d.config.agentId, markdown: { content } };
      await this.checked(t.chatId, await this.withToken((tok) =>
        // https://developer.work.weixin.qq.com/document/path/90236
        this.call(`${this.d.config.apiBase}/cgi-bin/message/send?access_token=${encodeURIComponent(tok)}`, body, 'message/send')),
      'message/send');
      await tracker?.mark(i);
    }
  }

  /**
   * AI-bot active reply through a callback's `response_url` (once, within an
   * hour). A URL off WeCom's API host is ignored (warned, URL not logged): it
   * came in a callback body, and following it would let a forged or tampered
   * callback make us POST ledger content anywhere.
   */
  /** Answers through an AI bot's response_url; false when the URL is not trusted (nothing sent). */
  async respond(responseUrl: string, reply: Reply, mentions: Mention[] = reply.mentions): Promise<boolean> {
    if (!this.trustedResponseUrl(responseUrl)) {
      this.d.logger.warn({ code: 'untrusted_response_url' }, 'wecom: response_url is not on the WeCom API host; answer not sent');
      return false;
    }
    const content = truncateBytes(renderMarkdown(reply, 'aibot', mentions), LIMITS.aibot);
    // https://developer.work.weixin.qq.com/document/path/101138
    const a = await this.call(responseUrl, { msgtype: 'markdown', markdown: { content } }, 'aibot/response');
    await this.checked(undefined, a, 'aibot/response');
    return true;
  }

  /** https://qyapi.weixin.qq.com (default port, no userinfo), or the configured API base (the fakes in tests). */
  private trustedResponseUrl(u: string): boolean {
    try {
      const url = new URL(u);
      if (url.username || url.password) return false;
      if (url.origin === new URL(this.d.config.apiBase).origin) return true;
      return url.protocol === 'https:' && url.hostname === WECOM_API_HOST && url.port === '';
    } catch {
      return false;
    }
  }

  private call(url: string, body: unknown, what: string): Promise<WecomAnswer> {
    return callWecom(url, { method: 'POST', body }, { fetch: this.d.fetch, timeoutMs: this.d.config.httpTimeoutMs, what });
  }

  /** Runs `op` with the cached token; on 40014/42001 refetches once and retries. */
  private async withToken(op: (token: string) => Promise<WecomAnswer>): Promise<WecomAnswer> {
    const tokens = this.d.tokens;
    if (!tokens) throw new SendError('config', 'no_app', 'WECOM_CORP_ID/WECOM_AGENT_ID/WECOM_SECRET are not set');
    const tok = await this.reportingConfig(undefined, () => tokens.get());
    const a = await op(tok);
    if (!a.errcode || !TOKEN_CODES.has(a.errcode)) return a;
    tokens.invalidate(tok);
    return op(await this.reportingConfig(undefined, () => tokens.get()));
  }

  private async reportingConfig<T>(chatId: string | undefined, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof SendError && e.kind === 'config') await this.report(chatId, e);
      throw e;
    }
  }

  private async checked(chatId: string | undefined, a: WecomAnswer, what: string): Promise<void> {
    if (!a.errcode) return;
    const err = errorFor(a.errcode, what);
    if (err.kind === 'config') await this.report(chatId, err);
    throw err;
  }

  private async configProblem(chatId: string, code: string, message: string): Promise<SendError> {
    const err = new SendError('config', code, message);
    await this.report(chatId, err);
    return err;
  }

  private async report(chatId: string | undefined, err: SendError): Promise<void> {
    this.d.logger.warn({ chatId, code: err.code }, 'wecom send needs the office: configuration problem');
    await this.d.reportProblem({ platform: 'wecom', chatId, code: err.code, message: err.message })
      .catch((e: Error) => this.d.logger.error({ err: e.message }, 'reportProblem failed'));
  }
}
