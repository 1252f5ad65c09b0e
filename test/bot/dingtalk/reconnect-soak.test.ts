import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDingtalk, type DingtalkHandle } from '../../../src/bot/dingtalk/index.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { makeAdapterEnv, until, type TestAdapterEnv } from './context.js';
import { waitFor } from '../../helpers/wait.js';

/** Active handles by type (Timeout, TCPSocketWrap, …) as Node reports them. */
function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

async function settle(fake: FakeDingtalk, dt: DingtalkHandle): Promise<void> {
  await until(() => dt.supervisor!.connected, 5_000, 'one live connection');
  // Closed sockets finish closing on both ends: wait until the handle counts hold still for 100 ms.
  let last = '';
  let sameSince = Date.now();
  await waitFor(() => {
    const now = JSON.stringify(resources());
    if (now !== last) [last, sameSince] = [now, Date.now()];
    return Date.now() - sameSince >= 100;
  }, { timeoutMs: 3_000, intervalMs: 5, what: 'handle counts to settle' });
}

describe('1,000 forced reconnects (2 × 500)', () => {
  let fake: FakeDingtalk;
  let env: TestAdapterEnv;
  let dt: DingtalkHandle;
  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    env = await makeAdapterEnv({ env: fake.env() });
    dt = (await startDingtalk(env.ctx, { stream: { baseDelayMs: 1, maxDelayMs: 4, stableMs: 0 } }))!;
  });
  afterAll(async () => {
    await dt.stop();
    await env.close();
    await fake.close();
  });

  // Two phases, each checked on its own: the way DingTalk ends a connection decides who must close the socket.
  it.each([
    ['a disconnect frame (the client must close: DingTalk waits ~10 s)', 'frame'],
    ['a dropped socket', 'drop'],
  ] as const)('after 500 × %s leave no extra timers or sockets', async (_n, how) => {
    await settle(fake, dt);
    const before = resources();
    const startConnects = fake.stream.connectCount;
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) {
      const connected = once(dt.supervisor!, 'connected');
      if (how === 'frame') fake.stream.disconnect();
      else fake.stream.terminateAll();
      await connected;
    }
    const elapsed = performance.now() - t0;
    await settle(fake, dt);
    // Every old connection's sockets and timers must go: poll for that; on timeout the expects below show what stayed.
    const fewer = (r: Record<string, number>) => (r.Timeout ?? 0) <= (before.Timeout ?? 0) && (r.TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0);
    const after = await waitFor(() => { const r = resources(); return fewer(r) ? r : undefined; }, { timeoutMs: 3_000, what: 'old handles to close' })
      .catch(() => resources());
    console.log(
      `[dingtalk stream] 500 reconnects (${how}) in ${elapsed.toFixed(0)} ms (${(elapsed / 500).toFixed(2)} ms each); ` +
        `handles before ${JSON.stringify(before)} after ${JSON.stringify(after)}`,
    );
    expect(fake.stream.connectCount - startConnects).toBe(500);
    expect(fake.stream.conns).toHaveLength(1);
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
    expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual(before.TCPSocketWrap ?? 0);
    expect(fake.violations).toEqual([]);
  });
});
