/**
 * Lua scripts, the one way: declare once, run on any client.
 *
 *   const TAKE = script<number>('rbTake', `...lua...`, 1);
 *   const n = await TAKE.run(redis, [key], [now, limit]);
 *
 * - `run` registers the script on that client with ioredis `defineCommand`
 *   the first time (idempotent, per client), then calls it: EVALSHA with an
 *   EVAL fallback, on a single Redis and on a Cluster alike.
 * - Every key goes in `keys` (KEYS[] in Lua), never in `args`: Redis Cluster
 *   routes the script by its keys, and they must all share one hash tag.
 * - `numberOfKeys` fixed when the script always takes that many keys; omit it
 *   for a variable number (the key count is passed for you).
 * - Names are global per client: prefix them (`rb…`) and keep them unique;
 *   registering another body under a taken name throws.
 */
import type { RedisClient } from './redis.js';

export type ScriptArg = string | number | Buffer;

export interface Script<R = unknown> {
  readonly name: string;
  readonly lua: string;
  readonly numberOfKeys?: number;
  /** Runs the script with `keys` as KEYS[] and `args` as ARGV[]. */
  run(redis: RedisClient, keys: string[], args?: ScriptArg[]): Promise<R>;
}

const registered = new WeakMap<object, Map<string, string>>();

/** Registers `s` on `redis` unless it already is (safe to call on every use). */
export function ensureScript(redis: RedisClient, s: Pick<Script, 'name' | 'lua' | 'numberOfKeys'>): void {
  let names = registered.get(redis);
  if (!names) registered.set(redis, (names = new Map()));
  const had = names.get(s.name);
  if (had === s.lua) return;
  if (had !== undefined || s.name in redis) throw new Error(`Lua script name "${s.name}" is already taken on this client`);
  redis.defineCommand(s.name, s.numberOfKeys === undefined ? { lua: s.lua } : { numberOfKeys: s.numberOfKeys, lua: s.lua });
  names.set(s.name, s.lua);
  adoptInAutoPipelines(redis, s.name);
}

interface AutoPipelined {
  _autoPipelines?: Map<string, Record<string, unknown> & { _shaToScript: Record<string, unknown> }>;
  scriptsSet: Record<string, { sha: string }>;
}

/**
 * ioredis (5.11) copies a client's scripts into a pipeline when the pipeline is made, so an
 * auto-pipeline already collecting this turn's commands lacks a script defined after it, and its
 * call throws ("results[i] is not iterable" once the pipeline runs). The script is added to the
 * pipelines collecting now, as their constructor would have done.
 */
function adoptInAutoPipelines(redis: RedisClient, name: string): void {
  const c = redis as unknown as AutoPipelined & Record<string, unknown>;
  if (!c._autoPipelines?.size) return;
  const sc = c.scriptsSet[name]!;
  for (const p of c._autoPipelines.values()) {
    p._shaToScript[sc.sha] = sc;
    p[name] = c[name];
    p[`${name}Buffer`] = c[`${name}Buffer`];
  }
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
      const call = (redis as unknown as Record<string, (...a: ScriptArg[]) => Promise<R>>)[name];
      return numberOfKeys === undefined
        ? call.call(redis, keys.length, ...keys, ...args)
        : call.call(redis, ...keys, ...args);
    },
  };
  return s;
}
