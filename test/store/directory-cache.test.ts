import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { Directory } from '../../src/store/directory.js';
import { DirectoryCache } from '../../src/store/directory-cache.js';
import { connectRedis, waitReady, type Redis, type RedisClient } from '../../src/store/redis.js';
import { k } from '../../src/store/keys.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testTarget } from '../helpers/redis.js';
// @ts-expect-error plain ESM helper without types
import { freePort, startRedis } from '../../scripts/redis.mjs';
import { waitFor } from '../helpers/wait.js';

/** HGETALL calls the server has executed (INFO commandstats): the directory reads are HGETALLs. */
async function hgetalls(r: RedisClient): Promise<number> {
  const m = /cmdstat_hgetall:calls=(\d+)/.exec(await r.info('commandstats'));
  return Number(m?.[1] ?? 0);
}

/** Polls `read` until it gives `want`; returns the milliseconds it took (fails after `ms`). */
async function seenWithin<T>(read: () => Promise<T>, want: T, ms = 500): Promise<number> {
  const t0 = performance.now();
  await waitFor(async () => JSON.stringify(await read()) === JSON.stringify(want), { timeoutMs: ms, intervalMs: 1, what: `read to give ${JSON.stringify(want)}` });
  return performance.now() - t0;
}

/**
 * The binding/user cache against a real redis-server: a repeated read costs
 * no command, a change by any other client (a raw connection, a Lua script,
 * FLUSHDB) is seen at once, a lost subscriber or reading connection turns the
 * cache off until tracking is set up again.
 */
describe('directory cache (single Redis, CLIENT TRACKING)', () => {
  // A private redis-server: the tests count the HGETALLs the server ran (INFO commandstats is
  // server-wide), so the suite's other worker must not be sending its own to the same server.
  const dirTmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-dircache-'));
  let server: { url: string; stop(): Promise<void> };
  let url = '';
  let open: OpenServices;
  let raw: Redis;
  let cache: DirectoryCache;
  const id = randomUUID().slice(0, 8);
  const chat = `cid-${id}`;
  const user = `u-${id}`;
  const dir = () => open.services.directory;
  const ledgerOf = async () => (await dir().bindingAndUser('dingtalk', chat, user))[0]?.ledgerId ?? null;
  const nameOf = async () => (await dir().bindingAndUser('dingtalk', chat, user))[1]?.name ?? null;

  beforeAll(async () => {
    server = await startRedis({ dir: dirTmp, port: await freePort() });
    url = `${server.url}/1`;
    open = await openServices({ redisUrl: url });
    raw = connectRedis(url) as Redis;
    await waitReady(raw);
    cache = open.directoryCache!;
    expect(cache).toBeInstanceOf(DirectoryCache);
    await waitFor(() => cache.active, { what: 'cache on' });
    await dir().putUsers([{ platform: 'dingtalk', userId: user, name: `甲${id}`, department: '办公室', role: 'office' }]);
    await dir().bind({ platform: 'dingtalk', chatId: chat, ledgerId: 'L1', channel: {}, boundAt: new Date().toISOString() });
  });
  afterAll(async () => {
    await open.close();
    raw.disconnect();
    await server.stop();
    rmSync(dirTmp, { recursive: true, force: true });
  });

  it('a second read of the same binding and user issues no Redis command', async () => {
    expect(await ledgerOf()).toBe('L1');
    // The server's own invalidations of the setup writes may still overtake the first reads (those are then not kept).
    await waitFor(async () => { const n = await hgetalls(raw); await ledgerOf(); return (await hgetalls(raw)) === n; }, { timeoutMs: 500, what: 'a read from the cache' });
    const before = await hgetalls(raw);
    for (let i = 0; i < 20; i++) expect(await dir().bindingAndUser('dingtalk', chat, user)).toMatchObject([{ ledgerId: 'L1' }, { name: `甲${id}` }]);
    expect(await hgetalls(raw)).toBe(before);
    // A missing binding (an unbound chat) is remembered too.
    expect((await dir().bindingAndUser('dingtalk', `none-${id}`, user))[0]).toBeNull();
    const mid = await hgetalls(raw);
    expect((await dir().bindingAndUser('dingtalk', `none-${id}`, user))[0]).toBeNull();
    expect(await hgetalls(raw)).toBe(mid);
  });

  it("this process's own writes are seen by the very next read", async () => {
    await ledgerOf();
    await dir().bind({ platform: 'dingtalk', chatId: chat, ledgerId: 'L2', channel: {}, boundAt: new Date().toISOString() });
    expect(await ledgerOf()).toBe('L2');
    await dir().putUsers([{ platform: 'dingtalk', userId: user, name: `乙${id}`, department: '办公室', role: 'office' }]);
    expect(await nameOf()).toBe(`乙${id}`);
  });

  it('a change by another connection (HSET, DEL, a Lua script, a new key) is seen within milliseconds', async () => {
    await ledgerOf(); await nameOf();
    await raw.hset(k.binding('dingtalk', chat), 'ledgerId', 'L3');
    const ms1 = await seenWithin(ledgerOf, 'L3');
    await raw.eval("return redis.call('HSET', KEYS[1], 'name', ARGV[1])", 1, k.user('dingtalk', user), `丙${id}`);
    const ms2 = await seenWithin(nameOf, `丙${id}`);
    await raw.del(k.binding('dingtalk', chat));
    const ms3 = await seenWithin(ledgerOf, null);
    // A key that did not exist when read (a cached miss) appears.
    await raw.hset(k.binding('dingtalk', chat), { platform: 'dingtalk', chatId: chat, ledgerId: 'L4', channel: '{}' });
    const ms4 = await seenWithin(ledgerOf, 'L4');
    expect(Math.max(ms1, ms2, ms3, ms4)).toBeLessThan(100);
    // And then served from the cache again.
    const before = await hgetalls(raw);
    await ledgerOf(); await ledgerOf();
    expect(await hgetalls(raw)).toBeLessThanOrEqual(before + 1);
  });

  it('a change through another services object of this process (its own connection) is seen at once', async () => {
    const other = await openServices({ redisUrl: url, env: { ...process.env, DIRECTORY_CACHE: 'off' } });
    try {
      await ledgerOf();
      await other.services.directory.unbind('dingtalk', chat);
      expect(await seenWithin(ledgerOf, null)).toBeLessThan(100);
    } finally { await other.close(); }
  });

  it('FLUSHDB empties it', async () => {
    await dir().bind({ platform: 'dingtalk', chatId: chat, ledgerId: 'L5', channel: {}, boundAt: new Date().toISOString() });
    expect(await ledgerOf()).toBe('L5');
    expect(await nameOf()).toBe(`丙${id}`);
    const flushes = cache.stats.flushes;
    await raw.flushdb();
    await waitFor(() => cache.stats.flushes > flushes, { timeoutMs: 500, what: 'flush invalidation' });
    expect(await dir().bindingAndUser('dingtalk', chat, user)).toEqual([null, null]);
  });

  it('a killed subscriber: reads go to Redis and stay right; the cache comes back after the reconnect', async () => {
    await dir().putUsers([{ platform: 'dingtalk', userId: user, name: `丁${id}`, department: '办公室', role: 'office' }]);
    await dir().bind({ platform: 'dingtalk', chatId: chat, ledgerId: 'L6', channel: {}, boundAt: new Date().toISOString() });
    expect(await ledgerOf()).toBe('L6');
    const sid = cache.subscriberId!;
    expect(await raw.client('LIST', 'ID', sid)).toContain('name=rb-dircache');
    await raw.client('KILL', 'ID', sid);
    await waitFor(() => !cache.active, { timeoutMs: 1000, what: 'cache off' });
    // No one would tell us now: the change must be read from Redis.
    await raw.hset(k.binding('dingtalk', chat), 'ledgerId', 'L7');
    let before = await hgetalls(raw);
    expect(await ledgerOf()).toBe('L7');
    expect(await ledgerOf()).toBe('L7');
    expect(await hgetalls(raw)).toBe(before + 4);
    await waitFor(() => cache.active, { timeoutMs: 5000, what: 'cache back on' });
    expect(cache.subscriberId).not.toBe(sid);
    expect(await ledgerOf()).toBe('L7');
    before = await hgetalls(raw);
    expect(await ledgerOf()).toBe('L7');
    expect(await hgetalls(raw)).toBe(before);
    await raw.hset(k.binding('dingtalk', chat), 'ledgerId', 'L8');
    expect(await seenWithin(ledgerOf, 'L8')).toBeLessThan(100);
  });

  it('a killed reading connection: tracking is set up again on the new one', async () => {
    expect(await ledgerOf()).toBe('L8');
    const mainId = await (open.redis as Redis).client('ID');
    const enabled = cache.stats.enabled;
    await raw.client('KILL', 'ID', String(mainId));
    await waitFor(() => cache.stats.enabled > enabled && cache.active, { timeoutMs: 5000, what: 'tracking again' });
    expect(await (open.redis as Redis).client('ID')).not.toBe(mainId);
    expect(await ledgerOf()).toBe('L8');
    await raw.hset(k.binding('dingtalk', chat), 'ledgerId', 'L9');
    expect(await seenWithin(ledgerOf, 'L9')).toBeLessThan(100);
  });

  it('a read that an invalidation overtakes is not cached', async () => {
    const key = k.binding('dingtalk', chat);
    expect(await ledgerOf()).toBe('L9');
    await raw.hset(key, 'ledgerId', 'L10');
    await seenWithin(ledgerOf, 'L10');
    // The read of the old value is in flight when the server's invalidation arrives; its late reply must not be kept.
    const t = cache.begin(key);
    const n = cache.stats.invalidations;
    await raw.hset(key, 'ledgerId', 'L11');
    await waitFor(() => cache.stats.invalidations > n, { timeoutMs: 500, what: 'invalidation' });
    cache.finish(t, { platform: 'dingtalk', chatId: chat, ledgerId: 'L10', channel: '{}' });
    expect(cache.lookup(key)).toBeUndefined();
    expect(await ledgerOf()).toBe('L11');
  });

  it('reads racing a stream of writes by another client end on the last value', async () => {
    const key = k.binding('dingtalk', chat);
    let stop = false;
    // (A cache hit settles without I/O: the reader yields to the event loop between reads.)
    const reader = (async () => { while (!stop) { await ledgerOf(); await new Promise((r) => setImmediate(r)); } })();
    for (let i = 0; i < 300; i++) await raw.hset(key, 'ledgerId', `R${i}`);
    stop = true;
    await reader;
    await seenWithin(ledgerOf, 'R299');
    await new Promise((r) => setTimeout(r, 20));
    expect(await ledgerOf()).toBe('R299');
  });

  it('is bounded (oldest dropped) and off with DIRECTORY_CACHE=off', async () => {
    const r = connectRedis(url);
    await waitReady(r);
    const small = DirectoryCache.open(r, {}, { maxEntries: 3 })!;
    try {
      await waitFor(() => small.active, { what: 'small cache on' });
      const d = new Directory(r, small);
      for (let i = 0; i < 5; i++) await d.getBinding('dingtalk', `b${i}-${id}`);
      expect(small.size).toBe(3);
      expect(small.lookup(k.binding('dingtalk', `b0-${id}`))).toBeUndefined();
      expect(small.lookup(k.binding('dingtalk', `b4-${id}`))).toEqual({});
      expect(DirectoryCache.open(r, { DIRECTORY_CACHE: 'off' })).toBeNull();
    } finally { await small.close(); r.disconnect(); }
  });

  it('the health check finds tracking lost on a live connection and sets it up again', async () => {
    const r = connectRedis(url) as Redis;
    await waitReady(r);
    const small = DirectoryCache.open(r, {}, { heartbeatMs: 50 })!;
    try {
      await waitFor(() => small.active, { what: 'cache on' });
      const d = new Directory(r, small);
      const key = k.binding('dingtalk', `hb-${id}`);
      await raw.hset(key, { ledgerId: 'H1', channel: '{}' });
      await seenWithin(async () => (await d.getBinding('dingtalk', `hb-${id}`))?.ledgerId, 'H1');
      const enabled = small.stats.enabled;
      // Someone turns tracking off on the reading connection (no event tells us): no more invalidations.
      await r.call('CLIENT', 'TRACKING', 'OFF');
      await waitFor(() => small.stats.enabled > enabled && small.active, { timeoutMs: 2000, what: 'tracking set up again' });
      await raw.hset(key, 'ledgerId', 'H2');
      expect(await seenWithin(async () => (await d.getBinding('dingtalk', `hb-${id}`))?.ledgerId, 'H2')).toBeLessThan(100);
    } finally { await small.close(); r.disconnect(); }
  });

  it('its subscriber goes with close()', async () => {
    const r = connectRedis(url);
    await waitReady(r);
    const small = DirectoryCache.open(r)!;
    try {
      await waitFor(() => small.active, { what: 'cache on' });
      const sid = small.subscriberId!;
      await small.close();
      await waitFor(async () => !String(await raw.client('LIST', 'ID', sid)).includes(`id=${sid}`), { timeoutMs: 1000, what: 'subscriber gone' });
      expect(small.active).toBe(false);
    } finally { r.disconnect(); }
  });
});

describe('directory cache (Redis Cluster)', () => {
  it('is not used: reads go to Redis as before', async () => {
    const open = await openServices({ redisUrl: testTarget('cluster') });
    try {
      expect(open.directoryCache).toBeNull();
      const id = randomUUID().slice(0, 8);
      await open.services.directory.bind({ platform: 'wecom', chatId: `c-${id}`, ledgerId: 'L1', channel: {}, boundAt: new Date().toISOString() });
      expect((await open.services.directory.bindingAndUser('wecom', `c-${id}`, `u-${id}`))[0]?.ledgerId).toBe('L1');
    } finally { await open.close(); }
  });
});
