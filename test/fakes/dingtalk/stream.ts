import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { readBody, sendJson, type FaultQueue } from './http-util.js';

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const TOPIC_CARD = '/v1.0/card/instances/callback';
const TICKET_TTL_MS = 90_000;

/** A frame the client sent back (ACK), as parsed JSON. */
export interface AckFrame {
  code: number;
  headers: { messageId: string; contentType?: string; [k: string]: unknown };
  message: string;
  data: string;
}

/** One client connection on the fake gateway. */
export class FakeStreamConn {
  readonly acks: AckFrame[] = [];
  constructor(readonly id: string, readonly ws: WebSocket) {}
  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }
  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }
}

/**
 * The Stream side of the fake: `POST /v1.0/gateway/connections/open` issuing
 * single-use tickets, and the WebSocket endpoint that pushes SYSTEM and
 * CALLBACK frames and checks the client's ACKs against the protocol
 * (https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description).
 */
export class FakeStream {
  readonly wss = new WebSocketServer({ noServer: true });
  readonly conns: FakeStreamConn[] = [];
  readonly gatewayBodies: Record<string, unknown>[] = [];
  /** Protocol violations seen (bad ACK shape, bad gateway request); tests assert it stays empty. */
  readonly violations: string[] = [];
  private readonly tickets = new Map<string, number>();
  private readonly ackWaiters = new Map<string, Array<(a: AckFrame) => void>>();
  connectCount = 0;

  constructor(
    private readonly creds: { clientId: string; clientSecret: string },
    private readonly faults: FaultQueue,
    private readonly baseUrl: () => string,
  ) {}

  /** The gateway open endpoint. */
  async gateway(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    this.gatewayBodies.push(body);
    const fault = this.faults.take('gateway');
    if (fault?.kind === 'status') return sendJson(res, fault.status, fault.body ?? { code: 'SystemError' });
    if (!String(req.headers.accept ?? '').includes('application/json')) {
      this.violations.push('gateway: Accept: application/json missing');
      res.writeHead(200, { 'Content-Type': 'application/xml' }).end('<xml/>');
      return;
    }
    if (body.clientId !== this.creds.clientId || body.clientSecret !== this.creds.clientSecret) {
      return sendJson(res, 401, { code: 'InvalidAuthentication', message: 'bad client credentials' });
    }
    const subs = Array.isArray(body.subscriptions) ? (body.subscriptions as Array<Record<string, unknown>>) : [];
    if (!subs.some((s) => s.type === 'CALLBACK' && s.topic === TOPIC_ROBOT)) this.violations.push('gateway: robot topic not subscribed');
    const ticket = randomUUID();
    this.tickets.set(ticket, Date.now());
    sendJson(res, 200, { endpoint: `${this.baseUrl().replace(/^http/, 'ws')}/connect`, ticket });
  }

  /** WebSocket upgrade at /connect?ticket=…: the ticket is valid once, for 90 s. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ticket = new URL(req.url ?? '', 'http://x').searchParams.get('ticket') ?? '';
    const issued = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (issued === undefined || Date.now() - issued > TICKET_TTL_MS) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new FakeStreamConn(`conn-${++this.connectCount}`, ws);
      this.conns.push(conn);
      ws.on('message', (raw) => this.onClientFrame(conn, raw.toString()));
      ws.on('close', () => {
        const i = this.conns.indexOf(conn);
        if (i >= 0) this.conns.splice(i, 1);
      });
      ws.on('error', () => {});
      this.wss.emit('connection', ws, req);
    });
  }

  private onClientFrame(conn: FakeStreamConn, raw: string): void {
    let f: AckFrame;
    try {
      f = JSON.parse(raw) as AckFrame;
    } catch {
      this.violations.push(`ack: not JSON: ${raw.slice(0, 80)}`);
      return;
    }
    if (f.code !== 200 || typeof f.headers?.messageId !== 'string' || typeof f.data !== 'string' || f.message !== 'OK') {
      this.violations.push(`ack: bad shape: ${raw.slice(0, 120)}`);
      return;
    }
    conn.acks.push(f);
    const ws = this.ackWaiters.get(f.headers.messageId) ?? [];
    this.ackWaiters.delete(f.headers.messageId);
    for (const w of ws) w(f);
  }

  /** The newest open connection (DingTalk picks one at random; tests want determinism). */
  current(): FakeStreamConn | undefined {
    return [...this.conns].reverse().find((c) => c.open);
  }

  /** Resolves with the ACK for `messageId`, or rejects after `ms`. */
  waitAck(messageId: string, ms = 5_000): Promise<AckFrame> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ACK for ${messageId}`)), ms);
      const list = this.ackWaiters.get(messageId) ?? [];
      list.push((a) => {
        clearTimeout(t);
        resolve(a);
      });
      this.ackWaiters.set(messageId, list);
    });
  }

  /** Pushes a robot message CALLBACK frame; returns the frame's messageId. */
  pushRobot(payload: Record<string, unknown>, opts: { messageId?: string; conn?: FakeStreamConn } = {}): string {
    const conn = opts.conn ?? this.current();
    if (!conn) throw new Error('no open stream connection');
    const messageId = opts.messageId ?? `${randomUUID().slice(0, 8)}_974_1898c159aa6_1783b`;
    conn.send({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: { appId: 'fake-app', contentType: 'application/json', messageId, time: String(Date.now()), topic: TOPIC_ROBOT },
      data: JSON.stringify(payload),
    });
    return messageId;
  }

  /** Whether the connection's gateway request subscribed card callbacks (the last request wins). */
  cardSubscribed(): boolean {
    const subs = (this.gatewayBodies.at(-1)?.subscriptions ?? []) as Array<Record<string, unknown>>;
    return subs.some((s) => s.type === 'CALLBACK' && s.topic === TOPIC_CARD);
  }

  /** Pushes a card callback frame (topic /v1.0/card/instances/callback); returns its messageId. */
  pushCard(data: Record<string, unknown>, opts: { messageId?: string; conn?: FakeStreamConn } = {}): string {
    const conn = opts.conn ?? this.current();
    if (!conn) throw new Error('no open stream connection');
    if (!this.cardSubscribed()) throw new Error('fake dingtalk: card callbacks are pushed only to a client that subscribed TOPIC_CARD');
    const messageId = opts.messageId ?? `${randomUUID().slice(0, 8)}_card_1898c159aa6`;
    conn.send({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: { appId: 'fake-app', contentType: 'application/json', messageId, time: String(Date.now()), topic: TOPIC_CARD },
      data: JSON.stringify(data),
    });
    return messageId;
  }

  /** A `ping` system frame; the client must echo the opaque. */
  ping(conn = this.current(), opaque = randomUUID()): { messageId: string; opaque: string } {
    const messageId = `ping-${randomUUID().slice(0, 8)}`;
    conn?.send({ specVersion: '1.0', type: 'SYSTEM', headers: { topic: 'ping', messageId, contentType: 'application/json' }, data: JSON.stringify({ opaque }) });
    return { messageId, opaque };
  }

  /** The `disconnect` system frame DingTalk sends ~10 s before closing a connection. */
  disconnect(conn = this.current()): void {
    conn?.send({ specVersion: '1.0', type: 'SYSTEM', headers: { topic: 'disconnect', messageId: `dc-${randomUUID().slice(0, 8)}`, contentType: 'application/json' }, data: JSON.stringify({ reason: 'connection is expired' }) });
  }

  /** Drops every connection without a close handshake. */
  terminateAll(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  close(): void {
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
  }
}
