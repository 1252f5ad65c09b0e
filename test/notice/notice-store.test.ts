import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeWorld, type World } from '../helpers/world.js';
import { testRedisUrl } from '../helpers/redis.js';
import { statusReport } from '../../src/commands/status-report.js';
import { loadNotice } from '../../src/notice/load.js';
import { statusFromDoc } from '../../src/notice/figures.js';
import { dashboardLink } from '../../src/core/signed-link.js';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' });
});
afterAll(async () => w?.close());

describe('notice from a stored ledger', () => {
  it('states the figures `rectify status` reports for the same date, after changes by chat', async () => {
    expect((await w.say('office', '改期 二.1.1 2021年10月31日 任免手续需市委组织部批准'))?.text).toContain('10月31日');
    expect((await w.say('owner', '进展 一.1.1 已完成入额人员清理，相关文件已印发'))?.text).toContain('一.1.1');
    for (const asOf of ['2021-09-25', '2021-10-15', '2021-11-02']) {
      const n = await loadNotice(w.open.services, w.ledgerId, asOf);
      const report = await statusReport(w.open.services, w.ledgerId, asOf);
      expect(n.figures.status).toEqual(report);
      // The pure recount from the items agrees with the counters and the deadline index.
      expect(statusFromDoc((await w.open.services.ledgers.loadDoc(w.ledgerId))!, asOf)).toEqual(report);
    }
    const late = await loadNotice(w.open.services, w.ledgerId, '2021-11-02');
    expect(late.figures.status.red).toBe(1);
    // Extensions as `rectify status` counts them (approved 申请延期) where it does, else the office's 改期.
    const report = await statusReport(w.open.services, w.ledgerId, '2021-11-02');
    expect(late.figures.extended).toBe(report.extended ?? 1);
    expect(late.blocks.map((b) => b.text).join('')).toContain('已完成入额人员清理，相关文件已印发。');
  });

  it('通报 answers the office with the headline and figures; others may not run it', async () => {
    const r = await w.say('office', '通报');
    expect(r?.text).toContain('株洲市芦淞区人民法院关于巡察整改进展情况的通报');
    expect(r?.text).toContain('截至9月25日，巡察反馈的21个具体问题，已完成整改9个，已完成整改并长期坚持11个，基本完成整改1个。');
    expect(r?.text).toContain('整改完成率95.2%');
    expect(r?.text).toMatch(/已批准延期\d+项/);
    expect(r?.text).toContain('【待补充】');
    const viewer = await w.say('viewer', '通报');
    expect(viewer?.text).not.toContain('截至9月25日');
  });

  it('通报 links the Word download with an office link when the dashboard is public', async () => {
    const services = w.open.services;
    const before = services.dashboardLink;
    services.dashboardLink = async (L, o) => dashboardLink('https://rectify.example', 'test-secret-0123456789', L, 1_900_000_000, o?.role);
    try {
      const r = await w.say('office', '通报');
      const u = new URL(r!.link!.url);
      expect(r!.link!.title).toBe('下载整改情况通报（Word）');
      expect(u.pathname).toBe('/dashboard/notice.docx');
      expect(u.searchParams.get('role')).toBe('office');
      expect(u.searchParams.get('ledger')).toBe(w.ledgerId);
    } finally {
      services.dashboardLink = before;
    }
  });
});

describe('rectify notice (CLI)', () => {
  const bin = path.resolve('bin/rectify.js');
  const url = testRedisUrl().replace(/\/\d+$/, '/56');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-notice-cli-'));
  const rectify = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, REDIS_URL: url, LOG_LEVEL: 'silent' }, timeout: 60000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('prints md and txt with the numbers of `rectify status --json`, writes docx, refuses a bad format', () => {
    expect(rectify(['demo', '--reset']).code).toBe(0);
    const status = JSON.parse(rectify(['status', '--ledger', 'demo', '--as-of', '2021-07-09', '--json']).out);
    const md = rectify(['notice', '--ledger', 'demo', '--as-of', '2021-07-09', '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.out).toContain('# 株洲市芦淞区人民法院<br>关于巡察整改进展情况的通报');
    const n = status.byStatus;
    expect(md.out).toContain(`巡察反馈的${status.measures}个具体问题，已完成整改${n['已完成']}个，已完成整改并长期坚持${n['已完成并长期坚持']}个，基本完成整改${n['基本完成']}个。`);
    const txt = rectify(['notice', '--ledger', 'demo', '--as-of', '2021-07-09', '--format', 'txt', '--contact', '0731-28519200']);
    expect(txt.out).toContain('联系电话：0731-28519200。');
    expect(txt.out).toContain('2021年7月9日');
    const out = path.join(tmp, 'n.docx');
    const docx = rectify(['notice', '--ledger', 'demo', '--as-of', '2021-07-09', '--format', 'docx', '--out', out]);
    expect(docx.code).toBe(0);
    expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK');
    expect(rectify(['notice', '--ledger', 'demo', '--format', 'docx']).err).toContain('--out');
    expect(rectify(['notice', '--ledger', 'demo', '--format', 'rtf']).code).toBe(1);
    expect(rectify(['notice', '--ledger', 'nope']).err).toContain('不存在');
  }, 120000);
});
