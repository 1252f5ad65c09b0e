import { describe, expect, it } from 'vitest';
import { testClusterTarget, testRedisUrl } from '../helpers/redis.js';
import { crashRun } from './crash-run.js';

/**
 * Three spawned service processes on one Redis, signed DingTalk callbacks
 * (10% resent to another instance), one instance SIGKILLed midway: nothing
 * that was acknowledged is lost or applied twice.
 */
describe('crash run: acknowledged means applied exactly once and answered', () => {
  it('3 instances, 3,000 callbacks, SIGKILL of one midway', async () => {
    const r = await crashRun({ target: testRedisUrl(), messages: 3_000, log: (l) => console.log(l) });
    console.log('[crash run, single redis]', JSON.stringify(r));
    expect(r.acknowledged).toBeGreaterThan(2_900); // only callbacks in flight on the killed instance may be refused
    expect(r.acknowledged + r.refused).toBe(r.sent);
    expect(r.notApplied).toBe(0);
    expect(r.appliedTwice).toBe(0);
    expect(r.appliedOnce).toBe(r.acknowledged);
    expect(r.answered).toBe(r.acknowledged);
    expect(r.busyReplies).toBe(0);
    expect(r.countersMatch).toBe(true);
  }, 240_000);

  it('the same on a real 3-master Redis Cluster (600 callbacks)', async () => {
    const r = await crashRun({ target: testClusterTarget(), messages: 600, log: (l) => console.log(l) });
    console.log('[crash run, cluster]', JSON.stringify(r));
    expect(r.acknowledged).toBeGreaterThan(570);
    expect(r.acknowledged + r.refused).toBe(r.sent);
    expect(r.notApplied).toBe(0);
    expect(r.appliedTwice).toBe(0);
    expect(r.appliedOnce).toBe(r.acknowledged);
    expect(r.answered).toBe(r.acknowledged);
    expect(r.busyReplies).toBe(0);
    expect(r.countersMatch).toBe(true);
  }, 240_000);
});
