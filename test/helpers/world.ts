import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/core/clock.js';
import { ManualClock } from '../../src/core/clock.js';
import type { IncomingMessage, Reply } from '../../src/core/message.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import { buildDemoDoc, DEMO_USERS } from '../../src/ledger/demo.js';
import type { User } from '../../src/store/directory.js';
import { testTarget, type Target } from './redis.js';

/** A real Redis-backed world with the demo ledger under a unique id and a bound console chat. */
export interface World {
  open: OpenServices;
  pipeline: Pipeline;
  metrics: Metrics;
  clock: ManualClock;
  ledgerId: string;
  chatId: string;
  /** Sends a console message as `who` and returns the reply. */
  say(who: string, text: string, opts?: Partial<IncomingMessage>): Promise<Reply | null>;
  close(): Promise<void>;
}

/** `target` picks the suite's single Redis (default) or this worker's Redis Cluster; `redisUrl` overrides both. */
export async function makeWorld(opts: { at?: string; redisUrl?: string; target?: Target; clock?: Clock } = {}): Promise<World> {
  const clock = new ManualClock(opts.at ?? '2021-09-25T02:00:00.000Z');
  const open = await openServices({ redisUrl: opts.redisUrl ?? testTarget(opts.target), clock: opts.clock ?? clock });
  const ledgerId = `t-${randomUUID().slice(0, 8)}`;
  const chatId = `chat-${ledgerId}`;
  await open.services.ledgers.saveDoc(buildDemoDoc(ledgerId));
  await open.services.directory.putUsers(DEMO_USERS.map((u) => ({ ...u })) as User[]);
  await open.services.directory.bind({ platform: 'console', chatId, ledgerId, channel: {}, boundAt: clock.now().toISOString() });
  const metrics = new Metrics();
  const pipeline = createPipeline({ services: open.services, logger: silentLogger(), metrics, claim: open.claim });
  return {
    open, pipeline, metrics, clock, ledgerId, chatId,
    say: (who, text, extra) => pipeline.handle({
      platform: 'console', chatId, chatType: 'group', messageId: randomUUID(), senderId: who, text, ...extra,
    }),
    close: () => open.close(),
  };
}

/** Sends into `w`'s chat through a second pipeline on the same Redis whose services remember no answers (what a fresh read gives). */
export function sayUnremembered(w: World): (who: string, text: string) => Promise<string> {
  const p = createPipeline({ services: { ...w.open.services, answers: undefined }, logger: silentLogger(), metrics: new Metrics(), claim: w.open.claim });
  return async (who, text) => (await p.handle({ platform: 'console', chatId: w.chatId, chatType: 'group', messageId: randomUUID(), senderId: who, text }))?.text ?? '';
}

/** Worlds made by a test file's tests on `target`, closed after each test. */
export function worldsPerTest(target: Target, afterEach: (fn: () => Promise<void>) => void): () => Promise<World> {
  let worlds: World[] = [];
  afterEach(async () => { await Promise.all(worlds.map((w) => w.close())); worlds = []; });
  return async () => { const w = await makeWorld({ target }); worlds.push(w); return w; };
}

/** The text of `w`'s answer to `text` from `who` ('' for none). */
export async function textOf(w: World, who: string, text: string): Promise<string> {
  return (await w.say(who, text))?.text ?? '';
}
