import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../../src/main.js';
import { testRedisUrl } from '../helpers/redis.js';
// @ts-expect-error plain ESM helper without types
import { freePort } from '../../scripts/redis.mjs';

async function waitFor<T>(f: () => Promise<T | undefined>, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const portOpen = (port: number) => new Promise<boolean>((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

describe('the service', () => {
  it('serves /healthz and Prometheus /metrics counting pipeline messages', async () => {
    const svc = await startService({ REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/61'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    try {
      const base = `http://127.0.0.1:${svc.port}`;
      const h = await fetch(`${base}/healthz`);
      expect(h.status).toBe(200);
      expect(await h.json()).toEqual({ status: 'ok', redis: 'ok' });
      const r = await svc.pipeline.handle({ platform: 'console', chatId: 'demo', chatType: 'group', messageId: `svc-${Date.now()}`, senderId: 'owner', text: '进度' });
      expect(r!.text).toContain('21条整改措施');
      const m = await (await fetch(`${base}/metrics`)).text();
      expect(m).toMatch(/rectify_messages_total\{platform="console",outcome="ok"\} [1-9]/);
      expect(m).toMatch(/rectify_commands_total\{command="进度",outcome="ok"\} [1-9]/);
      expect(m).toContain('rectify_pipeline_duration_seconds_bucket');
      expect(m).toContain('rectify_redis_errors_total');
    } finally {
      await svc.stop();
    }
  });

  it('`npm start` runs its own append-only redis-server in the data dir, loads the demo, and stops Redis on exit', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rectify-start-'));
    const [port, redisPort] = [await freePort(), await freePort()];
    const env = { ...process.env, PORT: String(port), REDIS_PORT: String(redisPort), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete (env as Record<string, string | undefined>).REDIS_URL;
    const child = spawn(process.execPath, ['scripts/start.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const body = await waitFor(async () => {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        return r.status === 200 ? r.json() : undefined;
      });
      expect(body).toEqual({ status: 'ok', redis: 'ok' });
      expect(existsSync(path.join(dataDir, 'appendonlydir'))).toBe(true);
      expect(existsSync(path.join(dataDir, 'redis.url'))).toBe(true);
      await waitFor(async () => (out.includes('npx rectify chat --as owner --chat demo') ? true : undefined));
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(await waitFor(async () => ((await portOpen(redisPort)) ? undefined : true))).toBe(true);
    rmSync(dataDir, { recursive: true, force: true });
  }, 40000);
});
