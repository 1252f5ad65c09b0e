import { describe, expect, it } from 'vitest';
import { testClusterTarget, testRedisUrl } from '../helpers/redis.js';
import { crashRun, type CrashRunResult } from './crash-run.js';

/** Every callback answered 2xx applied exactly once and answered; only those in flight on the killed instance may be refused. */
function expectNothingLost(r: CrashRunResult, minAcknowledged: number): void {
  expect(r.acknowledged).toBeGreaterThan(minAcknowledged);
  expect(r.acknowledged + r.refused).toBe(r.sent);
  expect(r.notApplied).toBe(0);
  expect(r.appliedTwice).toBe(0);
  expect(r.appliedOnce).toBe(r.acknowledged);
  expect(r.answered).toBe(r.acknowledged);
  expect(r.busyReplies).toBe(0);
  expect(r.countersMatch).toBe(true);
}

/**
 * Three spawned service processes on one Redis, signed DingTalk callbacks
 * (10% resent to another instance), one instance SIGKILLed midway: nothing
 * that was acknowledged is lost or applied twice.
 */
describe('crash run: acknowledged means applied exactly once and answered', () => {
  it('3 instances, 3,000 callbacks, SIGKILL of one midway', async () => {
    const r = await crashRun({ target: testRedisUrl(), messages: 3_000, log: (l) => console.log(l) });
    console.log('[crash run, single redis]', JSON.stringify(r));
    expectNothingLost(r, 2_900);
  }, 240_000);

  it('the same on a real 3-master Redis Cluster (600 callbacks)', async () => {
    const r = await crashRun({ target: testClusterTarget(), messages: 600, log: (l) => console.log(l) });
    console.log('[crash run, cluster]', JSON.stringify(r));
    expectNothingLost(r, 570);
  }, 240_000);
});
