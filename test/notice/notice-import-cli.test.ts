import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testRedisUrl } from '../helpers/redis.js';

const bin = path.resolve('bin/rectify.js');
const url = testRedisUrl().replace(/\/\d+$/, '/54');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-notice-import-'));
const SEEDS = path.resolve('test/fixtures/notice'); // copies of ../shared/seeds/00N_*.txt
const seed = (n: string) => path.join(SEEDS, `seed${n}.txt`);
const rectify = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, REDIS_URL: url, LOG_LEVEL: 'silent' }, timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const status = (L: string, asOf = '2021-07-09') => JSON.parse(rectify(['status', '--ledger', L, '--as-of', asOf]).out);

describe('rectify ledger import NOTICE.txt|.docx', () => {
  it('--dry-run --json prints the documented summary and writes nothing', () => {
    const r = rectify(['ledger', 'import', seed('003'), '--ledger', 'n003', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(Object.keys(s)).toEqual(['ledger', 'aspects', 'problems', 'measures', 'byKind', 'byStatus', 'totals', 'unplaced', 'warnings']);
    expect(s).toMatchObject({
      ledger: { org: '株洲市芦淞区人民法院', inspectionType: '巡察', inspectionGroup: '区委第一巡察组', feedbackDate: '2021-04-13', numbering: 'per-aspect' },
      aspects: 3, problems: 8, measures: 21, byKind: { 反馈问题: 8 }, byStatus: { 已完成并长期坚持: 15, 已完成: 6 }, unplaced: [],
    });
    expect(s.totals.map((t: { match: boolean }) => t.match)).toEqual([true, false]);
    expect(Object.keys(s.totals[1])).toEqual(['sentence', 'stated', 'parsed', 'match']);
    expect(rectify(['status', '--ledger', 'n003']).err).toContain('不存在');
  }, 60000);

  it('imports a draft ledger under a new id, names the totals that disagree, and never overwrites a ledger', () => {
    const r = rectify(['ledger', 'import', seed('003'), '--ledger', 'n003']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('已导入台账草稿');
    expect(r.err).toContain('总数核对（不一致）');
    expect(status('n003')).toMatchObject({ measures: 21, problems: 8, byStatus: { 已完成: 6, 已完成并长期坚持: 15 } });
    const again = rectify(['ledger', 'import', seed('002'), '--ledger', 'n003']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('已存在');
    expect(status('n003').measures).toBe(21);
  }, 60000);

  it('a meeting report (seed 004) imports nothing', () => {
    const r = rectify(['ledger', 'import', seed('004'), '--ledger', 'n004']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('不是整改进展情况通报');
    expect(rectify(['status', '--ledger', 'n004']).err).toContain('不存在');
  }, 60000);

  it('the demo notice as .docx imports back to the demo figures', () => {
    expect(rectify(['demo', '--reset']).code).toBe(0);
    const file = path.join(tmp, 'demo.docx');
    expect(rectify(['notice', '--ledger', 'demo', '--as-of', '2021-07-09', '--format', 'docx', '--out', file]).code).toBe(0);
    expect(rectify(['ledger', 'import', file, '--ledger', 'demo-back']).code).toBe(0);
    const { ledger: _a, red: _r1, yellow: _y1, ...want } = status('demo');
    const { ledger: _b, red: _r2, yellow: _y2, ...got } = status('demo-back');
    // Deadlines are not in a notice (the draft has none), so only red/yellow may differ.
    expect(got).toEqual(want);
  }, 120000);
});
