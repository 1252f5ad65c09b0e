import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './redis.js';
import { k } from './keys.js';

/** The key prefixes the cache holds (chat bindings and directory users); see keys.ts. */
export const CACHED_PREFIXES = [k.binding('', '').slice(0, -1), k.userPrefix()] as const;
const CHANNEL = '__redis__:invalidate';
/** Default bound on cached keys (oldest dropped first). */
export const DIRECTORY_CACHE_MAX = 50_000;
/** Period of the health check (subscriber PING, tracking state of the reading connection). */
const HEARTBEAT_MS = 2_000;
const RETRY_MS = 500;

type Hash = Record<string, string>;

/** One read in flight: it may fill the cache only if nothing invalidated its key (or everything) meanwhile. */
export interface CacheTicket { key: string; epoch: number; stale: boolean }

/** Every cache of this process: a directory write here invalidates them all at once (not only on the server's message). */
const caches = new Set<DirectoryCache>();

export interface DirectoryCacheOptions {
  maxEntries?: number;
  heartbeatMs?: number;
}

/**
 * A coherent in-process cache of the chat-binding and user hashes, kept by
 * Redis server-assisted client-side caching (CLIENT TRACKING, RESP2 redirect
 * form): a dedicated subscriber connection listens on __redis__:invalidate and
 * the reading connection is tracked in BCAST mode for the two key prefixes, so
 * any change by any client (another instance, the CLI, a script, FLUSHDB)
 * drops the entry here. The cache answers only while both are known good:
 * any close, reconnect or error of either connection clears it and turns it
 * off until tracking is set up again on the (new) connections.
 */
export class DirectoryCache {
  private readonly entries = new Map<string, Hash>();
  private readonly inflight = new Map<string, Set<CacheTicket>>();
  private readonly sub: Redis;
  private readonly max: number;
  private readonly heartbeat: NodeJS.Timeout;
  private subId: string | null = null;
  private subGen = 0;
  private trackGen = 0;
  private epoch = 0;
  private on = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Counters (for tests and diagnostics). */
  readonly stats = { hits: 0, misses: 0, invalidations: 0, flushes: 0, enabled: 0, disabled: 0 };

  /** A cache for `redis`, or null on a Redis Cluster or when DIRECTORY_CACHE=off. */
  static open(redis: RedisClient, env: NodeJS.ProcessEnv = process.env, o: DirectoryCacheOptions = {}): DirectoryCache | null {
    if (isCluster(redis) || /^(off|0|false|no)$/i.test(env.DIRECTORY_CACHE ?? '')) return null;
    return new DirectoryCache(redis, o);
  }

  private constructor(private readonly main: Redis, o: DirectoryCacheOptions) {
    this.max = o.maxEntries ?? DIRECTORY_CACHE_MAX;
    this.sub = main.duplicate({
      connectionName: 'rb-dircache', lazyConnect: false, enableAutoPipelining: false,
      autoResubscribe: false, autoResendUnfulfilledCommands: false,
    });
    const subDown = () => { this.subGen++; this.subId = null; this.disable(); };
    this.sub.on('error', subDown).on('close', subDown).on('reconnecting', subDown).on('end', subDown);
    this.sub.on('ready', () => this.subscribe());
    this.sub.on('messageBuffer', (channel: Buffer, msg: unknown) => {
      if (channel.toString() === CHANNEL) this.onInvalidate(msg);
    });
    main.on('error', this.mainError).on('close', this.mainDown).on('reconnecting', this.mainDown).on('end', this.mainDown);
    // Deferred: ioredis re-sends a dropped connection's unanswered commands (and its offline queue) right
    // after 'ready'; our tracking commands must run after those, so the tracking state is ours.
    main.on('ready', this.mainReady);
    this.heartbeat = setInterval(() => this.check(), o.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
    caches.add(this);
  }

  /** True while entries may be served and stored. */
  get active(): boolean { return this.on; }
  /** The subscriber's CLIENT ID (tests kill it). */
  get subscriberId(): string | null { return this.subId; }
  get size(): number { return this.entries.size; }

  /** The cached hash of `key` (an empty one for a missing key), or undefined. */
  lookup(key: string): Hash | undefined {
    if (!this.on) return undefined;
    const h = this.entries.get(key);
    if (h) this.stats.hits++; else this.stats.misses++;
    return h;
  }

  /** Starts a read of `key` that may fill the cache (null while the cache is off). */
  begin(key: string): CacheTicket | null {
    if (!this.on) return null;
    const t: CacheTicket = { key, epoch: this.epoch, stale: false };
    let set = this.inflight.get(key);
    if (!set) this.inflight.set(key, (set = new Set()));
    set.add(t);
    return t;
  }

  /** Ends a read: stores `value` if the read is still valid (no invalidation since begin); no value: the read failed. */
  finish(t: CacheTicket | null, value?: Hash): void {
    if (!t) return;
    const set = this.inflight.get(t.key);
    if (set) { set.delete(t); if (!set.size) this.inflight.delete(t.key); }
    if (value === undefined || t.stale || t.epoch !== this.epoch || !this.on) return;
    this.entries.delete(t.key);
    this.entries.set(t.key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Drops `keys` here (null: everything) and marks reads of them in flight as stale. */
  invalidate(keys: string[] | null): void {
    if (keys === null) {
      this.stats.flushes++;
      this.epoch++;
      this.entries.clear();
      return;
    }
    for (const key of keys) {
      this.stats.invalidations++;
      this.entries.delete(key);
      const set = this.inflight.get(key);
      if (set) for (const t of set) t.stale = true;
    }
  }

  /** A write through this process's Directory: every cache here forgets the keys now. */
  static wrote(keys: string[]): void {
    for (const c of caches) c.invalidate(keys);
  }

  async close(): Promise<void> {
    this.closed = true;
    caches.delete(this);
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    this.disable();
    this.main.off('error', this.mainError).off('close', this.mainDown).off('reconnecting', this.mainDown)
      .off('end', this.mainDown).off('ready', this.mainReady);
    this.sub.disconnect();
  }

  private onInvalidate(msg: unknown): void {
    if (msg === null || msg === undefined) return this.invalidate(null);
    const list = Array.isArray(msg) ? msg : [msg];
    this.invalidate(list.map((b) => (Buffer.isBuffer(b) ? b.toString('utf8') : String(b))));
  }

  private disable(): void {
    this.trackGen++;
    if (this.on) this.stats.disabled++;
    this.on = false;
    this.epoch++;
    this.entries.clear();
  }

  private readonly mainDown = () => this.disable();
  private readonly mainError = () => { this.disable(); this.later(); };
  private readonly mainReady = () => { this.disable(); setImmediate(() => this.track()); };

  /** Tries again soon, backing off (to a minute) while it keeps failing (e.g. a server that refuses CLIENT TRACKING). */
  private later(): void {
    if (this.closed || this.retry) return;
    const ms = Math.min(RETRY_MS * 2 ** this.failures++, 60_000);
    this.retry = setTimeout(() => { this.retry = undefined; if (this.subId) this.track(); else this.subscribe(); }, ms);
    this.retry.unref();
  }

  /** Subscriber ready: its id, then the subscription; then tracking on the reading connection. */
  private subscribe(): void {
    if (this.closed || this.sub.status !== 'ready' || this.subId) return;
    const g = ++this.subGen;
    this.sub.client('ID').then(async (id) => {
      if (g !== this.subGen) return;
      await this.sub.subscribe(CHANNEL);
      if (g !== this.subGen) return;
      this.subId = String(id);
      this.track();
    }).catch(() => { if (g === this.subGen) { this.sub.disconnect(true); } });
  }

  /** CLIENT TRACKING on the reading connection, redirected to the subscriber; the cache turns on once it is confirmed. */
  private track(): void {
    if (this.closed || !this.subId || this.main.status !== 'ready') return;
    this.disable();
    const g = this.trackGen;
    const sid = this.subId;
    const prefixes = CACHED_PREFIXES.flatMap((p) => ['PREFIX', p]);
    Promise.all([
      this.main.call('CLIENT', 'TRACKING', 'OFF'),
      this.main.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', sid, 'BCAST', ...prefixes),
      this.main.call('CLIENT', 'TRACKINGINFO'),
    ]).then(([, , info]) => {
      // A reply to an older attempt (e.g. re-sent after a reconnect) may have changed the state: set it again.
      if (g !== this.trackGen) return void (this.on && this.track());
      if (!this.tracks(info, sid) || this.subId !== sid) return this.later();
      this.on = true;
      this.failures = 0;
      this.stats.enabled++;
    }, () => { if (g === this.trackGen) this.later(); else if (this.on) this.track(); });
  }

  /** Whether a CLIENT TRACKINGINFO reply says: on, BCAST, redirected to `sid`, our prefixes. */
  private tracks(info: unknown, sid: string): boolean {
    if (!Array.isArray(info)) return false;
    const m = new Map<string, unknown>();
    for (let i = 0; i + 1 < info.length; i += 2) m.set(String(info[i]), info[i + 1]);
    const flags = (m.get('flags') as unknown[] | undefined)?.map(String) ?? [];
    const prefixes = ((m.get('prefixes') as unknown[] | undefined) ?? []).map(String).sort();
    return flags.includes('on') && flags.includes('bcast') && !flags.includes('broken_redirect') &&
      String(m.get('redirect')) === sid && prefixes.join('\n') === [...CACHED_PREFIXES].sort().join('\n');
  }

  /** Health check: the subscriber answers a PING, and the reading connection still tracks into it. */
  private check(): void {
    if (this.closed) return;
    if (!this.subId) { if (this.sub.status === 'ready') this.subscribe(); return; }
    const sid = this.subId;
    const g = this.trackGen;
    this.sub.ping().catch(() => { if (this.subId === sid) this.sub.disconnect(true); });
    if (!this.on) { if (!this.retry) this.track(); return; }
    this.main.call('CLIENT', 'TRACKINGINFO').then((info) => {
      if (g === this.trackGen && !this.tracks(info, sid)) this.track();
    }, () => undefined);
  }
}
