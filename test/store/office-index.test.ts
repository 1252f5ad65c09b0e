import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { Directory } from '../../src/store/directory.js';
import { k } from '../../src/store/keys.js';
import { TARGETS, testTarget } from '../helpers/redis.js';

/** The office of a ledger from the office index (real Redis): kept by putUsers/removeUsers, built once from older data. */
describe.each(TARGETS)('Directory.officeMembers (%s)', (target) => {
  let redis: RedisClient;
  let dir: Directory;
  const id = randomUUID().slice(0, 8);
  const L = `L-${id}`;
  const ids = (us: Array<{ userId: string }>) => us.map((u) => u.userId).filter((u) => u.endsWith(id)).sort();
  beforeAll(async () => {
    redis = connectRedis(testTarget(target));
    await waitReady(redis);
    dir = new Directory(redis);
  });
  afterAll(() => redis.disconnect());

  it('names the office of that ledger on that platform, follows promotions, demotions and removals', async () => {
    await dir.putUsers([
      { platform: 'wecom', userId: `a-${id}`, name: `甲${id}`, department: '办公室', role: 'viewer', ledgers: { [L]: 'office' } },
      { platform: 'wecom', userId: `b-${id}`, name: `乙${id}`, department: '办公室', role: 'office', ledgers: { [L]: 'owner' } },
      { platform: 'wecom', userId: `c-${id}`, name: `丙${id}`, department: '办公室', role: 'office' },
      { platform: 'wecom', userId: `d-${id}`, name: `丁${id}`, department: '办公室', role: 'viewer', admin: true },
      { platform: 'wecom', userId: `e-${id}`, name: `戊${id}`, department: '政治部', role: 'owner' },
      { platform: 'dingtalk', userId: `f-${id}`, name: `己${id}`, department: '办公室', role: 'viewer', ledgers: { [L]: 'office' } },
    ]);
    // b is the owner on L (the per-ledger role wins), d an admin only, e an owner: none of them.
    expect(ids(await dir.officeMembers('wecom', L))).toEqual([`a-${id}`, `c-${id}`]);
    expect(ids(await dir.officeMembers('dingtalk', L))).toEqual([`f-${id}`]);
    expect(await redis.sismember(k.offices(), `wecom:e-${id}`)).toBe(0);

    await dir.putUsers([
      { platform: 'wecom', userId: `a-${id}`, name: `甲${id}`, department: '办公室', role: 'viewer', ledgers: { [L]: 'leader' } },
      { platform: 'wecom', userId: `e-${id}`, name: `戊${id}`, department: '政治部', role: 'viewer', ledgers: { [L]: 'office' } },
    ]);
    await dir.removeUsers([{ platform: 'wecom', userId: `c-${id}` }]);
    expect(ids(await dir.officeMembers('wecom', L))).toEqual([`e-${id}`]);
    expect(await redis.sismember(k.offices(), `wecom:a-${id}`)).toBe(0);
    expect(await redis.sismember(k.offices(), `wecom:c-${id}`)).toBe(0);
  });

  it('builds the index from a directory written before it existed', async () => {
    await dir.putUsers([{ platform: 'console', userId: `g-${id}`, name: `庚${id}`, department: '办公室', role: 'viewer', ledgers: { [L]: 'office' } }]);
    await redis.del(k.offices(), k.officesBuilt());
    expect(ids(await dir.officeMembers('console', L))).toEqual([`g-${id}`]);
    expect(await redis.exists(k.officesBuilt())).toBe(1);
    expect(await redis.sismember(k.offices(), `console:g-${id}`)).toBe(1);
  });
});
