import { Cluster } from 'ioredis';
import { parseTarget, type RedisClient } from './redis.js';
import { script } from './scripts.js';
import type { Platform } from '../core/message.js';
import { k } from './keys.js';

/**
 * Redis state of the scheduler: per-chat slot claims (exactly once per chat
 * and slot across instances), reminder-step claims, per-robot send plans and
 * sent markers. Keys: rb:sched:<platform>:<chat>, rb:{L}:remind:<chat>,
 * rb:{L}:ladder, rb:{L}:reach, rb:outbox:plan:{robot}, rb:outbox:sent:<job>. Every script and
 * command here touches one key, so on a cluster each goes to that key's slot; the
 * subscribed-chat scan reads bindings, which all share the {dir} slot.
 */
export type SlotKind = 'digest' | 'remind';
export type SlotState = 'claimed' | 'queued' | 'skipped' | 'init';

export interface SlotMark {
  slot: number;
  state: SlotState | '';
  /** When the last digest was rendered (ms; events after it go in the next one). */
  rendered: number;
}

export interface ScheduledChat {
  platform: Platform;
  chatId: string;
  ledgerId: string;
  cron: string;
}

const chatKey = (platform: string, chatId: string) => `rb:sched:${platform}:${chatId}`;

// A slot is claimed when it is newer than the stored one, or when it is the
// stored one but its claimer's lease ran out before it was queued (crash).
const CLAIM = script<number>('rbSchedClaim', `
local kind = ARGV[1]
local slot = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cur = tonumber(redis.call('HGET', KEYS[1], kind .. ':slot') or '-1')
local st = redis.call('HGET', KEYS[1], kind .. ':state')
local lease = tonumber(redis.call('HGET', KEYS[1], kind .. ':lease') or '0')
if slot > cur or (slot == cur and st == 'claimed' and lease < now) then
  redis.call('HSET', KEYS[1], kind .. ':slot', ARGV[2], kind .. ':state', 'claimed',
    kind .. ':lease', tostring(now + tonumber(ARGV[4])), kind .. ':owner', ARGV[5])
  return 1
end
return 0
`, 1);

const FINISH = script<number>('rbSchedFinish', `
local kind = ARGV[1]
if redis.call('HGET', KEYS[1], kind .. ':slot') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], kind .. ':state', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], kind .. ':rendered', ARGV[4]) end
return 1
`, 1);

// A field claimed by the same run token again (a re-run of a crashed slot)
// counts as claimed, so the re-run sends what the crashed run could not.
const CLAIM_FIELDS = script<string[]>('rbSchedClaimFields', `
local out = {}
for i = 2, #ARGV do
  local f = ARGV[i]
  if redis.call('HSETNX', KEYS[1], f, ARGV[1]) == 1 or redis.call('HGET', KEYS[1], f) == ARGV[1] then
    out[#out + 1] = f
  end
end
return out
`, 1);

// Plans sends on one robot `spacing` ms apart: returns when this message may
// go out and moves the robot's next free time past all of its parts.
const RESERVE = script<string>('rbSchedReserve', `
local now = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local parts = tonumber(ARGV[3])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, nextFree)
local after = start + spacing * parts
redis.call('SET', KEYS[1], tostring(after), 'PX', math.max(1, after - now) + 60000)
return tostring(start)
`, 1);

export class ScheduleStore {
  constructor(readonly redis: RedisClient) {}

  /** Claims (chat, kind, slot) for this instance; false when another instance has it. */
  async claimSlot(platform: string, chatId: string, kind: SlotKind, slot: number, now: number, leaseMs: number, owner: string): Promise<boolean> {
    const r = await CLAIM.run(this.redis, [chatKey(platform, chatId)], [kind, slot, now, leaseMs, owner]);
    return Number(r) === 1;
  }

  /** Records what became of a claimed slot; `renderedAt` (ms) moves the digest window. */
  async finishSlot(platform: string, chatId: string, kind: SlotKind, slot: number, state: SlotState, renderedAt?: number): Promise<void> {
    await FINISH.run(this.redis, [chatKey(platform, chatId)], [kind, slot, state, renderedAt === undefined ? '' : String(renderedAt)]);
  }

  /** Marks a slot as handled without sending (a new subscription starts after it). */
  async seedSlot(platform: string, chatId: string, kind: SlotKind, slot: number): Promise<void> {
    await this.redis.hset(chatKey(platform, chatId), `${kind}:slot`, slot, `${kind}:state`, 'init');
  }

  async slotMark(platform: string, chatId: string, kind: SlotKind): Promise<SlotMark | null> {
    const [slot, state, rendered] = await this.redis.hmget(chatKey(platform, chatId), `${kind}:slot`, `${kind}:state`, `${kind}:rendered`);
    if (slot === null) return null;
    return { slot: Number(slot), state: (state ?? '') as SlotState, rendered: Number(rendered ?? 0) };
  }

  /** Every bound chat with a digest schedule, read in one pipeline. */
  async scheduledChats(): Promise<ScheduledChat[]> {
    const ids = await this.redis.smembers(k.bindings());
    if (!ids.length) return [];
    const p = this.redis.pipeline();
    for (const id of ids) {
      const i = id.indexOf(':');
      p.hmget(k.binding(id.slice(0, i), id.slice(i + 1)), 'ledgerId', 'schedule');
    }
    const res = (await p.exec()) ?? [];
    const out: ScheduledChat[] = [];
    res.forEach(([err, v], n) => {
      const [ledgerId, cron] = (err ? [null, null] : v) as [string | null, string | null];
      if (!ledgerId || !cron) return;
      const i = ids[n].indexOf(':');
      out.push({ platform: ids[n].slice(0, i) as Platform, chatId: ids[n].slice(i + 1), ledgerId, cron });
    });
    return out.sort((a, b) => `${a.platform}:${a.chatId}`.localeCompare(`${b.platform}:${b.chatId}`));
  }

  /**
   * Claims reminder fields (item|step|deadline) for a chat once ever, on
   * behalf of run `token` (the slot); returns the fields this run owns.
   */
  async claimOnce(ledgerId: string, platform: string, chatId: string, token: string, fields: string[]): Promise<string[]> {
    if (!fields.length) return [];
    const key = `rb:{${ledgerId}}:remind:${platform}:${chatId}`;
    return CLAIM_FIELDS.run(this.redis, [key], [token, ...fields]);
  }

  async getLadder(ledgerId: string): Promise<string | null> {
    return this.redis.get(`rb:{${ledgerId}}:ladder`);
  }

  async setLadder(ledgerId: string, ladder: string | null): Promise<void> {
    if (ladder === null) await this.redis.del(`rb:{${ledgerId}}:ladder`);
    else await this.redis.set(`rb:{${ledgerId}}:ladder`, ladder);
  }

  /** A ledger's reminder delivery settings (src/schedule/reach.ts reads them): mode, approvalDirect, by, at. */
  async getReach(ledgerId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(`rb:{${ledgerId}}:reach`);
  }

  async setReach(ledgerId: string, fields: Record<string, string>): Promise<void> {
    await this.redis.hset(`rb:{${ledgerId}}:reach`, fields);
  }

  /** Reserves `parts` send slots on a robot; returns the planned send time (ms). */
  async reserveRobot(robotKey: string, now: number, spacingMs: number, parts: number): Promise<number> {
    return Number(await RESERVE.run(this.redis, [`rb:outbox:plan:{${robotKey}}`], [now, spacingMs, parts]));
  }

  /** Sent markers stop a re-run job (stalled after sending) from sending twice. */
  async markSent(jobId: string, ttlSeconds = 8 * 86400): Promise<boolean> {
    return (await this.redis.set(`rb:outbox:sent:${jobId}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async wasSent(jobId: string): Promise<boolean> {
    return (await this.redis.exists(`rb:outbox:sent:${jobId}`)) === 1;
  }
}

/** What BullMQ's `connection` takes from us: options for one server, or a Cluster client. */
export type BullConnection = {
  host: string; port: number; db: number; username?: string; password?: string; tls?: object; maxRetriesPerRequest: null;
} | Cluster;

/**
 * BullMQ needs its own connections (blocking ones for workers) with
 * maxRetriesPerRequest null and no command timeout (its blocking reads wait
 * on purpose). For one server we give it options; for a cluster, a lazy
 * Cluster client that BullMQ duplicates for workers and uses as is for a
 * queue. BullMQ never closes a client it was given: call
 * closeBullConnection after closing the queue or worker.
 * Queue prefixes must carry a hash tag (e.g. `rb:{outbox}`) on a cluster.
 */
export function bullConnection(target: string): BullConnection {
  const t = parseTarget(target);
  if (t.kind === 'cluster') {
    return new Cluster(t.nodes, {
      lazyConnect: true,
      clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
      redisOptions: {
        maxRetriesPerRequest: null, connectTimeout: 3000,
        ...(t.username ? { username: t.username } : {}), ...(t.password ? { password: t.password } : {}), ...(t.tls ? { tls: {} } : {}),
      },
    });
  }
  const u = new URL(t.url);
  const db = Number(u.pathname.replace(/^\//, '') || '0');
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    db: Number.isFinite(db) ? db : 0,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** Disconnects a Cluster made by bullConnection (BullMQ leaves a client it was given open). */
export function closeBullConnection(c: unknown): void {
  if (c instanceof Cluster) c.disconnect();
}
