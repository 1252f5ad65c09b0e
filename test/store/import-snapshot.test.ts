import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { itemId } from '../../src/ledger/codes.js';
import type { Item, LedgerDoc, Measure } from '../../src/ledger/types.js';
import { chatWorkFrom, LedgerMerger, mergeLedgerDocs } from '../../src/reports/ledger-merge.js';
import { LedgerImports } from '../../src/store/ledger-merge.js';
import { parseSnapshot } from '../../src/store/ledger-snapshot.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { testRedisUrl } from '../helpers/redis.js';

const actor = { platform: 'console', userId: 'office', name: '王静' };
const save = { graceMs: 10, awaitCleanup: true };
const opts = { actor: 'cli', file: 'sheet.xlsx', now: new Date('2026-11-20T02:00:00Z'), save };

/** Items of a doc in document order (how a stored ledger is read back): each aspect, its problems, each one's measures. */
function documentOrder(doc: LedgerDoc): Item[] {
  const out: Item[] = [];
  for (const a of doc.aspects) {
    out.push(a);
    for (const p of doc.problems.filter((x) => x.aspect === a.aspect)) {
      out.push(p);
      out.push(...doc.measures.filter((m) => m.problemId === p.id));
    }
  }
  return out;
}

/** The next sheet of a synthetic ledger: one text and one status changed, one measure new, the last problem's measures gone. */
function nextSheet(L: string): LedgerDoc {
  const s = syntheticDoc(L, 3, 200, 5);
  const m = (id: string) => s.measures.find((x) => x.id === id)!;
  m('1.1.2').title = '规范公车管理（修订）';
  m('2.7.3').status = m('2.7.3').status === '已完成' ? '推进中' : '已完成';
  m('1.3.1').status = m('1.3.1').status === '已完成' ? '推进中' : '已完成';
  s.measures.splice(s.measures.indexOf(m('1.1.5')) + 1, 0, { ...m('1.1.5'), id: itemId(1, 1, 6), code: 'A1.1.6', number: 6, title: '新增措施' });
  s.measures = s.measures.filter((x) => x.problemId !== '3.200');
  return s;
}

describe('re-import of a large ledger: merged and snapshotted from batched reads', () => {
  let open: OpenServices;
  let imports: LedgerImports;
  beforeAll(async () => {
    open = await openServices({ redisUrl: testRedisUrl() });
    imports = new LedgerImports(open.redis);
  });
  afterAll(async () => { await open.close(); });

  it('the snapshot is the stored ledger\'s JSON, the merge is the whole-doc merge, and restore brings both states back', async () => {
    const L = `snap-${randomUUID().slice(0, 8)}`;
    // 3,000 measures, 600 problems: several read batches.
    expect((await imports.importDoc(syntheticDoc(L, 3, 200, 5), opts)).mode).toBe('new');
    await open.services.changes.apply(L, '1.3.1', actor, randomUUID(), () => ({ action: '完成', status: '待销号', note: '已整改' }));
    const store = open.services.ledgers;
    const before = (await store.loadDoc(L))!;

    const sheet = nextSheet(L);
    const r = await imports.importDoc(sheet, opts);
    expect(r.mode).toBe('merge');
    expect(r.diff!.counts).toEqual({ new: 1, removed: 0, kept: 5, text: 1, status: 1, statusKept: 1, deadlineKept: 0 });
    // The same outcome as merging the whole stored ledger at once.
    const chat = chatWorkFrom(await store.events(L));
    const whole = mergeLedgerDocs(before, sheet, chat, { now: opts.now.toISOString() });
    expect(r.doc).toEqual(whole.doc);
    expect(r.diff).toEqual(whole.diff);
    const after = (await store.loadDoc(L))!;
    expect(after.measures).toHaveLength(3001);
    expect(after.measures.find((m) => m.id === '1.1.2')!.title).toBe('规范公车管理（修订）');
    expect(after.measures.find((m) => m.id === '1.3.1')!.status).toBe('待销号');
    expect(after.measures.find((m) => m.id === '3.200.5')).toEqual(before.measures.find((m) => m.id === '3.200.5'));

    // The snapshot's text is exactly the stored ledger's JSON before the import.
    const raw = await open.redis.getBuffer(`rb:{${L}}:import:${r.importId}:doc`);
    expect(gunzipSync(raw!).toString('utf8')).toBe(JSON.stringify(before));

    const back = await imports.restore(L, r.importId!, 'cli', new Date(), save);
    expect(await store.loadDoc(L)).toEqual(before);
    await imports.restore(L, back.importId, 'cli', new Date(), save);
    expect(await store.loadDoc(L)).toEqual(after);
  });

  it('fed in batches of mixed levels, the merger gives what merging the whole docs gives (removals allowed or not)', () => {
    const current = syntheticDoc('m', 3, 200, 5);
    const bot = current.measures.find((m) => m.id === '2.5.1')! as Measure;
    bot.status = '待销号';
    const sheet = nextSheet('m');
    sheet.problems = sheet.problems.filter((p) => p.id !== '3.200');
    const chat = { statusMoved: new Set(['2.5.1']), deadlineMoved: new Set<string>() };
    for (const allowRemove of [false, true]) {
      const o = { now: '2026-11-20T02:00:00.000Z', allowRemove };
      const merger = new LedgerMerger(sheet, chat, o);
      const items = documentOrder(current);
      for (let i = 0; i < items.length; i += 7) merger.add(items.slice(i, i + 7));
      const batched = merger.finish(current.ledger);
      const whole = mergeLedgerDocs(current, sheet, chat, o);
      expect(batched).toEqual(whole);
      expect(whole.diff.counts.new).toBeGreaterThan(0);
      expect(whole.diff.counts[allowRemove ? 'removed' : 'kept']).toBeGreaterThan(0);
    }
  });

  it('a snapshot is parsed a value at a time into what JSON.parse gives, old single-member ones too', async () => {
    const doc = syntheticDoc('p', 3, 200, 5);
    // Quotes, backslashes, brackets and commas inside strings; characters of 3 and 4 bytes across gunzip's chunks.
    doc.measures[7].title = '引号"和\\反斜杠]}，逗号,冒号:{[😀';
    doc.measures[8].notes = [{ at: '2026-11-01T00:00:00.000Z', text: '说明\n第二行 "x"', by: '王静' } as Measure['notes'][number]];
    doc.measures[9].leaders = [];
    doc.ledger.title = '"]},:[{';
    expect(await parseSnapshot(gzipSync(JSON.stringify(doc)))).toEqual(doc);
    const odd = { a: [[1, [2]], {}, 'x,]', -1.5e3, null, true], b: { c: [1, 2], d: {} }, e: [], f: 'y', g: 3, h: null };
    expect(await parseSnapshot(gzipSync(JSON.stringify(odd)))).toEqual(odd);
    expect(await parseSnapshot(gzipSync('{}'))).toEqual({});
    await expect(parseSnapshot(gzipSync(JSON.stringify(doc).slice(0, -100)))).rejects.toThrow();
  });
});
