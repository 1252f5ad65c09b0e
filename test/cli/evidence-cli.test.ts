import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { LocalEvidenceStorage } from '../../src/evidence/local-storage.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { testRedisUrl } from '../helpers/redis.js';
import { PDF_MIN, plainZip } from '../evidence/samples.js';

const bin = path.resolve('bin/rectify.js');

/** `rectify evidence add/list`: a desk scan attached through the same service and audit as the chat intake. */
describe('rectify evidence', () => {
  let dir: string;
  let open: OpenServices;
  const L = `cli-${randomUUID().slice(0, 8)}`;
  const rectify = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8', timeout: 30000,
      env: { ...process.env, REDIS_URL: testRedisUrl(), EVIDENCE_DIR: path.join(dir, 'store'), LOG_LEVEL: 'silent' },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rb-evcli-'));
    open = await openServices({ redisUrl: testRedisUrl(), evidenceStorage: new LocalEvidenceStorage(path.join(dir, 'store')), evidenceMaxBytes: 1024 * 1024 });
    await open.services.ledgers.saveDoc(buildDemoDoc(L), { actor: 'cli', note: 'import' });
  });
  afterAll(async () => { await open.close(); await rm(dir, { recursive: true, force: true }); });

  it('attaches a scanned PDF with a 佐证 event, answers a repeat with its 序号, refuses a ZIP, lists the files', async () => {
    const scan = path.join(dir, '整改报告扫描件.pdf');
    await writeFile(scan, PDF_MIN);
    const r = rectify(['evidence', 'add', '--ledger', L, '--item', '二.1.1', '--file', scan, '--by', '王静']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('已为 二.1.1 附上第1份佐证材料：整改报告扫描件.pdf（PDF');
    const m = (await open.services.ledgers.loadDoc(L))!.measures.find((x) => x.code === '二.1.1')!;
    const list = await open.services.evidence!.list(L, m.id);
    expect(list).toMatchObject([{ n: 1, name: '整改报告扫描件.pdf', kind: 'pdf', by: { platform: 'console', userId: 'cli', name: '王静' } }]);
    expect(await open.services.evidence!.bytes(list[0]!)).toEqual(PDF_MIN);
    const hist = await open.services.ledgers.history(L, m.id);
    expect(hist.map((e) => [e.action, e.actor.name])).toEqual([['佐证', '王静']]);

    const again = rectify(['evidence', 'add', '--ledger', L, '--item', '二.1.1', '--file', scan]);
    expect(again.out).toContain('该文件已作为 二.1.1 的第1份佐证材料上传过');
    expect(await open.services.evidence!.list(L, m.id)).toHaveLength(1);

    const zip = path.join(dir, '材料.zip');
    await writeFile(zip, await plainZip());
    const bad = rectify(['evidence', 'add', '--ledger', L, '--item', '二.1.1', '--file', zip]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('未保存');
    expect(rectify(['evidence', 'add', '--ledger', L, '--item', '二.1', '--file', scan]).err).toContain('不是具体的整改措施');
    expect(rectify(['evidence', 'add', '--ledger', L, '--item', '二.1.1', '--file', path.join(dir, 'nope.pdf')]).err).toContain('找不到文件');
    expect((await readdir(path.join(dir, 'store'), { recursive: true, withFileTypes: true })).filter((d) => d.isFile())).toHaveLength(1);

    const ls = rectify(['evidence', 'list', '--ledger', L, '--item', '二.1.1']);
    expect(ls.out).toContain('第1份 整改报告扫描件.pdf（PDF');
    expect(rectify(['evidence', '--help']).out).toContain('佐证材料');
  }, 120_000);
});
