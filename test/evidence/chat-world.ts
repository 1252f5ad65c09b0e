import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeWorld, type World } from '../helpers/world.js';
import { createEvidence } from '../../src/evidence/index.js';
import { LocalEvidenceStorage } from '../../src/evidence/local-storage.js';
import type { EvidenceService } from '../../src/evidence/service.js';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { testTarget } from '../helpers/redis.js';

/** A chat world whose services carry a real evidence service on local storage in a temp dir. */
export interface EvidenceChat {
  w: World;
  dir: string;
  ev: EvidenceService;
  redis: RedisClient;
  /** The text of the bot's answer to `t` said by `who` ('' when none). */
  text(who: string, t: string): Promise<string>;
  /** How many files the local storage holds. */
  files(): Promise<number>;
  close(): Promise<void>;
}

export async function openEvidenceChat(prefix: string): Promise<EvidenceChat> {
  const w = await makeWorld();
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const redis = connectRedis(testTarget());
  await waitReady(redis);
  const ev = createEvidence({ redis, items: w.open.services.ledgers, clock: w.clock, storage: new LocalEvidenceStorage(dir) });
  w.open.services.evidence = ev;
  return {
    w, dir, ev, redis,
    text: async (who, t) => (await w.say(who, t))?.text ?? '',
    files: async () => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).length,
    close: async () => { await w.close(); redis.disconnect(); await rm(dir, { recursive: true, force: true }); },
  };
}
