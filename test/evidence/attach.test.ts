import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { LocalEvidenceStorage } from '../../src/evidence/local-storage.js';
import { ek } from '../../src/store/evidence-store.js';
import { k } from '../../src/store/keys.js';
import { createEvidence } from '../../src/evidence/index.js';
import { connectRedis, waitReady, type RedisClient } from '../../src/store/redis.js';
import { TARGETS, testTarget } from '../helpers/redis.js';
import { PNG_1X1, pngOfSize, plainZip, PDF_MIN } from './samples.js';

const actor = { platform: 'console', userId: 'owner', name: '李明' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under `dir` (recursively), relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
  } catch { return []; }
}

describe.each(TARGETS)('attaching evidence with local storage (%s Redis)', (target) => {
  let open: OpenServices;
  let dir: string;
  let redis: RedisClient;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rb-ev-'));
    open = await openServices({ redisUrl: testTarget(target), evidenceStorage: new LocalEvidenceStorage(dir), evidenceMaxBytes: 1024 * 1024 });
    redis = connectRedis(testTarget(target));
    await waitReady(redis);
  });
  afterAll(async () => { await open.close(); redis.disconnect(); await rm(dir, { recursive: true, force: true }); });

  async function ledger(): Promise<string> {
    const L = `ev-${randomUUID().slice(0, 8)}`;
    await open.services.ledgers.saveDoc(buildDemoDoc(L), { actor: 'cli', note: 'import' });
    return L;
  }

  it('stores a picture with its sha256, a record and a 佐证 audit event in the item history', async () => {
    const L = await ledger();
    const ev = open.services.evidence!;
    const r = await ev.attachEvidence({ ledgerId: L, itemId: '2.1.1', file: { bytes: PNG_1X1, name: 'IMG_0001.PNG', mime: 'image/png' }, actor, messageId: 'm1' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.duplicate).toBe(false);
    expect(r.record).toMatchObject({ ledgerId: L, itemId: '2.1.1', name: 'IMG_0001.PNG', kind: 'image', mime: 'image/png', size: PNG_1X1.length, sha256: sha(PNG_1X1), by: actor, messageId: 'm1' });
    const onDisk = await readFile(path.join(dir, ...r.record.key.split('/')));
    expect(sha(onDisk)).toBe(sha(PNG_1X1));
    expect(await ev.bytes(r.record)).toEqual(PNG_1X1);
    expect(await ev.list(L, '2.1.1')).toEqual([r.record]);
    const hist = await open.services.ledgers.history(L, '2.1.1');
    expect(hist.map((e) => e.action)).toEqual(['佐证']);
    expect(hist[0]).toMatchObject({ actor, code: (await open.services.ledgers.getItem(L, '2.1.1'))!.code, itemId: '2.1.1', messageId: 'm1' });
    expect(hist[0].note).toContain('IMG_0001.PNG');
  });

  it('attaches the same message and bytes once (a retry returns the first record)', async () => {
    const L = await ledger();
    const ev = open.services.evidence!;
    const file = { bytes: PDF_MIN, name: '整改报告.pdf' };
    const a = await ev.attachEvidence({ ledgerId: L, itemId: '1.1.1', file, actor, messageId: 'm-dup' });
    const [b, c] = await Promise.all([0, 1].map(() => ev.attachEvidence({ ledgerId: L, itemId: '1.1.1', file, actor, messageId: 'm-dup' })));
    if (!a.ok || !b.ok || !c.ok) throw new Error('refused');
    expect(b).toMatchObject({ duplicate: true, record: a.record });
    expect(c).toMatchObject({ duplicate: true, record: a.record });
    expect(await ev.list(L, '1.1.1')).toHaveLength(1);
    expect((await open.services.ledgers.history(L, '1.1.1')).filter((e) => e.action === '佐证')).toHaveLength(1);
    expect((await filesUnder(dir)).filter((f) => f.startsWith(`${L}/`))).toEqual([a.record.key.slice(L.length + 1)].map((x) => `${L}/${x}`));
    // Another message with the same bytes on the same item stores nothing new: it names the file it already is.
    const d = await ev.attachEvidence({ ledgerId: L, itemId: '1.1.1', file: { ...file, name: '再发一次.pdf' }, actor, messageId: 'm-other' });
    expect(d).toMatchObject({ ok: true, duplicate: true, same: true, record: { id: a.record.id, n: 1, name: '整改报告.pdf' } });
    expect(await ev.list(L, '1.1.1')).toHaveLength(1);
    expect((await open.services.ledgers.history(L, '1.1.1')).filter((e) => e.action === '佐证')).toHaveLength(1);
    expect((await filesUnder(dir)).filter((f) => f.startsWith(`${L}/`))).toHaveLength(1);
    // The same bytes on another measure are that measure's evidence.
    const e = await ev.attachEvidence({ ledgerId: L, itemId: '2.1.1', file, actor, messageId: 'm-other' });
    expect(e.ok && !e.duplicate).toBe(true);
    expect(await ev.list(L, '2.1.1')).toHaveLength(1);
  });

  it('the same bytes sent twice at once by two messages to one item are stored once (the script decides)', async () => {
    const L = await ledger();
    const ev = open.services.evidence!;
    const file = { bytes: Buffer.concat([PNG_1X1, Buffer.from('race')]), name: 'a.png' };
    const rs = await Promise.all(['r1', 'r2', 'r3'].map((messageId) => ev.attachEvidence({ ledgerId: L, itemId: '1.1.1', file, actor, messageId })));
    expect(rs.filter((r) => r.ok && !r.duplicate)).toHaveLength(1);
    expect(rs.every((r) => r.ok)).toBe(true);
    expect(await ev.list(L, '1.1.1')).toHaveLength(1);
    expect((await filesUnder(dir)).filter((f) => f.startsWith(`${L}/`))).toHaveLength(1);
    expect(await redis.hlen(ek.sha(L, '1.1.1'))).toBe(1);
  });

  it('refuses an oversize file with a reply naming the limit and stores nothing (no file, no record, no audit)', async () => {
    const L = await ledger();
    const ev = open.services.evidence!;
    const before = (await open.services.ledgers.events(L)).length;
    const r = await ev.attachEvidence({ ledgerId: L, itemId: '2.1.1', file: { bytes: pngOfSize(1024 * 1024 + 1), name: '现场照片.png' }, actor, messageId: 'm-big' });
    expect(r).toMatchObject({ ok: false, code: 'too_large' });
    if (r.ok) return;
    expect(r.reason).toContain('1 MB');
    expect(r.reason).toContain('现场照片.png');
    expect(await filesUnder(path.join(dir, L))).toEqual([]);
    expect(await ev.list(L, '2.1.1')).toEqual([]);
    expect(await redis.exists(ek.item(L, '2.1.1'))).toBe(0);
    expect((await open.services.ledgers.events(L)).length).toBe(before);
    expect(await open.services.ledgers.history(L, '2.1.1')).toEqual([]);
  });

  it('refuses a file of another type (a plain ZIP, text) and one sent to a problem instead of a measure', async () => {
    const L = await ledger();
    const ev = open.services.evidence!;
    const zip = await ev.attachEvidence({ ledgerId: L, itemId: '2.1.1', file: { bytes: await plainZip(), name: '材料.docx' }, actor, messageId: 'z' });
    expect(zip).toMatchObject({ ok: false, code: 'bad_type' });
    if (!zip.ok) expect(zip.reason).toMatch(/图片.*PDF.*Word.*Excel/);
    const txt = await ev.attachEvidence({ ledgerId: L, itemId: '2.1.1', file: { bytes: Buffer.from('只是文字'), name: 'a.pdf' }, actor, messageId: 't' });
    expect(txt).toMatchObject({ ok: false, code: 'bad_type' });
    const prob = await ev.attachEvidence({ ledgerId: L, itemId: '2.1', file: { bytes: PNG_1X1 }, actor, messageId: 'p' });
    expect(prob).toMatchObject({ ok: false, code: 'not_measure' });
    expect(await filesUnder(path.join(dir, L))).toEqual([]);
    expect(await open.services.ledgers.events(L)).toHaveLength(1);
  });

  it('leaves nothing half-recorded when Redis refuses the record after the bytes were written', async () => {
    const L = await ledger();
    const ev = open.services.evidence!;
    // A real failure inside the recording step: the audit stream key holds a string, so XADD fails (WRONGTYPE).
    await redis.del(k.audit(L));
    await redis.set(k.audit(L), 'not a stream');
    await expect(ev.attachEvidence({ ledgerId: L, itemId: '2.1.1', file: { bytes: PNG_1X1, name: 'a.png' }, actor, messageId: 'w1' })).rejects.toThrow(/WRONGTYPE/);
    expect(await filesUnder(path.join(dir, L))).toEqual([]);
    expect(await redis.exists(ek.item(L, '2.1.1'))).toBe(0);
    expect(await redis.exists(ek.once(L, actor.platform, 'w1', sha(PNG_1X1)))).toBe(0);
    expect(await redis.llen(k.hist(L, '2.1.1'))).toBe(0);
    // Once the stream is back, the same message attaches normally.
    await redis.del(k.audit(L));
    const r = await ev.attachEvidence({ ledgerId: L, itemId: '2.1.1', file: { bytes: PNG_1X1, name: 'a.png' }, actor, messageId: 'w1' });
    expect(r.ok && !r.duplicate).toBe(true);
  });

  it('records nothing when the bytes cannot be written', async () => {
    const L = await ledger();
    const blocker = path.join(dir, `blocked-${L}`);
    await writeFile(blocker, 'a file where a directory should be');
    const broken = createEvidence({ redis, items: open.services.ledgers, clock: open.services.clock, storage: new LocalEvidenceStorage(blocker) });
    await expect(broken.attachEvidence({ ledgerId: L, itemId: '2.1.1', file: { bytes: PNG_1X1 }, actor, messageId: 'b1' })).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(await redis.exists(ek.item(L, '2.1.1'))).toBe(0);
    expect(await open.services.ledgers.history(L, '2.1.1')).toEqual([]);
  });

  it('keeps evidence across a re-import for items whose id stays', async () => {
    const L = await ledger();
    const ev = open.services.evidence!;
    const r = await ev.attachEvidence({ ledgerId: L, itemId: '3.1.1', file: { bytes: PNG_1X1, name: 'x.png' }, actor, messageId: 'keep' });
    expect(r.ok).toBe(true);
    await open.services.ledgers.saveDoc(buildDemoDoc(L), { actor: 'cli', note: 'again' }, { graceMs: 10, awaitCleanup: true });
    expect((await ev.list(L, '3.1.1')).map((x) => x.sha256)).toEqual([sha(PNG_1X1)]);
    expect((await ev.counts(L, ['3.1.1', '3.1.2'])).get('3.1.1')).toBe(1);
  });
});
