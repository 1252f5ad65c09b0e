import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService } from '../../src/main.js';
import { dashboardLink, type LinkRole } from '../../src/core/signed-link.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import type { Measure } from '../../src/ledger/types.js';
import type { EvidenceRecord } from '../../src/evidence/types.js';
import { DashboardStore } from '../../src/store/dashboard-store.js';
import { connectRedis, waitReady } from '../../src/store/redis.js';
import { testRedisUrl } from '../helpers/redis.js';
import { PDF_MIN, pngOfSize } from './samples.js';

const SECRET = 'evidence-dashboard-secret-42';
const owner = { platform: 'console', userId: 'owner', name: '陈敏' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const unesc = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('evidence on the dashboard item page, behind the signed link', () => {
  let svc: Awaited<ReturnType<typeof startService>>;
  let base: string;
  let dir: string;
  const L = `evd-${randomUUID().slice(0, 8)}`;
  const OTHER = `evo-${randomUUID().slice(0, 8)}`;
  const png = pngOfSize(5000);
  let img: EvidenceRecord;
  let pdf: EvidenceRecord;
  let m: Measure;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rb-evd-'));
    svc = await startService({
      REDIS_URL: testRedisUrl(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', LOAD_DEMO: 'never',
      PUBLIC_URL: 'https://rectify.example.org', DASHBOARD_SECRET: SECRET, EVIDENCE_DIR: dir,
    });
    base = `http://127.0.0.1:${svc.port}`;
    for (const id of [L, OTHER]) await svc.services.ledgers.saveDoc(buildDemoDoc(id), undefined, { awaitCleanup: true });
    m = (await svc.services.ledgers.getItem(L, '2.1.1')) as Measure;
    const ev = svc.services.evidence!;
    const a = await ev.attachEvidence({ ledgerId: L, itemId: m.id, file: { bytes: png, name: '现场照片.png' }, actor: owner, messageId: 'd1' });
    const b = await ev.attachEvidence({ ledgerId: L, itemId: m.id, file: { bytes: PDF_MIN, name: '整改报告 第1版.pdf' }, actor: owner, messageId: 'd2' });
    if (!a.ok || !b.ok) throw new Error('attach failed');
    [img, pdf] = [a.record, b.record];
  });
  afterAll(async () => { await svc.stop(); await rm(dir, { recursive: true, force: true }); });

  const url = (p: string, role: LinkRole = 'supervisor', ledger = L) =>
    dashboardLink(base, SECRET, ledger, Math.floor(Date.now() / 1000) + 600, role).replace('/dashboard?', `${p}?`);

  it('the item page shows the image inline and the PDF as a download; the image route serves the right bytes', async () => {
    const r = await fetch(url(`/dashboard/item/${m.id}`));
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('已上传的文件（2份）');
    expect(html).toContain('<li class="evidence"><strong>第2份</strong> <a href=');
    const src = /<img src="([^"]+)" alt="现场照片.png"/.exec(html)?.[1];
    expect(src).toBeDefined();
    expect(unesc(src!)).toMatch(new RegExp(`^/dashboard/item/${m.id.replace(/\./g, '\\.')}/evidence/${img.id}\\?ledger=`));
    const dl = new RegExp(`<a href="([^"]+/evidence/${pdf.id}[^"]*)" download>整改报告 第1版.pdf</a>`).exec(html)?.[1];
    expect(dl).toBeDefined();

    const got = await fetch(base + unesc(src!));
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-disposition')).toMatch(/^inline; filename="\?\?\?\?\.png"; filename\*=UTF-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87\.png$/);
    const bytes = Buffer.from(await got.arrayBuffer());
    expect(sha(bytes)).toBe(sha(png));

    const file = await fetch(base + unesc(dl!));
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toContain(`attachment; filename="???? ?1?.pdf"; filename*=UTF-8''${encodeURIComponent('整改报告 第1版.pdf')}`);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PDF_MIN);
  });

  it('refuses a bad or expired link (403), another ledger’s link and unknown ids (404)', async () => {
    const good = url(`/dashboard/item/${m.id}/evidence/${img.id}`);
    const bad = good.replace(/sig=[^&]+/, `sig=${'A'.repeat(43)}`);
    const r1 = await fetch(bad.replace('https://rectify.example.org', base));
    expect(r1.status).toBe(403);
    expect(r1.headers.get('content-type')).not.toBe('image/png');
    const expired = dashboardLink(base, SECRET, L, Math.floor(Date.now() / 1000) - 10, 'supervisor').replace('/dashboard?', `/dashboard/item/${m.id}/evidence/${img.id}?`);
    expect((await fetch(expired)).status).toBe(403);
    // A valid link to another ledger does not reach this ledger's file (same item and evidence id).
    const other = await fetch(url(`/dashboard/item/${m.id}/evidence/${img.id}`, 'office', OTHER));
    expect(other.status).toBe(404);
    expect((await fetch(url(`/dashboard/item/${m.id}/evidence/zz9`))).status).toBe(404);
    expect((await fetch(url(`/dashboard/item/1.1.1/evidence/${img.id}`))).status).toBe(404);
    expect((await fetch(url(`/dashboard/item/${m.id}/evidence/..%2F..%2Fetc`))).status).toBe(404);
    expect((await fetch(url(`/dashboard/item/${m.id}/evidence/${img.id}`))).status).toBe(200);
  });

  it('a viewer link of a sensitive ledger sees no files and cannot fetch one', async () => {
    const redis = connectRedis(testRedisUrl());
    await waitReady(redis);
    try {
      const store = new DashboardStore(redis);
      await store.setSensitive(L, true);
      const page = await (await fetch(url(`/dashboard/item/${m.id}`, 'viewer'))).text();
      expect(page).not.toContain('现场照片.png');
      expect((await fetch(url(`/dashboard/item/${m.id}/evidence/${img.id}`, 'viewer'))).status).toBe(403);
      expect((await fetch(url(`/dashboard/item/${m.id}/evidence/${img.id}`, 'supervisor'))).status).toBe(200);
      await store.setSensitive(L, false);
      expect((await fetch(url(`/dashboard/item/${m.id}/evidence/${img.id}`, 'viewer'))).status).toBe(200);
    } finally {
      redis.disconnect();
    }
  });

  it('a removed file is gone from the page and the route', async () => {
    const r = await svc.services.evidence!.removeEvidence(L, m, [pdf.id], { platform: 'console', userId: 'office', name: '王静' }, 'rm-d');
    expect(r.ok).toBe(true);
    expect((await fetch(url(`/dashboard/item/${m.id}/evidence/${pdf.id}`))).status).toBe(404);
    const html = await (await fetch(url(`/dashboard/item/${m.id}`))).text();
    expect(html).toContain('已上传的文件（1份）');
    expect(html).not.toContain('整改报告 第1版.pdf</a>');
    // Each file shows its 序号 (the number 删除佐证 takes).
    expect(html).toMatch(/<strong>第1份<\/strong> 现场照片\.png/);
  });
});
