import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultQueue } from './http-util.js';
import { FakeOpenApi } from './openapi.js';
import { FakeStream } from './stream.js';
import { FakeCards } from './cards.js';
import { readBody, sendJson } from './http-util.js';
import { FakeDingtalkMedia } from './media.js';

export interface FakeDingtalkOptions {
  clientId?: string;
  clientSecret?: string;
  /** The fake's clock for token expiry, session expiry and 加签 skew (defaults to Date.now). */
  now?: () => number;
}

/**
 * A local DingTalk speaking the real protocols on 127.0.0.1: Stream gateway
 * and WebSocket, OpenAPI (api.dingtalk.com) and oapi webhooks on one port.
 * Point DINGTALK_GATEWAY_URL, DINGTALK_API_BASE and DINGTALK_OAPI_BASE at it.
 */
export class FakeDingtalk {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly faults = new FaultQueue();
  readonly stream: FakeStream;
  readonly api: FakeOpenApi;
  readonly cards: FakeCards;
  /** Robot message files: messageFiles/download and the OSS host serving its temporary URLs. */
  readonly media: FakeDingtalkMedia;
  /** The card template the fake's card platform knows. */
  readonly cardTemplateId = 'a1b2c3d4-approval.schema';
  private readonly server: Server;
  private port = 0;

  private constructor(o: FakeDingtalkOptions) {
    // Random per instance: the robot's rate-limit key in the shared test Redis is derived from it.
    this.clientId = o.clientId ?? `ding${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    // Random too: HTTP-mode signs cover only the timestamp, so two test files signing in the same
    // millisecond with one secret made the same sign, and the shared replay guard refused the second.
    this.clientSecret = o.clientSecret ?? `fake-client-secret-${randomUUID()}`;
    const creds = { clientId: this.clientId, clientSecret: this.clientSecret };
    const base = () => this.baseUrl;
    this.stream = new FakeStream(creds, this.faults, base);
    this.api = new FakeOpenApi(creds, this.faults, o.now ?? Date.now, base);
    this.cards = new FakeCards(this.clientId);
    this.cards.templates.add(this.cardTemplateId);
    const now = o.now ?? Date.now;
    this.media = new FakeDingtalkMedia(now);
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', this.baseUrl);
      const query = Object.fromEntries(url.searchParams);
      const handle = async () => {
        if (req.method === 'POST' && url.pathname === '/v1.0/gateway/connections/open') return this.stream.gateway(req, res);
        if (url.pathname.startsWith('/v1.0/card/instances')) {
          const token = String(req.headers['x-acs-dingtalk-access-token'] ?? '');
          const text = await readBody(req);
          if ((this.api.tokens.get(token) ?? 0) <= now()) return sendJson(res, 400, { code: 'InvalidAuthentication', message: '不合法的access_token' });
          if (await this.cards.route(req.method ?? '', url.pathname, JSON.parse(text || '{}'), req, res)) return;
        }
        if (req.method === 'POST' && url.pathname === '/v1.0/robot/messageFiles/download') {
          const token = String(req.headers['x-acs-dingtalk-access-token'] ?? '');
          let body: Record<string, unknown> = {};
          try { body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>; } catch { /* judged as missing fields */ }
          return this.media.download(body, (this.api.tokens.get(token) ?? 0) > now(), res);
        }
        if (req.method === 'POST' && (await this.api.route(url.pathname, query, req, res))) return;
        res.writeHead(404).end();
      };
      handle().catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500).end(err.message);
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', this.baseUrl).pathname === '/connect') this.stream.upgrade(req, socket, head);
      else socket.destroy();
    });
  }

  static async start(o: FakeDingtalkOptions = {}): Promise<FakeDingtalk> {
    const f = new FakeDingtalk(o);
    await new Promise<void>((resolve) => f.server.listen(0, '127.0.0.1', resolve));
    await f.media.start();
    f.port = (f.server.address() as AddressInfo).port;
    return f;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** DINGTALK_* variables pointing the adapter at this fake. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      DINGTALK_CLIENT_ID: this.clientId,
      DINGTALK_CLIENT_SECRET: this.clientSecret,
      DINGTALK_API_BASE: this.baseUrl,
      DINGTALK_OAPI_BASE: this.baseUrl,
      DINGTALK_GATEWAY_URL: `${this.baseUrl}/v1.0/gateway/connections/open`,
      ...extra,
    };
  }

  /** Protocol violations seen by any part of the fake. */
  get violations(): string[] {
    return [...this.stream.violations, ...this.api.violations, ...this.cards.violations];
  }

  /**
   * `userId` presses a card button: the Stream callback frame as DingTalk sends it
   * (data {outTrackId, userId, type: actionCallback, content: JSON {cardPrivateData}}),
   * then the ACK's card data is applied to the card. Returns the ACK and how long it took.
   */
  async pressCard(outTrackId: string, userId: string, actionId: string, params: Record<string, string> = {}, o: { messageId?: string; ackMs?: number } = {}) {
    const card = this.cards.cards.get(outTrackId);
    if (!card) throw new Error(`fake dingtalk: no card ${outTrackId}`);
    const started = Date.now();
    const messageId = o.messageId ?? `${randomUUID().slice(0, 8)}_card_1898c159aa6`;
    const acked = this.stream.waitAck(messageId, o.ackMs ?? 10_000);
    this.stream.pushCard({
      outTrackId, userId, corpId: 'dingcorp', spaceType: card.openSpaceId.includes('//IM_ROBOT.') ? 'IM_ROBOT' : 'IM_GROUP', spaceId: card.openSpaceId.split('.').pop(),
      type: 'actionCallback', value: '', content: JSON.stringify({ cardPrivateData: { actionIds: [actionId], params } }),
    }, { messageId });
    const ack = await acked;
    this.cards.applyAck(outTrackId, userId, ack.data);
    return { ack, ms: Date.now() - started, messageId };
  }

  async close(): Promise<void> {
    this.stream.close();
    await this.media.close();
    for (const r of this.api.hung) r.socket?.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
