import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { readLedgerFile } from '../../src/reports/ledger-file.js';
import type { LedgerMeta } from '../../src/reports/ledger-build.js';
import { describeDiff } from '../../src/reports/ledger-merge.js';
import { LedgerImports } from '../../src/store/ledger-merge.js';
import { LedgerStore } from '../../src/store/ledger-store.js';
import type { LedgerDoc, Measure } from '../../src/ledger/types.js';
import { testRedisUrl } from '../helpers/redis.js';
import { courtRows, day, writeCourtWorkbook, type CourtRow } from './court-workbook.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-merge-'));
const actor = { platform: 'console', userId: 'office', name: '王静' };
const TODAY = '2026-11-20';
const SHEET_DATE = '2026-10-31T15:59:59.999Z';

let open: OpenServices;
let store: LedgerStore;
let imports: LedgerImports;
beforeAll(async () => {
  open = await openServices({ redisUrl: testRedisUrl() });
  store = new LedgerStore(open.redis);
  imports = new LedgerImports(open.redis, store);
});
afterAll(async () => { await open.close(); });

async function sheetDoc(L: string, rows: CourtRow[], numbering?: LedgerDoc['ledger']['numbering']): Promise<LedgerDoc> {
  const file = await writeCourtWorkbook(path.join(tmp, `${randomUUID()}.xlsx`), [{ name: '台账', title: '某某区人民法院巡察整改台账', sub: '截至2026年10月31日', rows }]);
  const meta: LedgerMeta = { ledgerId: L, now: '2026-10-31T02:00:00.000Z', numbering };
  const r = await readLedgerFile(file, meta, TODAY);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
}
const opts = (extra: Partial<Parameters<LedgerImports['importDoc']>[1]> = {}) =>
  ({ actor: 'cli', file: 'sheet.xlsx', now: new Date('2026-11-20T02:00:00Z'), sheetDate: SHEET_DATE, save: { graceMs: 10, awaitCleanup: true }, ...extra });
const measure = async (L: string, id: string) => (await store.getItem(L, id)) as Measure;

/** A ledger imported from last month's sheet, then worked on in chat. */
async function workedLedger(): Promise<{ L: string; sheet: LedgerDoc }> {
  const L = `mg-${randomUUID().slice(0, 8)}`;
  const sheet = await sheetDoc(L, courtRows());
  expect((await imports.importDoc(sheet, opts())).mode).toBe('new');
  const c = open.services.changes;
  await c.apply(L, '1.1.1', actor, randomUUID(), () => ({ action: '完成', status: '待销号', note: '学习计划已印发' }));
  await c.apply(L, '2.1.2', actor, randomUUID(), (m) => ({ action: '改期', status: m.status, deadline: { type: 'date', date: '2027-03-31' }, note: '申请延期' }));
  await c.apply(L, '1.2.1', actor, randomUUID(), (m) => ({ action: '进展', status: m.status, note: '意见初稿已形成', evidence: true }));
  return { L, sheet };
}

describe('re-importing a sheet into a worked ledger', () => {
  it('re-importing last month\'s sheet keeps every chat change; its dry run lists the differences and writes nothing', async () => {
    const { L } = await workedLedger();
    const before = await store.loadDoc(L);
    const eventsBefore = await store.events(L);
    const old = await sheetDoc(L, courtRows(), 'per-aspect');

    const dry = await imports.importDoc(old, opts({ dryRun: true }));
    expect(dry.mode).toBe('merge');
    expect(dry.importId).toBeUndefined();
    const lines = describeDiff(dry.diff!);
    expect(lines).toEqual([
      '状态不同 一.1.1：表中“推进中”，机器人“待销号”（聊天中已更新，保留“待销号”；加 --take-sheet-status 以表为准）',
      '时限不同 二.1.2：表中“2026年8月31日”，机器人“2027年3月31日”（聊天中已改期，保留“2027年3月31日”）',
    ]);
    expect(await store.loadDoc(L)).toEqual(before);
    expect(await store.events(L)).toEqual(eventsBefore);

    const r = await imports.importDoc(old, opts());
    expect(r.importId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{3}$/);
    const m111 = await measure(L, '1.1.1');
    expect(m111.status).toBe('待销号');
    expect(m111.notes.map((n) => n.text)).toEqual(['学习计划已印发']);
    expect((await measure(L, '2.1.2')).deadline).toEqual({ type: 'date', date: '2027-03-31' });
    expect((await measure(L, '1.2.1')).notes).toEqual([expect.objectContaining({ text: '意见初稿已形成', evidence: true })]);
    expect((await store.getItem(L, '1.1'))).toMatchObject({ status: '推进中' });
    expect(await store.history(L, '1.1.1')).toHaveLength(1);
    expect(await store.idsByStatus(L, '待销号')).toEqual(['1.1.1']);
    // One audit event for the import, naming its id and its diff.
    const events = await store.events(L);
    expect(events).toHaveLength(eventsBefore.length + 1);
    const ev = events[events.length - 1];
    expect(ev.action).toBe('导入');
    expect(ev.note).toContain(r.importId);
    expect(ev.note).toContain('保留聊天中的状态1项');
    expect(ev.note).toContain('保留聊天中的改期1项');
    expect(await imports.diffLines(L, r.importId!)).toEqual(lines);
  });

  it('a newer sheet: texts and untouched statuses follow the sheet, new items come in, missing ones stay unless --allow-remove', async () => {
    const { L } = await workedLedger();
    const rows = courtRows();
    rows[1] = { ...rows[1], measure: '(2)开展专题读书班并撰写心得体会', status: '已完成' };
    rows[3] = { ...rows[3], dept: '办公室、政治部' };
    rows.splice(4, 1, { ...rows[4], measure: '(2)开展警示教育', deadline: day('2026-12-31') }, { ...rows[4], measure: '(3)建立廉政档案', deadline: day('2026-12-31') });
    const sheet = await sheetDoc(L, rows.filter((_, i) => i !== 2), 'per-aspect');

    const dry = await imports.importDoc(sheet, opts({ dryRun: true }));
    expect(describeDiff(dry.diff!)).toEqual([
      '状态不同 一.1.1：表中“推进中”，机器人“待销号”（聊天中已更新，保留“待销号”；加 --take-sheet-status 以表为准）',
      '文字变更 一.1.2：整改措施（以表为准）',
      '状态不同 一.1.2：表中“已完成”，机器人“未启动”（改为“已完成”）',
      '表中没有 一.2：服务保障大局不够有力（保留；加 --allow-remove 才删除）',
      '表中没有 一.2.1：出台服务保障优化营商环境的意见（保留；加 --allow-remove 才删除）',
      '文字变更 二.1.1：责任部门（以表为准）',
      '时限不同 二.1.2：表中“2026年12月31日”，机器人“2027年3月31日”（聊天中已改期，保留“2027年3月31日”）',
      '文字变更 二.1.2：整改措施（以表为准）',
      '新增 二.1.3：建立廉政档案',
    ]);
    const d = dry.diff!;
    expect(d.counts).toMatchObject({ new: 1, removed: 0, kept: 2, text: 3, statusKept: 1, status: 1, deadlineKept: 1 });
    expect(d.changes.filter((c) => c.kind === 'removed')).toEqual([
      expect.objectContaining({ id: '1.2', removed: false }), expect.objectContaining({ id: '1.2.1', removed: false }),
    ]);
    expect(d.changes.find((c) => c.kind === 'new')).toMatchObject({ id: '2.1.3' });

    await imports.importDoc(sheet, opts());
    expect((await measure(L, '1.1.2'))).toMatchObject({ title: '开展专题读书班并撰写心得体会', status: '已完成' });
    expect((await measure(L, '2.1.1')).departments).toEqual(['办公室', '政治部']);
    expect((await measure(L, '1.2.1')).notes[0]).toMatchObject({ evidence: true });
    expect(await measure(L, '2.1.3')).toMatchObject({ title: '建立廉政档案', status: '推进中' });
    // The chat's extension of 二.1.2 outlives a sheet that changes the measure's text but not its old deadline.
    expect((await measure(L, '2.1.2')).deadline).toEqual({ type: 'date', date: '2027-03-31' });

    const removed = await imports.importDoc(sheet, opts({ allowRemove: true }));
    expect(removed.diff!.counts.removed).toBe(2);
    expect(await store.getItem(L, '1.2.1')).toBeNull();
    expect(await store.getItem(L, '1.2')).toBeNull();
    expect(await store.departments(L)).not.toContain('研究室');
  });

  it('--take-sheet-status takes the sheet even where chat moved it', async () => {
    const { L } = await workedLedger();
    const r = await imports.importDoc(await sheetDoc(L, courtRows(), 'per-aspect'), opts({ takeSheetStatus: true }));
    expect(describeDiff(r.diff!)[0]).toBe('状态不同 一.1.1：表中“推进中”，机器人“待销号”（改为“推进中”，按 --take-sheet-status）');
    expect((await measure(L, '1.1.1')).status).toBe('推进中');
    // Notes written in chat stay even then.
    expect((await measure(L, '1.1.1')).notes.map((n) => n.text)).toEqual(['学习计划已印发']);
  });

  it('chat changes made after the sheet\'s date are chat work; those before it were already in the sheet', async () => {
    const { L } = await workedLedger();
    // A sheet dated after every chat change: it is the newer truth.
    const r = await imports.importDoc(await sheetDoc(L, courtRows(), 'per-aspect'), opts({ sheetDate: new Date(Date.now() + 60_000).toISOString(), dryRun: true }));
    expect(r.diff!.counts).toMatchObject({ status: 1, statusKept: 0, deadlineKept: 0 });
  });

  it('--replace writes the sheet as it is, and restore --to brings back the state before it (and can itself be undone)', async () => {
    const { L } = await workedLedger();
    const worked = await store.loadDoc(L);
    const rep = await imports.importDoc(await sheetDoc(L, courtRows().slice(0, 2)), opts({ replace: true }));
    expect(rep.mode).toBe('replace');
    expect((await measure(L, '1.1.1')).status).toBe('推进中');
    expect(await store.getItem(L, '2.1.1')).toBeNull();
    expect((await imports.list(L)).map((x) => x.mode)).toEqual(['replace', 'new']);

    const back = await imports.restore(L, rep.importId!, 'cli', new Date(), { graceMs: 10, awaitCleanup: true });
    expect(await store.loadDoc(L)).toEqual(worked);
    expect((await store.events(L)).at(-1)).toMatchObject({ action: '恢复' });
    await imports.restore(L, back.importId, 'cli', new Date(), { graceMs: 10, awaitCleanup: true });
    expect(await store.getItem(L, '2.1.1')).toBeNull();
    await expect(imports.restore(L, 'nope', 'cli', new Date())).rejects.toThrow(/没有导入编号为 nope/);
  });

  it('a chat change landing while the merged ledger is written is not lost: the switch refuses and the merge is redone', async () => {
    const { L } = await workedLedger();
    let raced = 0;
    const sheet = await sheetDoc(L, courtRows(), 'per-aspect');
    const r = await imports.importDoc(sheet, opts({
      save: {
        graceMs: 10, awaitCleanup: true,
        beforeSwitch: async () => {
          if (raced++) return;
          await open.services.changes.apply(L, '2.1.1', actor, randomUUID(), () => ({ action: '完成', status: '待销号', note: '清单已修订' }));
        },
      },
    }));
    expect(raced).toBe(2);
    expect((await measure(L, '2.1.1'))).toMatchObject({ status: '待销号', notes: [expect.objectContaining({ text: '清单已修订' })] });
    expect(r.diff!.counts.statusKept).toBe(2);
    expect((await imports.list(L))).toHaveLength(2);
  });
});
