import { crashRun } from '../test/inbound/crash-run.js';

/**
 * The operator's crash run as a figure: 3 service processes on the bench's
 * Redis, 3,000 signed DingTalk callbacks (10% resent to another instance),
 * one instance SIGKILLed after half were acknowledged. Reports acknowledged
 * vs applied vs answered (see test/inbound/crash-run.ts).
 */
export async function benchCrash(o: { redisUrl: string; messages?: number }) {
  // Its own database of the bench's Redis: the crash run leaves a ledger and three instances' queues behind.
  const r = await crashRun({ target: `${o.redisUrl.replace(/\/\d+$/, '')}/7`, messages: o.messages ?? 3_000, log: (l) => console.error(`[bench] ${l}`) });
  return {
    ...r,
    target: 'every acknowledged callback applied exactly once and answered; 0 busy replies; counters equal a recount',
    met: r.appliedOnce === r.acknowledged && r.answered === r.acknowledged && r.appliedTwice === 0 && r.busyReplies === 0 && r.countersMatch,
  };
}
