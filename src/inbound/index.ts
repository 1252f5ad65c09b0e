import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'bullmq';
import type { RedisClient } from '../store/redis.js';
import type { Logger } from 'pino';
import type { IncomingMessage, Platform, Reply } from '../core/message.js';
import type { Deliverer, InboundPort, ReplyRoute } from '../core/ports.js';
import { parseIncoming } from '../pipeline/incoming.js';
import { InboundStore, partitionOf, type InboundEntry, type SubmitGuard, type SubmitResult } from '../store/inbound-store.js';
import { onceKey, rememberOnce } from '../store/once.js';
import { ReplyQueue } from './replies.js';
import { InboundWorker } from './worker.js';
import { CLAIM_COUNT } from './partition-loop.js';
import { AdmitGate } from './admit.js';

export interface InboundOptions {
  redis: RedisClient;
  /** BullMQ connection for the reply queue. */
  connection: () => ConnectionOptions;
  logger: Logger;
  /** Applies a message (the pipeline); rejects only when it could not be applied at all. */
  run(msg: IncomingMessage): Promise<Reply | null>;
  /** Whether a message only reads: a chat's consecutive reads are applied side by side (default: none are). */
  readOnly?(msg: InboundEntry['msg']): boolean;
  /** How long a passive callback waits for its answer (WeCom: within 5 s, we keep a margin). */
  passiveBudgetMs?: number;
  /** How long the worker tries to send an answer itself before handing it to the reply queue. */
  inlineSendMs?: number;
  /** Most messages waiting per partition before new ones are refused as busy. */
  maxBacklog?: number;
  /**
   * Messages waiting in a partition above which the acknowledgement of a route that allows it
   * (`admit`) is held until the backlog is back to this many, or `admitWaitMs` pass (default 4).
   */
  admitBacklog?: number;
  /** Longest hold of one acknowledgement (ms, default 2,000); 0: never held. */
  admitWaitMs?: number;
  leaseMs?: number;
  /** False: this process only submits (no worker, no reply sending). */
  work?: boolean;
  /** False: begin working only on `start()` (after the adapters have registered their deliverers). Default true. */
  autoStart?: boolean;
  /** Separate queue keys and reply queue (tests sharing one Redis); default ''. */
  namespace?: string;
  now?: () => number;
}

export interface InboundService extends InboundPort {
  readonly store: InboundStore;
  /** The acknowledgement backpressure (held acknowledgements are counted in `gate.held`). */
  readonly gate: AdmitGate;
  readonly worker: InboundWorker | null;
  readonly replies: ReplyQueue;
  /** Begins applying messages and sending answers (idempotent). */
  start(): Promise<void>;
  /** Resolves when nothing is waiting: every submitted message applied and every answer sent (tests, shutdown). */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the durable inbound queue: the store, this instance's worker and the reply sender. */
export async function startInbound(o: InboundOptions): Promise<InboundService> {
  const now = o.now ?? Date.now;
  const store = new InboundStore(o.redis, { maxBacklog: o.maxBacklog, namespace: o.namespace });
  const budget = o.passiveBudgetMs ?? 3_000;
  const replies = new ReplyQueue({ connection: o.connection, store, logger: o.logger, passiveBudgetMs: budget, queueName: o.namespace ? `replies-${o.namespace.replace(/[^A-Za-z0-9_-]/g, '')}` : undefined, now });
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const work = o.work !== false;
  const worker = work
    ? new InboundWorker({
      store, redis: o.redis, owner, logger: o.logger, leaseMs: o.leaseMs, now,
      run: (e) => o.run(e.msg as unknown as IncomingMessage),
      ...(o.readOnly ? { readOnly: (e: InboundEntry) => o.readOnly!(e.msg) } : {}),
      // Answers go out at once from here; the reply queue takes what could not (and passive
      // answers, which the callback may still take).
      deliver: async (e, reply) => {
        if (!e.passive && (await replies.sendNow(e, reply as Reply, o.inlineSendMs ?? 3_000))) return;
        await replies.add(e, reply as Reply);
      },
    })
    : null;
  const admitBacklog = o.admitBacklog ?? 4;
  const gate = new AdmitGate({
    backlog: admitBacklog, waitMs: o.admitWaitMs ?? 2_000, now,
    local: (n) => worker?.holds(n) ?? false,
    seen: (n) => store.doneSeenHere(n),
    read: (n) => store.done(n),
  });
  store.onFinished = (n, done) => gate.finished(n, done);
  let started: Promise<void> | null = null;
  const start = () => {
    started ??= (async () => {
      if (!worker) return;
      replies.startWorker();
      await worker.start();
    })();
    return started;
  };
  if (o.autoStart !== false) await start();

  return {
    start,
    store,
    gate,
    worker,
    replies,
    async submit(msg: IncomingMessage, route: ReplyRoute) {
      // The boundary: nothing malformed is ever persisted.
      const m = parseIncoming(msg);
      const entry: InboundEntry = { msg: m as unknown as InboundEntry['msg'], route: route.data, at: now(), passive: route.passive, budgetMs: route.budgetMs };
      const holds = route.admit === true && gate.enabled;
      const g = route.guard;
      let guard: SubmitGuard | undefined;
      if (g && store.canGuard) guard = { key: onceKey(g.scope, g.id), value: g.value, ttlMs: g.ttlMs };
      else if (g) {
        // A Cluster: the guard's key is in another slot than the partition's, so it goes first.
        const prev = await rememberOnce(o.redis, g.scope, g.id, g.value, g.ttlMs);
        if (prev !== null && prev !== g.value) return 'replay';
      }
      // This instance applies the partition: the submit takes the entry in hand itself.
      const loop = worker?.claimer(partitionOf(m.platform, m.chatId)) ?? null;
      const ticket = loop ? loop.begin() : 0;
      let r: SubmitResult | undefined;
      let failed = false;
      try {
        r = await store.submit(entry, holds ? admitBacklog : undefined, guard, loop ? { owner, count: CLAIM_COUNT } : undefined);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        loop?.claimed(ticket, r?.state === 'accepted' ? r.claimed : null, failed);
      }
      // Persisted: nothing is lost whatever happens now. A deep partition holds the acknowledgement.
      if (holds && r.state === 'accepted' && r.done !== null) await gate.wait(r.partition, r.ahead, r.done);
      return r.state;
    },
    async takeAnswer(msg: IncomingMessage, ms: number, fits?: (reply: Reply) => boolean) {
      const deadline = now() + ms;
      for (let step = 2; ; step = Math.min(25, step * 2)) {
        const rec = await store.record(msg.platform, msg.chatId, msg.messageId);
        if (rec?.s === 'done') {
          if (!rec.reply || (fits && !fits(rec.reply as Reply))) return null;
          return (await store.claimDelivery(msg.platform, msg.chatId, msg.messageId, 'passive')) ? (rec.reply as Reply) : null;
        }
        const left = deadline - now();
        if (!rec || left <= 0) return null;
        // Wait the whole budget out: an answer that lands at its very end is still taken.
        await new Promise((r) => setTimeout(r, Math.min(step, left)));
      }
    },
    later(msg, key, data, reply) {
      return replies.addExtra(msg, key, data, reply);
    },
    onDeliver(platform: Platform, deliver: Deliverer) {
      replies.register(platform, deliver);
    },
    async drain(timeoutMs = 20_000) {
      const deadline = now() + timeoutMs;
      for (;;) {
        const [backlog, unfinished] = await Promise.all([store.backlog(), replies.unfinished()]);
        if (backlog === 0 && unfinished === 0) return;
        if (now() > deadline) throw new Error(`inbound not drained: ${backlog} waiting, ${unfinished} replies unsent`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      gate.releaseAll();
      if (started) await started;
      await worker?.stop();
      await replies.close();
    },
  };
}
