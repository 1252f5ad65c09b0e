import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startService } from '../../src/main.js';
import { waitFor } from '../helpers/wait.js';
// @ts-expect-error plain ESM helper without types
import { startRedis, freePort } from '../../scripts/redis.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-freeze-'));
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** A frozen Redis (SIGSTOP, as under a stuck disk or a paused VM) must not hang the service. */
describe('Redis frozen for 5 s', () => {
  it('/healthz turns 503 within 2 s, chat answers "unavailable" instead of hanging, both recover after SIGCONT', async () => {
    const redis = await startRedis({ dir, port: await freePort() });
    cleanups.push(() => { redis.child.kill('SIGCONT'); redis.child.kill('SIGKILL'); });
    const svc = await startService({
      REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CONSOLE_WEB: 'off', RECTIFY_SCHEDULER: 'off', LOAD_DEMO: 'auto',
    });
    cleanups.push(() => svc.stop());
    const health = `http://127.0.0.1:${svc.port}/healthz`;
    const say = (text: string) => svc.pipeline.handle({
      platform: 'console', chatId: 'demo', chatType: 'group', messageId: randomUUID(), senderId: 'owner', text,
    });
    expect((await fetch(health)).status).toBe(200);
    expect((await say('进度'))!.text).toContain('整改');

    redis.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    const res = await fetch(health);
    const took = Date.now() - frozenAt;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'degraded', redis: 'down' });
    expect(took).toBeLessThan(2_000);
    const reply = await say('进度');
    expect(reply!.text).toContain('服务暂时不可用');
    expect(Date.now() - frozenAt).toBeLessThan(5_000); // still frozen: the answer did not wait for Redis

    await new Promise((r) => setTimeout(r, Math.max(0, 5_000 - (Date.now() - frozenAt))));
    redis.child.kill('SIGCONT');
    await waitFor(async () => (await fetch(health)).status === 200, { timeoutMs: 10_000, what: '/healthz to recover' });
    await waitFor(async () => (await say('进度'))!.text.includes('整改'), { timeoutMs: 10_000, what: 'chat to recover' });
  }, 60_000);

  it('stops within 20 s while Redis is frozen (a SIGTERM during an outage ends inside a supervisor\'s 30 s grace, never hangs)', async () => {
    const redis = await startRedis({ dir: mkdtempSync(path.join(dir, 'stop-')), port: await freePort() });
    cleanups.push(() => { redis.child.kill('SIGCONT'); redis.child.kill('SIGKILL'); });
    const svc = await startService({
      REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CONSOLE_WEB: 'off', RECTIFY_SCHEDULER: 'off', LOAD_DEMO: 'never',
    });
    redis.child.kill('SIGSTOP');
    const t0 = Date.now();
    await svc.stop();
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 60_000);
});
