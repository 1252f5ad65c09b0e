import { EventEmitter } from 'node:events';
import type { DWClientDownStream } from 'dingtalk-stream';
import type { Logger } from 'pino';
import type { StreamConnection } from './stream-connection.js';

type ConnModule = typeof import('./stream-connection.js');
/** dingtalk-stream (with its axios and ws, ~20 MB resident) loads with the first Stream connection, never in HTTP mode. */
let connModule: ConnModule | undefined;

export interface SupervisorOptions {
  clientId: string;
  clientSecret: string;
  gatewayUrl: string;
  fetch: typeof fetch;
  logger: Logger;
  /** Called for each robot frame; the ACK is sent when it settles (a rejection is logged). */
  onRobotFrame(frame: DWClientDownStream): Promise<void>;
  /** Card callbacks (topic /v1.0/card/instances/callback, subscribed when given); the resolved value is the ACK data. */
  onCardFrame?(frame: DWClientDownStream): Promise<unknown>;
  /** The gateway rejected the credentials (called once per supervisor; retries continue with backoff). */
  onCredentialsRejected?(status: number): void;
  /** First reconnect delay; doubles per failed attempt up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** No frame for this long = a zombie socket (it may still answer ws pings): reconnect. */
  idleMs?: number;
  /** A connection that lived this long counts as healthy: the backoff starts over. */
  stableMs?: number;
  timeoutMs?: number;
  random?: () => number;
}

/**
 * Owns the Stream-mode lifecycle: exactly one live connection, reconnecting
 * with capped exponential backoff and jitter after a failure, at once after a
 * server `disconnect` frame on a healthy connection, and after `idleMs`
 * without any frame. At most one timer and one socket exist at any time, and
 * `stop()` leaves none. Emits 'connected' and 'disconnected' (reason).
 */
export class StreamSupervisor extends EventEmitter {
  private conn: StreamConnection | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private attempt = 0;
  private openedAt = 0;
  private running = false;
  private credentialsReported = false;
  readonly stats = { connects: 0, failures: 0 };
  private readonly base: number;
  private readonly cap: number;
  private readonly idleMs: number;
  private readonly stableMs: number;

  constructor(private readonly o: SupervisorOptions) {
    super();
    this.base = o.baseDelayMs ?? 1_000;
    this.cap = o.maxDelayMs ?? 60_000;
    this.idleMs = o.idleMs ?? 60_000;
    this.stableMs = o.stableMs ?? 30_000;
  }

  get connected(): boolean {
    return this.conn?.connected ?? false;
  }

  /** Starts connecting in the background; never throws (DingTalk being down must not stop the service). */
  start(): void {
    if (this.running) return;
    this.running = true;
    // One watchdog for the supervisor's life rather than one per connection: nothing to leak per reconnect.
    this.watchdog = setInterval(() => this.checkIdle(), Math.max(50, Math.min(5_000, this.idleMs / 4)));
    this.open();
  }

  /** Stops for good: clears every timer and terminates the socket. */
  stop(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.retryTimer = this.watchdog = null;
    const c = this.conn;
    this.conn = null;
    c?.disconnect();
  }

  /** Delay before attempt n: min(cap, base·2^n), half fixed and half random ("equal jitter"). */
  backoff(n: number): number {
    const d = Math.min(this.cap, this.base * 2 ** Math.min(n, 30));
    return Math.round(d / 2 + (this.o.random ?? Math.random)() * (d / 2));
  }

  private open(): void {
    if (!this.running) return;
    if (!connModule) {
      import('./stream-connection.js').then(
        (m) => { connModule = m; this.open(); },
        (err: Error) => this.o.logger.error({ err: err.message }, 'dingtalk: the stream client could not be loaded'),
      );
      return;
    }
    const { GatewayError, StreamConnection } = connModule;
    const conn: StreamConnection = new StreamConnection({
      clientId: this.o.clientId,
      clientSecret: this.o.clientSecret,
      gatewayUrl: this.o.gatewayUrl,
      fetch: this.o.fetch,
      timeoutMs: this.o.timeoutMs ?? 10_000,
      onRobotFrame: (frame) => this.onFrame(conn, frame, (f) => this.o.onRobotFrame(f).then(() => null)),
      ...(this.o.onCardFrame ? { onCardFrame: (frame: DWClientDownStream) => this.onFrame(conn, frame, this.o.onCardFrame!) } : {}),
      onClosed: (reason) => this.lost(conn, reason, false),
      onServerDisconnect: (reason) => this.lost(conn, `server disconnect: ${reason}`, true),
    });
    this.conn = conn;
    conn.connect().then(
      () => {
        if (this.conn !== conn) return conn.disconnect(); // stopped or replaced while connecting
        this.openedAt = performance.now();
        this.stats.connects++;
        this.o.logger.info({ attempt: this.attempt }, 'dingtalk: stream connected');
        this.emit('connected');
      },
      (err: Error) => {
        if (err instanceof GatewayError && err.credentialsRejected && !this.credentialsReported) {
          this.credentialsReported = true;
          this.o.onCredentialsRejected?.(err.status);
        }
        this.lost(conn, `connect failed: ${err.message}`, false);
      },
    );
  }

  /**
   * Persist, then ACK: `onRobotFrame` resolves once the message is kept in the
   * durable inbound queue (or its sender has been told why it could not be),
   * which takes one Redis round trip, well inside DingTalk's patience. The ACK
   * goes out in every case, so DingTalk does not push the frame again.
   */
  private onFrame(conn: StreamConnection, frame: DWClientDownStream, handle: (f: DWClientDownStream) => Promise<unknown>): void {
    const id = frame.headers?.messageId;
    if (!id) return;
    let work: Promise<unknown>;
    try {
      work = handle(frame);
    } catch (err) {
      work = Promise.reject(err);
    }
    let result: unknown = null;
    work
      .then((r) => { result = r ?? null; })
      .catch((err: unknown) => this.o.logger.error({ err: (err as Error)?.message, frameId: id }, 'dingtalk: robot frame failed'))
      .finally(() => {
        try {
          // A card callback's answer (new card data) rides on its ACK; a robot message's ACK carries nothing.
          conn.socketCallBackResponse(id, result);
        } catch (err) {
          this.o.logger.warn({ err: (err as Error).message, frameId: id }, 'dingtalk: ACK not sent');
        }
      });
  }

  private checkIdle(): void {
    const c = this.conn;
    if (c?.connected && performance.now() - c.lastFrameAt > this.idleMs) {
      this.lost(c, `no frame for ${this.idleMs} ms`, false);
    }
  }

  private lost(conn: StreamConnection, reason: string, planned: boolean): void {
    if (this.conn !== conn) return; // an old connection's late event
    this.conn = null;
    conn.disconnect();
    if (!this.running) return;
    const lived = this.openedAt ? performance.now() - this.openedAt : 0;
    if (this.openedAt && lived >= this.stableMs) this.attempt = 0;
    this.openedAt = 0;
    // A planned rotation of a healthy connection reconnects at once; anything else backs off, so a
    // server that drops us right after each connect cannot drive a reconnect storm.
    const delay = planned && lived >= this.stableMs ? 0 : this.backoff(this.attempt++);
    if (!planned) this.stats.failures++;
    this.o.logger[planned ? 'info' : 'warn']({ reason, delayMs: delay }, 'dingtalk: stream connection lost, reconnecting');
    this.emit('disconnected', reason);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }
}
