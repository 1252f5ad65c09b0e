import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { createEvidenceIntake } from '../../src/app/evidence-intake.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import type { FileFetchers } from '../../src/pipeline/evidence.js';
import { LocalEvidenceStorage } from '../../src/evidence/local-storage.js';
import type { EvidenceRecord } from '../../src/evidence/types.js';
import { buildDemoDoc, DEMO_USERS } from '../../src/ledger/demo.js';
import type { User } from '../../src/store/directory.js';
import { testTarget } from '../helpers/redis.js';

/**
 * The demo ledger behind the real pipeline with the evidence intake and the
 * real evidence service (local storage in a temporary directory), like main.ts
 * wires them. Adapters get `files` as AdapterContext.files.
 */
export interface EvidenceWorld {
  open: OpenServices;
  pipeline: Pipeline;
  files: FileFetchers;
  ledgerId: string;
  dir: string;
  /** The measure's evidence records. */
  records(code: string): Promise<EvidenceRecord[]>;
  /** Every file stored under the evidence directory. */
  stored(): Promise<string[]>;
  itemId(code: string): Promise<string>;
  close(): Promise<void>;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function makeEvidenceWorld(o: { maxBytes?: number } = {}): Promise<EvidenceWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rb-intake-'));
  const clock = new ManualClock('2021-09-25T02:00:00.000Z');
  const open = await openServices({ redisUrl: testTarget(), clock, evidenceStorage: new LocalEvidenceStorage(dir), evidenceMaxBytes: o.maxBytes ?? 1024 * 1024 });
  const ledgerId = `ev-${randomUUID().slice(0, 8)}`;
  const doc = buildDemoDoc(ledgerId);
  await open.services.ledgers.saveDoc(doc);
  await open.services.directory.putUsers(DEMO_USERS.map((u) => ({ ...u })) as User[]);
  const ev = createEvidenceIntake({ services: open.services, redis: open.redis, logger: silentLogger() })!;
  const pipeline = createPipeline({ services: open.services, logger: silentLogger(), metrics: new Metrics(), claim: open.claim, evidence: ev.intake });
  const itemId = async (code: string) => {
    const m = doc.measures.find((x) => x.code === code);
    if (!m) throw new Error(`no measure ${code}`);
    return m.id;
  };
  return {
    open, pipeline, files: ev.files, ledgerId, dir, itemId,
    records: async (code) => open.services.evidence!.list(ledgerId, await itemId(code)),
    stored: async () => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name),
    async close() {
      await open.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
