/**
 * Lua scripts, the one way: declare once, run on any client.
 *
 *   const TAKE = script<number>('rbTake', `...lua...`, 1);
 *   const n = await TAKE.run(redis, [key], [now, limit]);
 *
 * - `run` sends it as ioredis sends a script of `defineCommand` (EVAL on a
 *   connection's first use, EVALSHA after, EVAL again on NOSCRIPT), on a single
 *   Redis and on a Cluster alike, auto-pipelined where the client is; the script
 *   is not defined on the client (see RUN below).
 * - Every key goes in `keys` (KEYS[] in Lua), never in `args`: Redis Cluster
 *   routes the script by its keys, and they must all share one hash tag.
 * - `numberOfKeys` fixed when the script always takes that many keys; omit it
 *   for a variable number (the key count is passed for you).
 * - Names are global per client: prefix them (`rb…`) and keep them unique;
 *   registering another body under a taken name throws.
 */
import { createRequire } from 'node:module';
import type { RedisClient } from './redis.js';

export type ScriptArg = string | number | Buffer;

export interface Script<R = unknown> {
  readonly name: string;
  readonly lua: string;
  readonly numberOfKeys?: number;
  /** Runs the script with `keys` as KEYS[] and `args` as ARGV[]. */
  run(redis: RedisClient, keys: string[], args?: ScriptArg[]): Promise<R>;
}

/** ioredis's own script runner (EVAL on a connection's first use, then EVALSHA; NOSCRIPT resends). */
interface IoScript {
  execute(container: unknown, args: unknown[], options: { replyEncoding: 'utf8' }, callback?: undefined): Promise<unknown>;
}
interface AutoPipelining {
  shouldUseAutoPipelining(client: unknown, functionName: string, commandName: string): boolean;
  executeWithAutoPipelining(client: unknown, functionName: string, commandName: string, args: unknown[], callback: undefined): Promise<unknown>;
}
const require = createRequire(import.meta.url);
const IoScript = (require('ioredis/built/Script.js') as { default: new (lua: string, numberOfKeys?: number | null) => IoScript }).default;
const autoPipelining = require('ioredis/built/autoPipelining.js') as AutoPipelining;
const Pipeline = (require('ioredis/built/Pipeline.js') as { default: { prototype: Record<string, unknown> } }).default;

/**
 * The one method every pipeline has for our scripts, on Pipeline's prototype. ioredis's
 * defineCommand puts each script on the client, and its Pipeline constructor copies every script
 * of the client into each pipeline it makes (two properties each: ~60 for our scripts, a
 * dictionary-mode object of ~2 KB), one pipeline per event-loop turn with auto-pipelining. A
 * script defined after this turn's auto-pipeline was made was also missing from it (the
 * adoption workaround this replaces).
 */
const RUN = 'rbRunScript';
Pipeline.prototype[RUN] = function (this: unknown, s: IoScript, ...args: unknown[]) {
  return s.execute(this, args, { replyEncoding: 'utf8' });
};

const registered = new WeakMap<object, Map<string, string>>();

/** Checks that `s`'s name is its own on `redis` (safe to call on every use). */
export function ensureScript(redis: RedisClient, s: Pick<Script, 'name' | 'lua'>): void {
  let names = registered.get(redis);
  if (!names) registered.set(redis, (names = new Map()));
  const had = names.get(s.name);
  if (had === s.lua) return;
  if (had !== undefined || s.name in redis) throw new Error(`Lua script name "${s.name}" is already taken on this client`);
  names.set(s.name, s.lua);
}

/** Declares a Lua script (see the file header). */
export function script<R = unknown>(name: string, lua: string, numberOfKeys?: number): Script<R> {
  const s: Script<R> = {
    name, lua, numberOfKeys,
    async run(redis, keys, args = []) {
      if (numberOfKeys !== undefined && keys.length !== numberOfKeys) {
        throw new Error(`script ${name} takes ${numberOfKeys} keys, got ${keys.length}`);
      }
      ensureScript(redis, s);
      const all = numberOfKeys === undefined ? [keys.length, ...keys, ...args] : [...keys, ...args];
      // Auto-pipelined like any command of the turn (single Redis), else sent as ioredis sends a defined command.
      if (autoPipelining.shouldUseAutoPipelining(redis, RUN, RUN)) {
        return autoPipelining.executeWithAutoPipelining(redis, RUN, RUN, [io, ...all], undefined) as Promise<R>;
      }
      return io.execute(redis, all, { replyEncoding: 'utf8' }) as Promise<R>;
    },
  };
  // A fixed key count is put in front of the keys by ioredis, a variable one by `run`.
  const io = new IoScript(lua, numberOfKeys ?? null);
  return s;
}
