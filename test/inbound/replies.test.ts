import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import type { Reply } from '../../src/core/message.js';
import { SendError } from '../../src/core/sender.js';
import { ReplyQueue } from '../../src/inbound/replies.js';
import type { InboundEntry, InboundStore } from '../../src/store/inbound-store.js';
import { bullConnection } from '../../src/store/schedule-store.js';
import { testRedisUrl } from '../helpers/redis.js';

let logText = '';
const q = new ReplyQueue({
  connection: () => bullConnection(testRedisUrl()),
  store: null as unknown as InboundStore, // sendNow never reads the inbound store
  logger: createLogger('info', new Writable({ write(c, _e, cb) { logText += String(c); cb(); } })),
  passiveBudgetMs: 1_000,
  queueName: `replies-t${randomUUID().slice(0, 8)}`,
});
afterAll(() => q.close());

const entry = (platform: string): InboundEntry => ({ msg: { platform, chatId: 'c', messageId: randomUUID() }, route: { to: 'x' }, at: Date.now(), passive: false });
const reply: Reply = { title: 't', markdown: '收到', text: '收到', mentions: [] };
const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('ReplyQueue.sendNow (the inline send before the queue)', () => {
  it('is done with an answer sent, handing the route and reply to the deliverer, and leaves no timer behind', async () => {
    const got: unknown[] = [];
    q.register('console', async (route, r) => { got.push([route, r]); });
    const before = timeouts();
    expect(await q.sendNow(entry('console'), reply, 60_000)).toBe(true);
    expect(got).toEqual([[{ to: 'x' }, reply]]);
    expect(timeouts()).toBe(before);
  });

  it('leaves a slow send to the queue once the inline budget is spent, without waiting for it', async () => {
    let finish = () => {};
    q.register('console', () => new Promise<void>((r) => { finish = r; }));
    const t0 = performance.now();
    expect(await q.sendNow(entry('console'), reply, 100)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1_000);
    finish(); // the late outcome is ignored
  });

  it('leaves a transient failure to the queue, with no timer left behind', async () => {
    q.register('console', async () => { throw new SendError('retry', 'timeout', 'no answer'); });
    const before = timeouts();
    expect(await q.sendNow(entry('console'), reply, 60_000)).toBe(false);
    q.register('console', async () => { throw new Error('socket hang up'); });
    expect(await q.sendNow(entry('console'), reply, 60_000)).toBe(false);
    q.register('console', () => { throw new Error('thrown before any promise'); });
    expect(await q.sendNow(entry('console'), reply, 60_000)).toBe(false);
    expect(timeouts()).toBe(before);
  });

  it('is done with an answer refused for good (config/fatal), logged without retrying', async () => {
    q.register('console', async () => { throw new SendError('config', 'no_channel', 'no way to reach this user'); });
    const logged = logText.length;
    expect(await q.sendNow(entry('console'), reply, 60_000)).toBe(true);
    expect(JSON.parse(logText.slice(logged).trim())).toMatchObject({ level: 40, code: 'no_channel', kind: 'config', msg: 'reply not delivered (not retried)' });
  });

  it('leaves the answer to the queue when this instance has no deliverer for the platform', async () => {
    expect(await q.sendNow(entry('wecom'), reply, 60_000)).toBe(false);
  });
});
