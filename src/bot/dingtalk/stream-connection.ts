import { DWClient, TOPIC_CARD, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import WebSocket from 'ws';

export interface StreamConnectionOptions {
  clientId: string;
  clientSecret: string;
  gatewayUrl: string;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Robot message frame; must not throw (the supervisor wraps it). */
  onRobotFrame(frame: DWClientDownStream): void;
  /** Card callback frame (subscribed only when given); must not throw. */
  onCardFrame?(frame: DWClientDownStream): void;
  /** The socket closed after it had opened (not called for a deliberate `disconnect()`). */
  onClosed(reason: string): void;
  /** The server announced it will drop this connection (a `disconnect` system frame). */
  onServerDisconnect(reason: string): void;
}

/** The two TS-private DWClient fields its frame code relies on (plain JS fields at runtime). */
interface ClientInternals {
  socket?: WebSocket;
  dw_url?: string;
}

const UA = 'rectify-bot-dingtalk-stream/2.1.5';

/** The gateway refused to open a connection; 4xx means the credentials are wrong, not a passing fault. */
export class GatewayError extends Error {
  constructor(readonly status: number) {
    super(`gateway answered HTTP ${status}`);
  }
  get credentialsRejected(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 429;
  }
}

/**
 * One Stream-mode connection: a fresh ticket and a fresh socket, used once.
 *
 * What we keep from `dingtalk-stream`: subscriptions, frame dispatch, the ping
 * echo, EVENT auto-ACK and the ACK frame format (`socketCallBackResponse`).
 * What we replace, and why (2.1.5 as published on npm):
 * - `getEndpoint`: the gateway URL is a module constant and the request goes
 *   through axios with no timeout; we need `DINGTALK_GATEWAY_URL` and the
 *   injected fetch. (It also console-logs the config with the secret in debug.)
 * - `_connect` / `connect` / `disconnect`: the SDK schedules its own reconnects
 *   from two paths (reconnect storms), leaks its heartbeat interval, never
 *   rejects `connect()`, has no handshake timeout and logs with console. We
 *   drive the `ws` socket ourselves so every listener and the socket itself
 *   die with this object; reconnecting is the supervisor's job.
 * - `onDownStream`: its JSON.parse is unguarded and would throw out of a
 *   socket event; a malformed frame is dropped instead.
 */
export class StreamConnection extends DWClient {
  /** performance.now() of the last frame received; the supervisor's idle watchdog reads it. */
  lastFrameAt = performance.now();
  private closedByUs = false;
  /** Aborts the gateway request when the connection is dropped before it answers. */
  private readonly aborter = new AbortController();

  constructor(private readonly o: StreamConnectionOptions) {
    super({ clientId: o.clientId, clientSecret: o.clientSecret, ua: UA, keepAlive: false, debug: false });
    this.config.autoReconnect = false;
    // Own array: the SDK's default subscriptions array is shared by every instance. Robot callbacks only.
    this.config.subscriptions = [];
    this.registerCallbackListener(TOPIC_ROBOT, (frame) => this.o.onRobotFrame(frame));
    const onCard = o.onCardFrame;
    if (onCard) this.registerCallbackListener(TOPIC_CARD, (frame) => onCard(frame));
  }

  private get internals(): ClientInternals {
    return this as unknown as ClientInternals;
  }

  // https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description (step 1: register a connection)
  override async getEndpoint(): Promise<this> {
    const ac = this.aborter;
    const timer = setTimeout(() => ac.abort(), this.o.timeoutMs);
    try {
      const res = await this.o.fetch(this.o.gatewayUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({
          clientId: this.config.clientId,
          clientSecret: this.config.clientSecret,
          ua: this.config.ua,
          subscriptions: this.config.subscriptions,
        }),
        signal: ac.signal,
        redirect: 'error', // the body carries clientSecret: never resend it to another host
      });
      const text = await res.text();
      if (!res.ok) throw new GatewayError(res.status);
      const body = JSON.parse(text) as { endpoint?: unknown; ticket?: unknown };
      if (typeof body.endpoint !== 'string' || typeof body.ticket !== 'string' || !body.endpoint || !body.ticket) {
        throw new Error('gateway returned no endpoint or ticket');
      }
      // The ticket is valid once, for 90 s: never cached (a new connection asks again).
      this.internals.dw_url = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
      return this;
    } catch (err) {
      if (this.closedByUs) throw new Error('connection dropped');
      throw ac.signal.aborted ? new Error(`gateway did not answer within ${this.o.timeoutMs} ms`) : err;
    } finally {
      clearTimeout(timer);
    }
  }

  // https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description (step 2: open the WebSocket)
  override _connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = this.internals.dw_url;
      if (!url || this.closedByUs) return reject(new Error(this.closedByUs ? 'connection dropped' : 'no endpoint'));
      const ws = new WebSocket(url, { handshakeTimeout: this.o.timeoutMs, rejectUnauthorized: true });
      this.internals.socket = ws;
      let opened = false;
      ws.on('open', () => {
        opened = true;
        this.connected = true;
        this.lastFrameAt = performance.now();
        resolve();
      });
      ws.on('message', (data) => this.onDownStream(data.toString()));
      ws.on('error', (err) => {
        if (!opened) reject(err); // 'close' always follows 'error'
      });
      ws.on('close', (code) => {
        this.connected = false;
        if (!opened) reject(new Error(`socket closed before opening (${code})`));
        else if (!this.closedByUs) this.o.onClosed(`socket closed (${code})`);
      });
    });
  }

  /** Fetches a ticket and opens the socket; unlike the SDK's, this rejects on failure. */
  override async connect(): Promise<void> {
    await this.getEndpoint();
    await this._connect();
  }

  /** Terminates the socket and drops every listener; safe to call more than once. */
  override disconnect(): void {
    this.closedByUs = true;
    this.connected = false;
    this.aborter.abort();
    const ws = this.internals.socket;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => {}); // a late error on a dead socket must not become an uncaught 'error' event
      ws.terminate();
    }
    this.removeAllListeners();
  }

  override onDownStream(data: string): void {
    this.lastFrameAt = performance.now();
    try {
      super.onDownStream(data);
    } catch {
      // Malformed frame: nothing to ACK it with; DingTalk re-sends what matters.
    }
  }

  override onSystem(frame: DWClientDownStream): void {
    super.onSystem(frame);
    if (frame.headers?.topic === 'disconnect') {
      let reason = 'server disconnect';
      try {
        reason = String((JSON.parse(frame.data) as { reason?: unknown }).reason ?? reason);
      } catch {
        // keep the default reason
      }
      this.o.onServerDisconnect(reason);
    }
  }
}
