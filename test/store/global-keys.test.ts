import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { Directory, type User } from '../../src/store/directory.js';
import type { DirectoryPort } from '../../src/commands/ports.js';
import { DeliveryLog } from '../../src/store/delivery-log.js';
import { claimOnce, RedisRateLimiter } from '../../src/store/limits.js';
import { ScheduleStore } from '../../src/store/schedule-store.js';
import { isCluster } from '../../src/store/redis.js';
import { script } from '../../src/store/scripts.js';
import { k } from '../../src/store/keys.js';
import { TARGETS, testTarget } from '../helpers/redis.js';

/**
 * The global (not per-ledger) parts of the store, on both targets. On a
 * cluster each of these is a MULTI or a Lua script over several keys: with
 * keys in different slots they fail (CROSSSLOT / "same slots allocation group").
 */
describe.each(TARGETS)('global keys on %s Redis', (target) => {
  let open: OpenServices;
  let dir: DirectoryPort;
  const u = randomUUID().slice(0, 8);
  beforeAll(async () => {
    open = await openServices({ redisUrl: testTarget(target) });
    dir = open.services.directory;
  });
  afterAll(async () => { await open.close(); });

  it('connects with the client the target asks for', () => {
    expect(isCluster(open.redis)).toBe(target === 'cluster');
  });

  it('users: putUsers writes user, users and name sets together; lookups by id and name', async () => {
    const users: User[] = [
      { platform: 'dingtalk', userId: `a-${u}`, name: `张${u}`, department: '政治部', role: 'office' },
      { platform: 'wecom', userId: `b-${u}`, name: `张${u}`, department: '政治部', role: 'viewer' },
    ];
    await dir.putUsers(users);
    expect(await dir.getUser('dingtalk', `a-${u}`)).toMatchObject({ name: `张${u}`, role: 'office' });
    expect((await dir.accountsByName(`张${u}`)).sort((x, y) => x.platform.localeCompare(y.platform)))
      .toEqual([{ platform: 'dingtalk', userId: `a-${u}` }, { platform: 'wecom', userId: `b-${u}` }]);
    expect((await dir.listUsers()).filter((x) => x.userId.endsWith(u))).toHaveLength(2);
  });

  it('bind, rebind and unbind keep the binding the truth and the chats sets in step', async () => {
    const chat = `c-${u}`;
    const [A, B] = [`la-${u}`, `lb-${u}`];
    const boundAt = new Date().toISOString();
    await dir.bind({ platform: 'console', chatId: chat, ledgerId: A, channel: { robot: 'r' }, boundAt, schedule: '0 9 * * 1' });
    expect(await open.redis.smembers(k.chats(A))).toEqual([`console:${chat}`]);
    await dir.bind({ platform: 'console', chatId: chat, ledgerId: B, channel: {}, boundAt });
    expect(await dir.getBinding('console', chat)).toMatchObject({ ledgerId: B, schedule: undefined });
    expect(await open.redis.smembers(k.chats(A))).toEqual([]);
    expect(await open.redis.smembers(k.chats(B))).toEqual([`console:${chat}`]);
    expect((await dir.listBindings()).filter((b) => b.chatId === chat).map((b) => b.ledgerId)).toEqual([B]);
    expect(await dir.unbind('console', chat)).toBe(true);
    expect(await dir.getBinding('console', chat)).toBeNull();
    expect(await open.redis.smembers(k.chats(B))).toEqual([]);
    expect(await dir.unbind('console', chat)).toBe(false);
  });

  it('problems log and shared secret', async () => {
    await dir.reportProblem({ platform: 'wecom', chatId: `p-${u}`, code: '93000', message: 'bad key' }, new Date());
    expect((await dir.listProblems(5)).some((p) => p.chatId === `p-${u}`)).toBe(true);
    const s = await dir.sharedSecret(`t-${u}`);
    expect(await dir.sharedSecret(`t-${u}`)).toBe(s);
  });

  it('delivery log: per chat and global in one step', async () => {
    const log = new DeliveryLog(open.redis);
    await log.add({ at: new Date().toISOString(), platform: 'wecom', chatId: `d-${u}`, kind: 'digest', slot: 'x', status: 'sent' });
    expect((await log.forChat('wecom', `d-${u}`)).map((e) => e.status)).toEqual(['sent']);
    expect((await log.all(50)).some((e) => e.chatId === `d-${u}`)).toBe(true);
  });

  it('schedule store: slot claims, reminder claims, robot plans and the subscribed-chat scan', async () => {
    const s = new ScheduleStore(open.redis);
    expect(await s.claimSlot('console', `s-${u}`, 'digest', 100, 1000, 500, 'A')).toBe(true);
    expect(await s.claimSlot('console', `s-${u}`, 'digest', 100, 1200, 500, 'B')).toBe(false);
    // The lease ran out before the slot was queued: another instance may take it over.
    expect(await s.claimSlot('console', `s-${u}`, 'digest', 100, 1600, 500, 'B')).toBe(true);
    await s.finishSlot('console', `s-${u}`, 'digest', 100, 'queued', 1234);
    expect(await s.slotMark('console', `s-${u}`, 'digest')).toEqual({ slot: 100, state: 'queued', rendered: 1234 });
    expect(await s.claimOnce(`l-${u}`, 'console', `s-${u}`, 'run1', ['a', 'b'])).toEqual(['a', 'b']);
    expect(await s.claimOnce(`l-${u}`, 'console', `s-${u}`, 'run2', ['a', 'c'])).toEqual(['c']);
    expect(await s.reserveRobot(`r-${u}`, 10_000, 3000, 2)).toBe(10_000);
    expect(await s.reserveRobot(`r-${u}`, 10_000, 3000, 1)).toBe(16_000);
    await dir.bind({ platform: 'wecom', chatId: `s-${u}`, ledgerId: `l-${u}`, channel: {}, boundAt: new Date().toISOString(), schedule: '0 9 * * 1' });
    expect((await s.scheduledChats()).filter((c) => c.chatId === `s-${u}`)).toEqual([{ platform: 'wecom', chatId: `s-${u}`, ledgerId: `l-${u}`, cron: '0 9 * * 1' }]);
  });

  it('rate limiter and message claims', async () => {
    let now = 1_000_000;
    const rl = new RedisRateLimiter(open.redis, () => now);
    expect(await rl.take(`rl-${u}`, 2, 60_000)).toBe(0);
    expect(await rl.take(`rl-${u}`, 2, 60_000)).toBe(0);
    expect(await rl.take(`rl-${u}`, 2, 60_000)).toBe(60_000);
    now += 60_001;
    expect(await rl.take(`rl-${u}`, 2, 60_000)).toBe(0);
    expect(await claimOnce(open.redis, 'wecom', `m-${u}`)).toBe(true);
    expect(await claimOnce(open.redis, 'wecom', `m-${u}`)).toBe(false);
  });

  it('scripts: registered once per client, and still run after SCRIPT FLUSH (EVAL fallback)', async () => {
    const echo = script<string>(`rbTestEcho${u}`, "return redis.call('GET', KEYS[1]) or ARGV[1]", 1);
    expect(await echo.run(open.redis, [`rb:{t${u}}:x`], ['none'])).toBe('none');
    await open.redis.set(`rb:{t${u}}:x`, 'v');
    expect(await echo.run(open.redis, [`rb:{t${u}}:x`], ['none'])).toBe('v');
    const masters = isCluster(open.redis) ? open.redis.nodes('master') : [open.redis];
    await Promise.all(masters.map((n) => n.script('FLUSH')));
    expect(await echo.run(open.redis, [`rb:{t${u}}:x`], ['none'])).toBe('v');
    await expect(script(`rbTestEcho${u}`, 'return 2', 1).run(open.redis, ['a'])).rejects.toThrow(/already taken/);
    await expect(echo.run(open.redis, ['a', 'b'])).rejects.toThrow(/takes 1 keys/);
  });
});
