import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import type { Measure } from '../../src/ledger/types.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { S3EvidenceStorage } from '../../src/evidence/s3-storage.js';
import { evidenceStorage, loadEvidenceConfig } from '../../src/evidence/index.js';
import { testTarget } from '../helpers/redis.js';
import { pngOfSize, PNG_1X1 } from './samples.js';

const actor = { platform: 'dingtalk', userId: 'u-owner', name: '陈敏' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BUCKET = 'rectify-evidence';

describe('evidence in an S3-compatible store (s3rver in-process)', () => {
  let server: S3rver;
  let dir: string;
  let endpoint: string;
  let open: OpenServices;
  let storage: S3EvidenceStorage;
  let raw: S3Client;
  const env = () => ({
    EVIDENCE_S3_BUCKET: BUCKET, EVIDENCE_S3_ENDPOINT: endpoint, EVIDENCE_S3_REGION: 'us-east-1',
    EVIDENCE_S3_ACCESS_KEY_ID: 'S3RVER', EVIDENCE_S3_SECRET_ACCESS_KEY: 'S3RVER', EVIDENCE_S3_PREFIX: 'rb/evidence',
  });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rb-s3-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
    const addr = await server.run();
    endpoint = `http://127.0.0.1:${addr.port}`;
    const cfg = loadEvidenceConfig(env());
    expect(cfg.s3).toMatchObject({ bucket: BUCKET, endpoint, forcePathStyle: true, prefix: 'rb/evidence/' });
    storage = evidenceStorage(cfg) as S3EvidenceStorage;
    expect(storage.kind).toBe('s3');
    open = await openServices({ redisUrl: testTarget(), evidenceStorage: storage, evidenceMaxBytes: 2 * 1024 * 1024 });
    raw = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  });
  afterAll(async () => {
    await open.close();
    await storage.close();
    raw.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function objects(prefix: string): Promise<string[]> {
    const r = await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (r.Contents ?? []).map((o) => o.Key!);
  }

  it('stores a picture under the prefix with the right sha256 and content type, and removes it', async () => {
    const L = `s3-${randomUUID().slice(0, 8)}`;
    await open.services.ledgers.saveDoc(buildDemoDoc(L), { actor: 'cli', note: 'import' });
    const bytes = pngOfSize(300_000);
    const r = await open.services.evidence!.attachEvidence({ ledgerId: L, itemId: '1.1.1', file: { bytes, name: 'photo.png' }, actor, messageId: 's3-1' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.record.sha256).toBe(sha(bytes));
    // What the store holds, read past our own code.
    const got = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: `rb/evidence/${r.record.key}` }));
    expect(got.ContentType).toBe('image/png');
    expect(sha(Buffer.from(await got.Body!.transformToByteArray()))).toBe(sha(bytes));
    expect(await objects(`rb/evidence/${L}/`)).toEqual([`rb/evidence/${r.record.key}`]);
    expect(sha((await open.services.evidence!.bytes(r.record))!)).toBe(sha(bytes));

    const m = (await open.services.ledgers.getItem(L, '1.1.1')) as Measure;
    const del = await open.services.evidence!.removeEvidence(L, m, [r.record.id], { platform: 'console', userId: 'office', name: '王静' }, 'rm-1');
    expect(del.ok).toBe(true);
    // A removal is soft: the record leaves the list, the object stays (撤销 restores it).
    expect(await open.services.evidence!.list(L, m.id)).toEqual([]);
    expect(await objects(`rb/evidence/${L}/`)).toEqual([`rb/evidence/${r.record.key}`]);
  });

  it('refuses an oversize file and puts nothing in the bucket', async () => {
    const L = `s3-${randomUUID().slice(0, 8)}`;
    await open.services.ledgers.saveDoc(buildDemoDoc(L), { actor: 'cli', note: 'import' });
    const r = await open.services.evidence!.attachEvidence({ ledgerId: L, itemId: '1.1.1', file: { bytes: pngOfSize(2 * 1024 * 1024 + 10), name: 'big.png' }, actor, messageId: 's3-big' });
    expect(r).toMatchObject({ ok: false, code: 'too_large' });
    if (!r.ok) expect(r.reason).toContain('2 MB');
    expect(await objects(`rb/evidence/${L}/`)).toEqual([]);
    expect(await open.services.evidence!.list(L, '1.1.1')).toEqual([]);
    expect(await open.services.ledgers.history(L, '1.1.1')).toEqual([]);
    expect(PNG_1X1.length).toBeGreaterThan(0);
  });

  it('names every bad or missing S3 variable at start', () => {
    expect(() => loadEvidenceConfig({ EVIDENCE_S3_ENDPOINT: 'http://x' })).toThrow(/EVIDENCE_S3_ENDPOINT: is set but EVIDENCE_S3_BUCKET is not/);
    expect(() => loadEvidenceConfig({ EVIDENCE_S3_BUCKET: 'Bad_Bucket' })).toThrow(/EVIDENCE_S3_BUCKET/);
    expect(() => loadEvidenceConfig({ EVIDENCE_S3_BUCKET: 'ok-bucket', EVIDENCE_S3_ACCESS_KEY_ID: 'a' })).toThrow(/together/);
    expect(() => loadEvidenceConfig({ EVIDENCE_MAX_MB: 'lots' })).toThrow(/EVIDENCE_MAX_MB/);
    const local = loadEvidenceConfig({ DATA_DIR: '/srv/rb', EVIDENCE_MAX_MB: '5' });
    expect(local).toEqual({ maxBytes: 5 * 1024 * 1024, dir: '/srv/rb/evidence', s3: undefined });
  });
});
