import { createHash } from 'node:crypto';
import { isCluster, type RedisClient } from './redis.js';
import { CLAIM_S, FINISH_MANY_S, FINISH_S, RELEASE_S, RENEW_S, SUBMIT_S } from './inbound-scripts.js';
import { memoize } from '../core/memo.js';
import { doneRecordJson } from '../core/reply-json.js';

/**
 * The durable inbound queue in Redis: a platform message is written here
 * before the platform is acknowledged, and processed by whichever instance
 * holds the lease of its partition.
 *
 * Layout (every key of a partition shares the hash tag `{in:N}`, so each
 * script touches one Redis Cluster slot):
 * - `rb:{in:N}:s`      the partition's stream (consumer group `g`, one consumer `w`:
 *                      only the lease holder reads, and a new holder finds the dead
 *                      holder's unacknowledged entries in the same pending list);
 * - `rb:{in:N}:lease`  which instance processes the partition (SET NX PX, renewed);
 * - `rb:{in:N}:m:P:ID` the idempotency record of message ID of platform P:
 *                      `{"s":"queued"}` until processed, then `{"s":"done","reply":…}`;
 * - `rb:{in:N}:d:P:ID` who answers a message that may get a passive answer: `passive`
 *                      (the callback's own response) or `late` (the reply queue).
 * - `rb:{in:N}:done`   how many entries of the partition were ever finished (a counter,
 *                      so a held acknowledgement can tell how far the queue moved on).
 * - `rb:{in}:members`  live instances (sorted by last heartbeat), to share partitions.
 *
 * A message's partition is a hash of its platform and chat, so one chat's messages
 * are processed one at a time in arrival order, and a retry lands where its first
 * copy did.
 */
export const PARTITIONS = 16;
export const GROUP = 'g';
export const CONSUMER = 'w';

/** Keys of an inbound queue; `ns` separates queues sharing one Redis (tests), '' in production. */
export function inboundKeys(ns = '') {
  const tag = (n: number) => `rb:{${ns}in:${n}}`;
  return {
    stream: (n: number) => `${tag(n)}:s`,
    lease: (n: number) => `${tag(n)}:lease`,
    record: (n: number, platform: string, id: string) => `${tag(n)}:m:${platform}:${id}`,
    delivery: (n: number, platform: string, id: string) => `${tag(n)}:d:${platform}:${id}`,
    done: (n: number) => `${tag(n)}:done`,
    members: () => `rb:{${ns}in}:members`,
  };
}
type InKeys = ReturnType<typeof inboundKeys>;

/** The partition of a chat, computed (a retry must land where its first copy did: never change the hash). */
export function hashPartition(platform: string, chatId: string): number {
  return createHash('sha1').update(`${platform}\u0000${chatId}`).digest().readUInt32BE(0) % PARTITIONS;
}

/** Most chats whose partition is remembered; past it the oldest remembered one is forgotten. */
export const PARTITION_MEMO_MAX = 4_096;

/** hashPartition remembered per chat (a SHA-1 per call showed in profiles), for at most `max` chats. */
export class PartitionMemo {
  private readonly known: ((key: string) => number) & { readonly size: number };
  constructor(readonly max = PARTITION_MEMO_MAX) {
    this.known = memoize((key: string) => {
      const cut = key.indexOf('\u0000');
      return hashPartition(key.slice(0, cut), key.slice(cut + 1));
    }, max);
  }

  get size(): number {
    return this.known.size;
  }

  of(platform: string, chatId: string): number {
    return this.known(`${platform}\u0000${chatId}`);
  }
}

const partitions = new PartitionMemo();

/** The partition of a chat. */
export function partitionOf(platform: string, chatId: string): number {
  return partitions.of(platform, chatId);
}

/** What is kept of a message until it is answered; `route` is the adapter's own (where to answer). */
export interface InboundEntry {
  msg: { platform: string; chatId: string; messageId: string } & Record<string, unknown>;
  route: Record<string, unknown>;
  /** When the message was accepted (ms). */
  at: number;
  /** Whether the callback waits for a passive answer, and how long. */
  passive: boolean;
  budgetMs?: number;
}

/** The record of a message (a done one is stored as doneRecordJson writes it). */
export type IdemRecord = { s: 'queued' } | { s: 'done'; reply: unknown; at: number };

export type SubmitResult =
  /**
   * `ahead`: entries that were waiting in the partition (or in processing) before this one;
   * `done`: the partition's finished-entries counter then, read only when `ahead` was over the
   * caller's threshold (else null).
   */
  | { state: 'accepted'; partition: number; ahead: number; done: number | null; claimed?: Claimed }
  | { state: 'duplicate'; record: IdemRecord }
  | { state: 'full' }
  /** The guard was held with another value (a replayed DingTalk sign): nothing kept. */
  | { state: 'replay' };

/**
 * What a submit by the partition's lease holder took in hand (the SUBMIT script's claim): the
 * entries new in the stream, its own among them, and the group's last-delivered id before them.
 */
export interface Claimed { id: string; prev: string; entries: StreamEntry[] }

/** A one-use value checked and kept with the submit (key, value, TTL), as rememberOnce keeps one. */
export interface SubmitGuard { key: string; value: string; ttlMs: number }

export interface InboundStoreOptions {
  /** Most entries waiting in one partition before new messages are refused as busy. */
  maxBacklog?: number;
  /** How long idempotency records live (platform retries come within minutes). */
  recordTtlSeconds?: number;
  /** Key namespace (tests give each queue its own); default ''. */
  namespace?: string;
}

/** Stream entries as read by XREADGROUP. */
export type StreamEntry = { id: string; entry: InboundEntry };

/** Redis side of the inbound queue (see the layout above). */
export class InboundStore {
  private readonly r: RedisClient;
  readonly maxBacklog: number;
  readonly recordTtl: number;
  private readonly groups = new Set<number>();
  private readonly k: InKeys;
  /** The highest finished counter this process has seen per partition (its own finishes). */
  private readonly doneSeen = new Map<number, number>();
  /** Told of each of this process's successful finishes: partition and its finished counter. */
  onFinished: ((n: number, done: number) => void) | null = null;

  /** Whether submit can check a guard in the same script (a single Redis; on a Cluster its key is in another slot). */
  readonly canGuard: boolean;

  constructor(redis: RedisClient, o: InboundStoreOptions = {}) {
    this.r = redis;
    this.canGuard = !isCluster(redis);
    this.k = inboundKeys(o.namespace);
    this.maxBacklog = o.maxBacklog ?? 5_000;
    this.recordTtl = o.recordTtlSeconds ?? 86_400;
  }

  /**
   * Persists a message once; a message seen before returns its record instead.
   * `holdOver`: when more entries than this were ahead, the result carries the
   * partition's finished counter (for a held acknowledgement; no extra round trip).
   */
  async submit(entry: InboundEntry, holdOver = Number.MAX_SAFE_INTEGER, guard?: SubmitGuard, claim?: { owner: string; count: number }): Promise<SubmitResult> {
    const n = partitionOf(entry.msg.platform, entry.msg.chatId);
    if (guard && !this.canGuard) throw new Error('InboundStore.submit: a guard needs a single Redis (its key is in another slot)');
    const keys = [this.k.record(n, entry.msg.platform, entry.msg.messageId), this.k.stream(n), this.k.done(n), this.k.lease(n)];
    const args: Array<string | number> = [JSON.stringify(entry), this.maxBacklog, this.recordTtl, holdOver, claim?.owner ?? '', claim?.count ?? 0];
    if (guard) {
      keys.push(guard.key);
      args.push(guard.value, Math.max(1, Math.ceil(guard.ttlMs)));
    }
    const res = await SUBMIT_S.run(this.r, keys, args);
    const state = res[0];
    const raw = res[1] as string;
    if (state === 'ok') {
      const r: SubmitResult = { state: 'accepted', partition: n, ahead: Number(res[2] ?? 0), done: raw === '' ? null : Number(raw) };
      if (res.length > 3) r.claimed = this.claimed(n, res, entry);
      return r;
    }
    if (state === 'full') return { state: 'full' };
    if (state === 'replay') return { state: 'replay' };
    return { state: 'duplicate', record: JSON.parse(raw) as IdemRecord };
  }

  /** The claim part of a SUBMIT reply: own id, the last-delivered id before, then id and text pairs ('' is the caller's own). */
  private claimed(n: number, res: Array<string | number>, own: InboundEntry): Claimed {
    const id = String(res[3]);
    const entries: StreamEntry[] = [];
    for (let i = 5; i + 1 < res.length; i += 2) {
      const eid = String(res[i]);
      const text = String(res[i + 1]);
      if (eid === id) entries.push({ id, entry: own });
      else {
        try {
          entries.push({ id: eid, entry: JSON.parse(text) as InboundEntry });
        } catch {
          // Not ours to answer (no route can be read): dropped, as a read drops it.
          const key = this.k.stream(n);
          this.r.xack(key, GROUP, eid).then(() => this.r.xdel(key, eid)).catch(() => undefined);
        }
      }
    }
    return { id, prev: String(res[4]), entries };
  }

  /**
   * One round trip on partition n's connection: answered only after every command sent on it
   * before (a submit whose caller gave up on it may still run until then).
   */
  async fence(n: number): Promise<void> {
    await this.r.exists(this.k.lease(n));
  }

  /** The consumer group's last-delivered id on partition n ('0-0' when it has delivered nothing). */
  async lastDelivered(reader: RedisClient, n: number): Promise<string> {
    const groups = (await reader.xinfo('GROUPS', this.k.stream(n))) as unknown[][];
    for (const g of groups) {
      const at = g.indexOf('name');
      if (at >= 0 && g[at + 1] === GROUP) {
        const i = g.indexOf('last-delivered-id');
        return i >= 0 ? String(g[i + 1]) : '0-0';
      }
    }
    return '0-0';
  }

  async record(platform: string, chatId: string, messageId: string): Promise<IdemRecord | null> {
    const raw = await this.r.get(this.k.record(partitionOf(platform, chatId), platform, messageId));
    return raw ? (JSON.parse(raw) as IdemRecord) : null;
  }

  /**
   * Stores the outcome, acknowledges and removes the entry, in one step, if
   * `owner` still holds the partition's lease; false (nothing done) if not.
   */
  async finish(n: number, e: StreamEntry, reply: unknown, now: number, owner: string): Promise<boolean> {
    const r = await FINISH_S.run(
      this.r, [this.k.record(n, e.entry.msg.platform, e.entry.msg.messageId), this.k.stream(n), this.k.lease(n), this.k.done(n)],
      [GROUP, e.id, doneRecordJson(reply, now), this.recordTtl, owner],
    );
    return this.finished(n, r);
  }

  private finished(n: number, done: number): boolean {
    if (done <= 0) return false;
    if (done > (this.doneSeen.get(n) ?? 0)) this.doneSeen.set(n, done);
    this.onFinished?.(n, done);
    return true;
  }

  /** Partition n's finished counter as this process last saw it from its own finishes (0: never). */
  doneSeenHere(n: number): number {
    return this.doneSeen.get(n) ?? 0;
  }

  /** Partition n's finished counter, read from Redis. */
  async done(n: number): Promise<number> {
    return Number((await this.r.get(this.k.done(n))) ?? 0);
  }

  /** `finish` for several entries of partition n in one step (all or none: one lease check). */
  async finishMany(n: number, done: Array<{ e: StreamEntry; reply: unknown; at: number }>, owner: string): Promise<boolean> {
    if (done.length === 1) return this.finish(n, done[0]!.e, done[0]!.reply, done[0]!.at, owner);
    const keys = [this.k.lease(n), this.k.stream(n), this.k.done(n)];
    const args: Array<string | number> = [owner, GROUP, this.recordTtl];
    for (const { e, reply, at } of done) {
      keys.push(this.k.record(n, e.entry.msg.platform, e.entry.msg.messageId));
      args.push(e.id, doneRecordJson(reply, at));
    }
    return this.finished(n, await FINISH_MANY_S.run(this.r, keys, args));
  }

  /** Forget that partition n's group exists (after NOGROUP: the stream was lost and recreated). */
  forgetGroup(n: number): void {
    this.groups.delete(n);
  }

  /** `side` ('passive' | 'late') takes the answer of a message unless the other side has. */
  async claimDelivery(platform: string, chatId: string, messageId: string, side: 'passive' | 'late'): Promise<boolean> {
    const key = this.k.delivery(partitionOf(platform, chatId), platform, messageId);
    return (await CLAIM_S.run(this.r, [key], [side, this.recordTtl])) === 1;
  }

  async ensureGroup(n: number, reader: RedisClient): Promise<void> {
    if (this.groups.has(n)) return;
    try {
      // From the start of the stream: entries added before the group existed are not skipped.
      await reader.xgroup('CREATE', this.k.stream(n), GROUP, '0', 'MKSTREAM');
    } catch (e) {
      if (!/BUSYGROUP/.test((e as Error).message)) throw e;
    }
    this.groups.add(n);
  }

  /**
   * Reads entries of partition n: `pending` = entries delivered before and not yet
   * acknowledged (a dead holder's work), else new ones, blocking up to `blockMs`.
   */
  async read(reader: RedisClient, n: number, pending: boolean, count: number, blockMs: number): Promise<StreamEntry[]> {
    const key = this.k.stream(n);
    const res = pending
      ? await reader.xreadgroup('GROUP', GROUP, CONSUMER, 'COUNT', count, 'STREAMS', key, '0')
      : await reader.xreadgroup('GROUP', GROUP, CONSUMER, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, '>');
    const rows = (res as Array<[string, Array<[string, string[] | null]>]> | null)?.[0]?.[1] ?? [];
    const out: StreamEntry[] = [];
    for (const [id, fields] of rows) {
      // An entry deleted after delivery comes back with null fields: nothing to do but acknowledge it.
      const raw = fields && fields[0] === 'e' ? fields[1] : null;
      if (!raw) {
        await this.r.xack(key, GROUP, id);
        continue;
      }
      let entry: InboundEntry;
      try {
        entry = JSON.parse(raw) as InboundEntry;
      } catch {
        // Not ours to answer (no route can be read): drop it rather than block the partition.
        await this.r.xack(key, GROUP, id);
        await this.r.xdel(key, id);
        continue;
      }
      out.push({ id, entry });
    }
    return out;
  }

  async tryLease(n: number, owner: string, ms: number): Promise<boolean> {
    return (await this.r.set(this.k.lease(n), owner, 'PX', ms, 'NX')) === 'OK';
  }

  async renewLease(n: number, owner: string, ms: number): Promise<boolean> {
    return (await RENEW_S.run(this.r, [this.k.lease(n)], [owner, ms])) === 1;
  }

  async releaseLease(n: number, owner: string): Promise<void> {
    await RELEASE_S.run(this.r, [this.k.lease(n)], [owner]);
  }

  /** Records this instance as alive and returns how many instances are. */
  async heartbeat(owner: string, now: number, ttlMs: number): Promise<number> {
    const key = this.k.members();
    const res = await this.r.multi().zadd(key, now, owner).zremrangebyscore(key, '-inf', now - ttlMs).zcard(key).exec();
    return Math.max(1, Number(res?.[2]?.[1] ?? 1));
  }

  async leave(owner: string): Promise<void> {
    await this.r.zrem(this.k.members(), owner);
  }

  /** Entries waiting (or in processing) over all partitions. */
  async backlog(): Promise<number> {
    const lens = await Promise.all(Array.from({ length: PARTITIONS }, (_, n) => this.r.xlen(this.k.stream(n))));
    return lens.reduce((a, b) => a + b, 0);
  }
}
