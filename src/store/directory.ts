import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis.js';
import type { ChatBinding } from '../core/binding.js';
import type { Platform } from '../core/message.js';
import type { ConfigProblem } from '../core/ports.js';
import { k } from './keys.js';
import { DirectoryCache } from './directory-cache.js';

export { ROLES, type Role, type User } from '../ledger/roles.js';
import { isOfficeOf, ROLES, type Role, type User } from '../ledger/roles.js';

/** Whether a user may be the office of some ledger (the office index holds these; a superset of any one ledger's office). */
const mayBeOffice = (u: User) => u.role === 'office' || Object.values(u.ledgers ?? {}).includes('office');

/**
 * Builds the office index once from the directory, atomically (every key in
 * the {dir} slot): users whose role or per-ledger roles name the office.
 * Later writes keep it (putUsers, removeUsers); the marker says it is built.
 */
const BUILD_OFFICE_INDEX = `
if redis.call('EXISTS', KEYS[2]) == 0 then
  local prefix = ARGV[1]
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    local f = redis.call('HMGET', prefix .. id, 'role', 'ledgers')
    if f[1] == 'office' or (f[2] and string.find(f[2], '"office"', 1, true)) then redis.call('SADD', KEYS[1], id) end
  end
  redis.call('SET', KEYS[2], '1')
end
return redis.call('SMEMBERS', KEYS[1])`;

const asRole = (r: string | undefined): Role => (ROLES as readonly string[]).includes(r ?? '') ? (r as Role) : 'viewer';

/** The stored per-ledger roles; unknown roles read as viewer, an empty map as none. */
function parseLedgerRoles(json: string | undefined): Record<string, Role> | undefined {
  if (!json) return undefined;
  let raw: unknown;
  try { raw = JSON.parse(json); } catch { return undefined; }
  if (!raw || typeof raw !== 'object') return undefined;
  const out = Object.fromEntries(Object.entries(raw as Record<string, string>).map(([L, r]) => [L, asRole(r)]));
  return Object.keys(out).length ? out : undefined;
}

function userOf(platform: Platform, h: Record<string, string> | undefined): User | null {
  if (!h?.userId) return null;
  const u: User = { platform, userId: h.userId, name: h.name, department: h.department ?? '', role: asRole(h.role) };
  const ledgers = parseLedgerRoles(h.ledgers);
  if (ledgers) u.ledgers = ledgers;
  if (h.admin === '1') u.admin = true;
  return u;
}

function bindingOf(platform: Platform, chatId: string, h: Record<string, string> | undefined): ChatBinding | null {
  if (!h?.ledgerId) return null;
  return {
    platform, chatId, ledgerId: h.ledgerId, channel: JSON.parse(h.channel || '{}'),
    schedule: h.schedule || undefined, boundAt: h.boundAt, boundBy: h.boundBy || undefined,
  };
}

/** The user directory, chat bindings and the office's problem log. */
export class Directory {
  /** `cache`: binding and user reads served in process, kept coherent by Redis (see directory-cache.ts). */
  constructor(private readonly redis: RedisClient, private readonly cache: DirectoryCache | null = null) {}

  /** A hash through the cache (an empty one for a missing key). */
  private async hash(key: string): Promise<Record<string, string>> {
    const hit = this.cache?.lookup(key);
    if (hit) return hit;
    const t = this.cache?.begin(key) ?? null;
    let h: Record<string, string> | undefined;
    try { return (h = await this.redis.hgetall(key)); } finally { this.cache?.finish(t, h); }
  }

  /** After a write here: every cache of this process forgets the keys at once (the server's message follows). */
  private async wrote<T>(keys: string[], write: Promise<T>): Promise<T> {
    try { return await write; } finally { DirectoryCache.wrote(keys); }
  }

  async putUsers(users: User[]): Promise<void> {
    const tx = this.redis.multi();
    for (const u of users) {
      tx.hset(k.user(u.platform, u.userId), {
        platform: u.platform, userId: u.userId, name: u.name, department: u.department, role: u.role,
        ledgers: JSON.stringify(u.ledgers ?? {}), admin: u.admin ? '1' : '0',
      });
      tx.sadd(k.users(), `${u.platform}:${u.userId}`);
      tx.sadd(k.name(u.name), `${u.platform}:${u.userId}`);
      if (mayBeOffice(u)) tx.sadd(k.offices(), `${u.platform}:${u.userId}`);
      else tx.srem(k.offices(), `${u.platform}:${u.userId}`);
    }
    await this.wrote(users.map((u) => k.user(u.platform, u.userId)), tx.exec());
  }

  async getUser(platform: Platform, userId: string): Promise<User | null> {
    return userOf(platform, await this.hash(k.user(platform, userId)));
  }

  /**
   * A chat's binding and a sender's directory entry: from the cache when it
   * holds them, else in one round trip (both keys in the {dir} slot).
   */
  async bindingAndUser(platform: Platform, chatId: string, userId: string): Promise<[ChatBinding | null, User | null]> {
    const bk = k.binding(platform, chatId);
    const uk = k.user(platform, userId);
    let hb = this.cache?.lookup(bk);
    let hu = this.cache?.lookup(uk);
    if (!hb || !hu) [hb, hu] = await this.readBoth(bk, hb, uk, hu);
    return [bindingOf(platform, chatId, hb), userOf(platform, hu)];
  }

  private async readBoth(bk: string, hb: Record<string, string> | undefined, uk: string, hu: Record<string, string> | undefined) {
    if (hb) return [hb, await this.hash(uk)];
    if (hu) return [await this.hash(bk), hu];
    const tb = this.cache?.begin(bk) ?? null;
    const tu = this.cache?.begin(uk) ?? null;
    let out: Array<Record<string, string> | undefined> = [];
    try {
      const res = (await this.redis.pipeline().hgetall(bk).hgetall(uk).exec()) ?? [];
      for (const [err] of res) if (err) throw err;
      out = res.map(([, h]) => h as Record<string, string>);
    } finally {
      this.cache?.finish(tb, out[0]);
      this.cache?.finish(tu, out[1]);
    }
    return out;
  }


  /** The ledger a person last chose (or was reminded about) in their 1:1 chat with the robot; null when none. */
  async privateLedger(platform: Platform, userId: string): Promise<string | null> {
    return this.redis.get(k.privateLedger(platform, userId));
  }

  async setPrivateLedger(platform: Platform, userId: string, ledgerId: string): Promise<void> {
    await this.redis.set(k.privateLedger(platform, userId), ledgerId);
  }

  /** Removes directory entries (and their name index entries); returns how many existed. */
  async removeUsers(users: Array<{ platform: Platform; userId: string }>): Promise<number> {
    let n = 0;
    for (const { platform, userId } of users) {
      const u = userOf(platform, await this.redis.hgetall(k.user(platform, userId)));
      if (!u) continue;
      await this.wrote([k.user(platform, userId)], this.redis.multi().del(k.user(platform, userId)).srem(k.users(), `${platform}:${userId}`)
        .srem(k.name(u.name), `${platform}:${userId}`).srem(k.offices(), `${platform}:${userId}`).exec());
      n++;
    }
    return n;
  }

  /**
   * The office of `ledgerId` on `platform` (isOfficeOf), from the office index:
   * two round trips however large the directory (the index is built on first use).
   */
  async officeMembers(platform: Platform, ledgerId: string): Promise<User[]> {
    const ids = (await this.redis.eval(BUILD_OFFICE_INDEX, 3, k.offices(), k.officesBuilt(), k.users(), k.userPrefix()) as string[])
      .filter((id) => id.startsWith(`${platform}:`)).sort();
    if (!ids.length) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(k.user(platform, id.slice(platform.length + 1)));
    const res = (await p.exec()) ?? [];
    const out: User[] = [];
    res.forEach(([err, h]) => {
      if (err) throw err;
      const u = userOf(platform, h as Record<string, string>);
      if (u && isOfficeOf(u, ledgerId)) out.push(u);
    });
    return out;
  }

  /** Platform accounts of a person by name (for @-mentions in digests and reminders). */
  async accountsByName(name: string): Promise<Array<{ platform: Platform; userId: string }>> {
    const m = await this.redis.smembers(k.name(name));
    return m.map((x) => {
      const i = x.indexOf(':');
      return { platform: x.slice(0, i) as Platform, userId: x.slice(i + 1) };
    });
  }

  async listUsers(): Promise<User[]> {
    const ids = await this.redis.smembers(k.users());
    const out: User[] = [];
    for (const id of ids.sort()) {
      const i = id.indexOf(':');
      const u = await this.getUser(id.slice(0, i) as Platform, id.slice(i + 1));
      if (u) out.push(u);
    }
    return out;
  }

  /**
   * The binding ({dir} slot) and the ledger's `chats` set ({L} slot) cannot
   * change in one MULTI on a cluster. The binding is the truth and `chats`
   * a superset: the new ledger's set gains the chat first, the old one loses
   * it last, so a crash in between leaves an extra entry, never a missing one.
   */
  async bind(b: ChatBinding): Promise<void> {
    const prev = await this.bindingNow(b.platform, b.chatId);
    await this.redis.sadd(k.chats(b.ledgerId), `${b.platform}:${b.chatId}`);
    const tx = this.redis.multi();
    tx.del(k.binding(b.platform, b.chatId));
    tx.hset(k.binding(b.platform, b.chatId), {
      platform: b.platform, chatId: b.chatId, ledgerId: b.ledgerId, channel: JSON.stringify(b.channel ?? {}),
      boundAt: b.boundAt, boundBy: b.boundBy ?? '', ...(b.schedule ? { schedule: b.schedule } : {}),
    });
    tx.sadd(k.bindings(), `${b.platform}:${b.chatId}`);
    await this.wrote([k.binding(b.platform, b.chatId)], tx.exec());
    if (prev && prev.ledgerId !== b.ledgerId) await this.redis.srem(k.chats(prev.ledgerId), `${b.platform}:${b.chatId}`);
  }

  async unbind(platform: Platform, chatId: string): Promise<boolean> {
    const prev = await this.bindingNow(platform, chatId);
    if (!prev) return false;
    await this.wrote([k.binding(platform, chatId)], this.redis.multi().del(k.binding(platform, chatId)).srem(k.bindings(), `${platform}:${chatId}`).exec());
    await this.redis.srem(k.chats(prev.ledgerId), `${platform}:${chatId}`);
    return true;
  }

  async getBinding(platform: Platform, chatId: string): Promise<ChatBinding | null> {
    return bindingOf(platform, chatId, await this.hash(k.binding(platform, chatId)));
  }

  /** The binding read from Redis itself (what a write builds on). */
  private async bindingNow(platform: Platform, chatId: string): Promise<ChatBinding | null> {
    return bindingOf(platform, chatId, await this.redis.hgetall(k.binding(platform, chatId)));
  }

  async setSchedule(platform: Platform, chatId: string, cron: string | null): Promise<void> {
    const key = k.binding(platform, chatId);
    await this.wrote([key], cron ? this.redis.hset(key, 'schedule', cron) : this.redis.hdel(key, 'schedule'));
  }

  async listBindings(): Promise<ChatBinding[]> {
    const ids = (await this.redis.smembers(k.bindings())).sort();
    const out: ChatBinding[] = [];
    for (const id of ids) {
      const i = id.indexOf(':');
      const b = await this.getBinding(id.slice(0, i) as Platform, id.slice(i + 1));
      if (b) out.push(b);
    }
    return out;
  }

  /**
   * A secret shared by every instance (e.g. for signed dashboard links): made
   * once at random, then read by all.
   */
  async sharedSecret(name: string): Promise<string> {
    const key = `rb:secret:${name}`;
    const had = await this.redis.get(key);
    if (had) return had;
    await this.redis.set(key, randomBytes(32).toString('base64url'), 'NX');
    return (await this.redis.get(key))!;
  }

  /** Records a configuration problem the office must fix (kept: latest 200). */
  async reportProblem(p: ConfigProblem, at: Date): Promise<void> {
    await this.redis.multi().lpush(k.problems(), JSON.stringify({ ...p, at: at.toISOString() })).ltrim(k.problems(), 0, 199).exec();
  }

  async listProblems(limit = 20): Promise<Array<ConfigProblem & { at: string }>> {
    return (await this.redis.lrange(k.problems(), 0, limit - 1)).map((x) => JSON.parse(x));
  }
}
