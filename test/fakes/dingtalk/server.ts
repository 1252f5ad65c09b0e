import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultQueue } from './http-util.js';
import { FakeOpenApi } from './openapi.js';
import { FakeStream } from './stream.js';

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
  private readonly server: Server;
  private port = 0;

  private constructor(o: FakeDingtalkOptions) {
    // Random per instance: the robot's rate-limit key in the shared test Redis is derived from it.
    this.clientId = o.clientId ?? `ding${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    this.clientSecret = o.clientSecret ?? 'fake-client-secret-0123456789';
    const creds = { clientId: this.clientId, clientSecret: this.clientSecret };
    const base = () => this.baseUrl;
    this.stream = new FakeStream(creds, this.faults, base);
    this.api = new FakeOpenApi(creds, this.faults, o.now ?? Date.now, base);
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', this.baseUrl);
      const query = Object.fromEntries(url.searchParams);
      const handle = async () => {
        if (req.method === 'POST' && url.pathname === '/v1.0/gateway/connections/open') return this.stream.gateway(req, res);
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
    return [...this.stream.violations, ...this.api.violations];
  }

  async close(): Promise<void> {
    this.stream.close();
    for (const r of this.api.hung) r.socket?.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
