import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startService } from '../../src/main.js';
import { buildDemoDoc, DEMO_USERS } from '../../src/ledger/demo.js';
import type { User } from '../../src/store/directory.js';
import { testClusterTarget } from '../helpers/redis.js';

/** Sockets this process still holds to the given ports. */
const socketsTo = (ports: number[]) =>
  (process as unknown as { _getActiveHandles(): Array<{ remotePort?: number }> })._getActiveHandles()
    .filter((h) => h.remotePort !== undefined && ports.includes(h.remotePort)).length;

describe('the service on a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  it('starts with store, scheduler and delivery worker on the cluster, answers, and leaves no connection behind', async () => {
    const nodes = testClusterTarget().replace('redis-cluster://', '');
    const ports = nodes.split(',').map((n) => Number(n.split(':')[1]));
    // REDIS_CLUSTER_NODES wins over a REDIS_URL that points nowhere.
    const svc = await startService({ REDIS_CLUSTER_NODES: nodes, REDIS_URL: 'redis://127.0.0.1:1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    try {
      const health = await fetch(`http://127.0.0.1:${svc.port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', redis: 'ok' });
      const L = `svc-${randomUUID().slice(0, 8)}`;
      await svc.services.ledgers.saveDoc(buildDemoDoc(L));
      await svc.services.directory.putUsers(DEMO_USERS.map((u) => ({ ...u })) as User[]);
      await svc.services.directory.bind({ platform: 'console', chatId: `chat-${L}`, ledgerId: L, channel: {}, boundAt: new Date().toISOString() });
      const reply = await svc.pipeline.handle({ platform: 'console', chatId: `chat-${L}`, chatType: 'group', messageId: randomUUID(), senderId: 'owner', text: '进度' });
      expect(reply?.text).toContain('共8个问题、21条整改措施');
      expect(socketsTo(ports)).toBeGreaterThan(0);
    } finally {
      await svc.stop();
    }
    // BullMQ keeps Cluster clients it was given open; the service must close them itself.
    for (let i = 0; i < 40 && socketsTo(ports) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(socketsTo(ports)).toBe(0);
  }, 30000);
});
