/**
 * ioredis pipelines without the per-pipeline accessor.
 *
 * ioredis (5.11) gives every Pipeline its own `length` getter
 * (`Object.defineProperty(this, 'length', { get: closure })`). A fresh
 * accessor per object moves the object to dictionary mode, and V8's scavenger
 * then keeps every such pipeline alive until the next full collection, with
 * all it references: its commands, their arguments and replies, the callers'
 * callbacks. With auto-pipelining that is one pipeline per event-loop turn
 * plus each explicit `pipeline()`: about 1.5 MB of garbage copied and promoted
 * to the old space at every scavenge under chat traffic, which grew the heap
 * to ~80 MB before V8's first full collection and cost ~5 ms per scavenge
 * (a loop of 100,000 `pipeline().get().exec()`: 199 MB promoted, 5 MB with
 * this class, and about a quarter less CPU).
 *
 * LeanPipeline is Pipeline's constructor without that line, with `length` a
 * getter of its prototype; its prototype chain is Pipeline's, so every method
 * and `instanceof Pipeline` are ioredis's own. It is used only where its own
 * properties are exactly a Pipeline's (checked once against a real one), so an
 * ioredis that builds pipelines differently keeps its own.
 */
import { createRequire } from 'node:module';
import type { RedisClient } from './redis.js';

type Any = Record<string | symbol, unknown>;
interface ClientLike extends Any {
  options: unknown;
  scriptsSet: Record<string, { sha: string }>;
  addedBuiltinSet: Set<string>;
  constructor: { name: string };
  isCluster?: boolean;
}

const require = createRequire(import.meta.url);
const Commander = (require('ioredis/built/utils/Commander.js') as { default: new () => object }).default;
const Pipeline = (require('ioredis/built/Pipeline.js') as { default: (new (redis: unknown) => Any) & { prototype: object } }).default;

class LeanPipeline extends Commander {
  constructor(redis: ClientLike) {
    super();
    const self = this as unknown as Any;
    self.redis = redis;
    self.isPipeline = true;
    self.replyPending = 0;
    self._queue = [];
    self._result = [];
    self._transactions = 0;
    const shaToScript: Any = {};
    self._shaToScript = shaToScript;
    self.isCluster = redis.constructor.name === 'Cluster' || redis.isCluster;
    self.options = redis.options;
    for (const name of Object.keys(redis.scriptsSet)) {
      shaToScript[redis.scriptsSet[name]!.sha] = redis.scriptsSet[name];
      self[name] = redis[name];
      self[`${name}Buffer`] = redis[`${name}Buffer`];
    }
    redis.addedBuiltinSet.forEach((name) => {
      self[name] = redis[name];
      self[`${name}Buffer`] = redis[`${name}Buffer`];
    });
    self.promise = new Promise((resolve, reject) => {
      self.resolve = resolve;
      self.reject = reject;
    });
  }

  get length(): number {
    return ((this as unknown as Any)._queue as unknown[]).length;
  }
}
Object.setPrototypeOf(LeanPipeline.prototype, Pipeline.prototype);

const ownKeys = (o: object) => Reflect.ownKeys(o).map(String).sort().join(',');
let matches: boolean | undefined;

/** True when a LeanPipeline has exactly the own properties of ioredis's Pipeline (but `length`). */
export function leanMatchesPipeline(client: RedisClient): boolean {
  if (matches === undefined) {
    const c = client as unknown as ClientLike;
    const real = new Pipeline(c);
    const lean = new LeanPipeline(c);
    matches = ownKeys(real) === [...Reflect.ownKeys(lean).map(String), 'length'].sort().join(',');
    // Both promises are never settled and never awaited: nothing to clean up.
  }
  return matches;
}

/**
 * Makes `client.pipeline()` (and so its auto-pipelines, which ioredis builds with it) a
 * LeanPipeline, when the installed ioredis builds pipelines as 5.11 does. MULTI is left as it is.
 */
export function useLeanPipelines(client: RedisClient): void {
  if (!leanMatchesPipeline(client)) return;
  const c = client as unknown as Any;
  c.pipeline = function pipeline(this: ClientLike, commands?: unknown[][]) {
    const p = new LeanPipeline(this) as unknown as { addBatch(c: unknown[][]): unknown };
    if (Array.isArray(commands)) p.addBatch(commands);
    return p;
  };
}
