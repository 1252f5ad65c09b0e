import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { LocalEvidenceStorage } from '../../src/evidence/local-storage.js';
import { exportLedgerXlsx, EXPORT_COLUMNS } from '../../src/reports/ledger-xlsx-export.js';
import { parseLedgerXlsx } from '../../src/reports/ledger-xlsx.js';
import { testTarget } from '../helpers/redis.js';
import { PDF_MIN, PNG_1X1, ooxml } from './samples.js';

const actor = { platform: 'console', userId: 'owner', name: '陈敏' };
const AS_OF = '2021-07-09';
const EVIDENCE_COL = EXPORT_COLUMNS.findIndex(([h]) => h === '佐证材料') + 1;

describe('the XLSX export counts uploaded evidence files in 佐证材料', () => {
  let open: OpenServices;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rb-eve-'));
    open = await openServices({ redisUrl: testTarget(), evidenceStorage: new LocalEvidenceStorage(dir), evidenceMaxBytes: 1 << 20 });
  });
  afterAll(async () => { await open.close(); await rm(dir, { recursive: true, force: true }); });

  it('appends “（已上传佐证文件N个）” to the measure’s cell, and a re-import does not turn it into a note', async () => {
    const L = `eve-${randomUUID().slice(0, 8)}`;
    const doc0 = buildDemoDoc(L);
    // One measure with an evidence note from the sheet, one without any.
    const noted = doc0.measures.find((m) => m.id === '1.2.1')!;
    noted.notes = [{ at: '2021-07-05T03:00:00.000Z', by: '王静', text: '已印发《涉诉信访工作管理办法》', evidence: true }];
    await open.services.ledgers.saveDoc(doc0, { actor: 'cli', note: 'import' });
    const ev = open.services.evidence!;
    const files = [PNG_1X1, PDF_MIN, await ooxml('xl')];
    for (const [i, bytes] of files.entries()) {
      const r = await ev.attachEvidence({ ledgerId: L, itemId: '1.2.1', file: { bytes }, actor, messageId: `x${i}` });
      expect(r.ok).toBe(true);
    }
    expect((await ev.attachEvidence({ ledgerId: L, itemId: '2.1.1', file: { bytes: PNG_1X1 }, actor, messageId: 'y' })).ok).toBe(true);

    const doc = (await open.services.ledgers.loadDoc(L))!;
    const counts = await ev.counts(L, doc.measures.map((m) => m.id));
    expect(Object.fromEntries(counts)).toEqual({ '1.2.1': 3, '2.1.1': 1 });
    const buf = await exportLedgerXlsx(doc, { asOf: AS_OF, evidenceFiles: counts });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('整改台账')!;
    const cellOf = (code: string) => {
      for (let r = 4; r <= ws.rowCount; r++) if (ws.getCell(r, 1).value === code) return String(ws.getCell(r, EVIDENCE_COL).value ?? '');
      throw new Error(`no row ${code}`);
    };
    const byId = (id: string) => doc.measures.find((m) => m.id === id)!.code;
    expect(cellOf(byId('1.2.1'))).toBe('2021年7月5日 王静：已印发《涉诉信访工作管理办法》\n（已上传佐证文件3个）');
    expect(cellOf(byId('2.1.1'))).toBe('（已上传佐证文件1个）');
    expect(cellOf(byId('1.1.1'))).toBe('');

    // Without counts (a caller that has no evidence service) the cell is the notes alone.
    const plain = new ExcelJS.Workbook();
    await plain.xlsx.load((await exportLedgerXlsx(doc, { asOf: AS_OF })) as unknown as ArrayBuffer);
    const row = [...Array(plain.getWorksheet('整改台账')!.rowCount).keys()].map((i) => plain.getWorksheet('整改台账')!.getRow(i + 1)).find((r) => r.getCell(1).value === byId('2.1.1'))!;
    expect(row.getCell(EVIDENCE_COL).value ?? '').toBe('');

    const { createdAt, numbering: _n, id, ...rest } = doc.ledger;
    const back = await parseLedgerXlsx(buf, { ledgerId: id, now: createdAt, ...rest, title: undefined }, AS_OF);
    if (!back.ok) throw new Error(JSON.stringify(back.errors));
    expect(back.doc.measures.find((m) => m.id === '1.2.1')!.notes.map((n) => n.text)).toEqual(['已印发《涉诉信访工作管理办法》']);
    expect(back.doc.measures.find((m) => m.id === '2.1.1')!.notes).toEqual([]);
  });
});
