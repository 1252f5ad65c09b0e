import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWecomServer } from '../fakes/wecom/server.js';
import { testRedisUrl } from '../helpers/redis.js';
import { makeWorld, type World } from '../helpers/world.js';
import { ScheduleStore } from '../../src/store/schedule-store.js';
import { DeliveryLog, type DeliveryEntry } from '../../src/store/delivery-log.js';
import { ScheduleService } from '../../src/schedule/service.js';
import { systemClock } from '../../src/core/clock.js';
import { openServices } from '../../src/app/services.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let wecom: FakeWecomServer;
let w: World;
let log: DeliveryLog;
const children: ChildProcess[] = [];

function spawnInstance(extra: Record<string, string>): Promise<ChildProcess> {
  // `node --import tsx` runs the instance in this very process, so a SIGKILL kills the instance itself
  // (the tsx CLI would relay to a grandchild that a SIGKILL of the parent leaves behind).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/instance.ts')], {
    cwd: root,
    env: {
      ...process.env, REDIS_URL: testRedisUrl(), FAKE_WECOM_URL: wecom.url, RECTIFY_LOCK_MS: '1500', RECTIFY_REFRESH_MS: '200',
      RECTIFY_RETRY_BASE_MS: '50', RECTIFY_REMINDER_CRON: '0 0 3 1 1 *', ...extra,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(child); });
    child.once('exit', (code) => reject(new Error(`instance exited early (${code})`)));
  });
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await done;
}

async function until(pred: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(50);
  }
}

/** Per chat: queued slots and how often each slot was sent, from the delivery log. */
function bySlot(es: DeliveryEntry[], chatId: string) {
  const mine = es.filter((e) => e.chatId === chatId && e.kind === 'digest');
  const queued = mine.filter((e) => e.status === 'queued').map((e) => e.slot).sort();
  const sent = new Map<string, number>();
  for (const e of mine.filter((x) => x.status === 'sent')) sent.set(e.slot, (sent.get(e.slot) ?? 0) + 1);
  return { queued, sent };
}

beforeAll(async () => {
  wecom = await new FakeWecomServer().start();
  // A clean slate for this file's chats: the delivery log and the outbox are global.
  const fresh = await openServices({ redisUrl: testRedisUrl() });
  await fresh.redis.flushdb();
  await fresh.close();
  w = await makeWorld({ clock: systemClock });
  log = new DeliveryLog(w.open.redis);
});
afterAll(async () => {
  for (const c of children) await stop(c, 'SIGKILL');
  await wecom.stop();
  await w.close();
});

async function subscribeChats(prefix: string, n: number): Promise<Map<string, string>> {
  const service = new ScheduleService({ services: w.open.services, sched: new ScheduleStore(w.open.redis), log, reminderCron: '0 0 3 1 1 *' });
  const keys = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const chatId = `${prefix}-${i}`;
    const key = wecom.newWebhookKey();
    keys.set(chatId, key);
    await w.open.services.directory.bind({ platform: 'wecom', chatId, ledgerId: w.ledgerId, channel: { webhookKey: key }, boundAt: new Date().toISOString() });
    await service.subscribe((await w.open.services.directory.getBinding('wecom', chatId))!, '*/2 * * * * *', { name: 'test' });
  }
  return keys;
}

describe('several service processes against one Redis', () => {
  it('three instances, a schedule every two seconds: every slot delivered exactly once', async () => {
    const keys = await subscribeChats('multi', 3);
    const procs = await Promise.all([0, 1, 2].map(() => spawnInstance({})));
    // Let the three schedulers compete over three slots (every 2 s) per chat.
    await until(async () => {
      const es = await log.all(5000);
      return [...keys.keys()].every((c) => bySlot(es, c).queued.length >= 3);
    });
    // Stop the schedulers; a last instance without a scheduler drains what they queued.
    await Promise.all(procs.map((p) => stop(p)));
    const drain = await spawnInstance({ RECTIFY_SCHEDULER: 'off' });
    await until(async () => {
      const es = await log.all(5000);
      return [...keys.keys()].every((c) => { const s = bySlot(es, c); return s.queued.length > 0 && s.queued.every((q) => s.sent.has(q)); });
    });
    await stop(drain);
    const es = await log.all(5000);
    for (const [chatId, key] of keys) {
      const { queued, sent } = bySlot(es, chatId);
      expect(queued.length).toBeGreaterThanOrEqual(2);
      expect(new Set(queued).size).toBe(queued.length); // each slot queued once
      expect([...sent.values()].every((n) => n === 1)).toBe(true); // and sent once
      expect([...sent.keys()].sort()).toEqual(queued);
      const gaps = queued.slice(1).map((s, i) => Date.parse(s) - Date.parse(queued[i]));
      expect(gaps.every((g) => g === 2000)).toBe(true); // no slot skipped while instances ran
      expect(wecom.of('webhook').filter((c) => c.query.key === key)).toHaveLength(queued.length);
    }
  });

  it('an instance killed after rendering, before sending: the digests go out once after restart', async () => {
    const keys = await subscribeChats('crash', 2);
    const a = await spawnInstance({ RECTIFY_DELIVERY: 'off' });
    await until(async () => (await log.all(5000)).filter((e) => e.chatId.startsWith('crash-') && e.status === 'queued').length >= 2);
    await stop(a, 'SIGKILL');
    const queuedBefore = (await log.all(5000)).filter((e) => e.chatId.startsWith('crash-') && e.status === 'queued');
    expect(wecom.calls.filter((c) => [...keys.values()].includes(c.query.key ?? ''))).toHaveLength(0);
    const b = await spawnInstance({ RECTIFY_SCHEDULER: 'off' });
    await until(async () => {
      const es = await log.all(5000);
      return queuedBefore.every((q) => es.some((e) => e.jobId === q.jobId && e.status === 'sent'));
    });
    await stop(b);
    const es = await log.all(5000);
    for (const q of queuedBefore) expect(es.filter((e) => e.jobId === q.jobId && e.status === 'sent')).toHaveLength(1);
    const calls = wecom.calls.filter((c) => [...keys.values()].includes(c.query.key ?? ''));
    expect(calls).toHaveLength(queuedBefore.length);
  });
});
