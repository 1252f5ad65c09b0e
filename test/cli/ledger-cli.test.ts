import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testRedisUrl } from '../helpers/redis.js';
import { openServices } from '../../src/app/services.js';
import { COURT_HEADERS, courtRows, writeCourtWorkbook } from '../reports/court-workbook.js';

const bin = path.resolve('bin/rectify.js');
const url = testRedisUrl().replace(/\/\d+$/, '/58');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-ledger-cli-'));
const fixture = (name: string) => path.resolve('test/fixtures/reports', name);

function rectify(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', env: { ...process.env, REDIS_URL: url, LOG_LEVEL: 'silent' }, timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const status = (ledger: string) => JSON.parse(rectify(['status', '--ledger', ledger, '--as-of', '2021-07-09']).out);

describe('ledger import / export and users import', () => {
  it('imports seed 003 from CSV; --dry-run writes nothing', () => {
    const dry = rectify(['ledger', 'import', fixture('seed003-per-aspect.csv'), '--ledger', 'cli-003', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('试运行');
    expect(rectify(['status', '--ledger', 'cli-003']).err).toContain('不存在');
    const r = rectify(['ledger', 'import', fixture('seed003-per-aspect.csv'), '--ledger', 'cli-003', '--title', '芦淞区法院巡察整改台账']);
    expect(r.code).toBe(0);
    const s = status('cli-003');
    expect(s.measures).toBeGreaterThan(0);
    expect(s.problems).toBe(8);
  }, 120000);

  it('a file with one bad row is refused whole, naming the row, and changes nothing', () => {
    const before = status('cli-003');
    const good = readFileSync(fixture('seed003-per-aspect.csv'), 'utf8');
    const lines = good.split('\n');
    // Row 3 as a spreadsheet user counts it (header = row 1): give it a nonsense date.
    const bad = [...lines.slice(0, 2), lines[2].replace('长期坚持,已完成整改并长期坚持', '2021年2月30日,已完成整改并长期坚持'), ...lines.slice(3)].join('\n');
    const file = path.join(tmp, 'bad.csv');
    writeFileSync(file, bad);
    const r = rectify(['ledger', 'import', file, '--ledger', 'cli-003']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('台账未作任何改动');
    expect(r.err).toMatch(/第\s*3\s*行/);
    expect(status('cli-003')).toEqual(before);
  }, 30000);

  it('exports CSV, JSON and XLSX that import back to the same figures', () => {
    const before = status('cli-003');
    for (const format of ['csv', 'json', 'xlsx']) {
      const out = path.join(tmp, `export.${format}`);
      expect(rectify(['ledger', 'export', '--ledger', 'cli-003', '--format', format, '--out', out]).code).toBe(0);
      expect(existsSync(out)).toBe(true);
      expect(rectify(['ledger', 'import', out, '--ledger', `cli-rt-${format}`]).code).toBe(0);
      expect({ ...status(`cli-rt-${format}`), ledger: 'cli-003' }).toEqual(before);
    }
    const csv = rectify(['ledger', 'export', '--ledger', 'cli-003', '--format', 'csv']);
    expect(csv.out.split('\n')[1]).toContain('编号,方面,问题,整改措施');
  }, 180000);

  it('imports users (Chinese headers) and rejects a bad role with its row', () => {
    const r = rectify(['users', 'import', fixture('users-zh.csv')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/已导入 \d+ 位用户/);
    const list = JSON.parse(rectify(['users', 'list']).out) as Array<{ platform: string; userId: string; role: string }>;
    expect(list).toContainEqual(expect.objectContaining({ platform: 'dingtalk', userId: 'manager4021', role: 'leader' }));
    const bad = path.join(tmp, 'users-bad.csv');
    writeFileSync(bad, '平台,用户ID,姓名,部门,角色\n钉钉,u1,张三,政治部,责任人\n钉钉,u2,李四,政治部,局长\n');
    const rb = rectify(['users', 'import', bad]);
    expect(rb.code).toBe(1);
    expect(rb.err).toMatch(/第\s*3\s*行/);
    expect(JSON.parse(rectify(['users', 'list']).out).some((u: { userId: string }) => u.userId === 'u1')).toBe(false);
  }, 30000);

  it('re-import merges by code and keeps chat work; --replace is undone by restore --to', async () => {
    const file = await writeCourtWorkbook(path.join(tmp, 'court.xlsx'), [{ name: '台账', title: '某某区人民法院巡察整改台账', rows: courtRows() }]);
    expect(rectify(['ledger', 'import', file, '--ledger', 'cli-court']).code).toBe(0);
    const open = await openServices({ redisUrl: url });
    try {
      await open.services.changes.apply('cli-court', '1.1.1', { platform: 'console', userId: 'u', name: '王静' }, 'm1', () => ({ action: '完成', status: '待销号', note: '已印发' }));
    } finally { await open.close(); }
    const dry = rectify(['ledger', 'import', file, '--ledger', 'cli-court', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('按编号合并，与机器人台账相比：保留聊天中的状态1项。');
    expect(dry.out).toContain('状态不同 一.1.1：表中“推进中”，机器人“待销号”（聊天中已更新，保留“待销号”');
    const merged = rectify(['ledger', 'import', file, '--ledger', 'cli-court']);
    expect(merged.code).toBe(0);
    expect(status('cli-court').byStatus).toMatchObject({ 待销号: 1 });
    const rep = rectify(['ledger', 'import', file, '--ledger', 'cli-court', '--replace']);
    expect(rep.code).toBe(0);
    expect(status('cli-court').byStatus.待销号 ?? 0).toBe(0);
    const id = rep.out.match(/--to (\S+?)）/)![1];
    expect(rectify(['ledger', 'imports', '--ledger', 'cli-court']).out.split('\n')[0]).toMatch(new RegExp(`^${id}\t.*\t替换\tcourt.xlsx\t整表替换`));
    const back = rectify(['ledger', 'restore', '--ledger', 'cli-court', '--to', id]);
    expect(back.code).toBe(0);
    expect(back.out).toContain('已恢复');
    expect(status('cli-court').byStatus).toMatchObject({ 待销号: 1 });
  }, 180000);

  it('progress bars on a terminal only; the dry run lists what needs confirming', async () => {
    const rows = courtRows().map((r, i) => (i === 1 ? { ...r, status: undefined, progress: '已印发制度并组织学习' } : r));
    const file = await writeCourtWorkbook(path.join(tmp, 'court-tty.xlsx'), [{ name: '台账', title: '某某区人民法院巡察整改台账', headers: [...COURT_HEADERS, '整改进展'], rows }]);
    const piped = rectify(['ledger', 'import', file, '--ledger', 'cli-tty']);
    expect(piped.code).toBe(0);
    expect(piped.err).not.toContain('写入台账 [');
    // `script` gives the CLI a terminal.
    const cmd = [process.execPath, bin, 'ledger', 'export', '--ledger', 'cli-tty', '--format', 'xlsx', '--out', path.join(tmp, 'tty.xlsx')].map((a) => `'${a}'`).join(' ');
    const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, REDIS_URL: url, LOG_LEVEL: 'silent' }, timeout: 30000 });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain('生成表格 [##############################] 100% 5/5');
    const dry = rectify(['ledger', 'import', file, '--ledger', 'cli-tty-new', '--dry-run']);
    expect(dry.out).toContain('需要确认（1项，状态已按默认或较低的理解导入）：');
    expect(dry.out).toContain('一.1.2（工作表“台账”第4行）：整改进展没有写明状态，暂记为“未启动”');
  }, 60000);

  it.each([['ledger', 'import'], ['ledger', 'export'], ['users', 'import']])('%s %s --help', (a, b) => {
    const r = rectify([a, b, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`用法：rectify ${a} ${b}`);
  }, 30000);
});
