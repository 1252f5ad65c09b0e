import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { LedgerDoc } from '../../src/ledger/types.js';
import { parseLedgerCsv, parseLedgerSheet } from '../../src/reports/ledger-import.js';
import { readLedgerFile } from '../../src/reports/ledger-file.js';
import { readCsvFile } from '../../src/reports/csv.js';
import { sheetRows } from '../../src/reports/ledger-xlsx.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { writeLedgerCsv, writeLedgerXlsx } from '../../bench/ledger-files.js';
import { testRedisUrl } from '../helpers/redis.js';
import { TODAY, meta } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-stream-'));
const file = (name: string) => path.join(dir, name);
// 5,000 measures: the files are several inflate chunks long, so Chinese text straddles chunk boundaries.
const source = syntheticDoc('s5k', 5, 100, 10, TODAY);

beforeAll(async () => {
  await writeLedgerCsv(source, file('big.csv'));
  await writeLedgerXlsx(source, file('big.xlsx'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shape = (d: LedgerDoc) => d.measures.map((m) => [m.id, m.code, m.title, m.status, m.deadline, m.departments, m.leaders, m.owners]);

describe('streamed import of a large file', () => {
  it('CSV: the streamed reader gives the same ledger as the whole-file parser, and the source ledger', async () => {
    const streamed = await readLedgerFile(file('big.csv'), meta('s5k'), TODAY);
    const whole = parseLedgerCsv(readFileSync(file('big.csv')), meta('s5k'), TODAY);
    expect(streamed.ok && whole.ok).toBe(true);
    if (!streamed.ok || !whole.ok) return;
    expect(streamed.doc).toEqual(whole.doc);
    expect(streamed.doc.measures).toHaveLength(5000);
    expect(shape(streamed.doc)).toEqual(shape(source));
  });

  it('XLSX: the streamed reader gives the same ledger as loading the workbook whole', async () => {
    const streamed = await readLedgerFile(file('big.xlsx'), meta('s5k'), TODAY);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file('big.xlsx'));
    const whole = parseLedgerSheet(sheetRows(wb.worksheets[0]), meta('s5k'), TODAY);
    expect(streamed.ok && whole.ok).toBe(true);
    if (!streamed.ok || !whole.ok) return;
    expect(streamed.doc).toEqual(whole.doc);
    expect(shape(streamed.doc)).toEqual(shape(source));
  });

  it('CSV in GB18030 (as Chinese Excel saves it) is decoded when streamed', async () => {
    // "方面,问题" in GBK: 方 B7BD 面 C3E6 , 问 CECA 题 CCE2
    writeFileSync(file('gbk.csv'), Buffer.from([0xb7, 0xbd, 0xc3, 0xe6, 0x2c, 0xce, 0xca, 0xcc, 0xe2, 0x0a]));
    const r = await readCsvFile(file('gbk.csv'));
    expect(r.ok && r.rows[0].cells).toEqual(['方面', '问题']);
  });

  it('one bad row among thousands: refused whole, the row named, nothing written', () => {
    const lines = readFileSync(file('big.csv'), 'utf8').split('\r\n');
    // Row 3001 as a spreadsheet counts it (header = row 1).
    // The 状态 column (J) of that row; CSV fields here hold no commas inside quotes after 完成时限.
    const cells = lines[3000].split(',');
    cells[cells.length - 4] = '差不多了';
    lines[3000] = cells.join(',');
    writeFileSync(file('bad.csv'), lines.join('\r\n'));
    const env = { ...process.env, REDIS_URL: testRedisUrl(), LOG_LEVEL: 'silent' };
    const run = (args: string[]) => spawnSync(process.execPath, [path.resolve('bin/rectify.js'), ...args], { encoding: 'utf8', env, timeout: 60000 });
    const r = run(['ledger', 'import', file('bad.csv'), '--ledger', 'stream-bad']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('共1处问题');
    expect(r.stderr).toContain('第3001行J列（状态）：无法识别的状态“差不多了”');
    expect(run(['status', '--ledger', 'stream-bad']).stderr).toContain('不存在');
  }, 60000);
});
