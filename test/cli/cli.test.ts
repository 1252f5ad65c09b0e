import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { testRedisUrl } from '../helpers/redis.js';

const bin = path.resolve('bin/rectify.js');
/** Each CLI test file uses its own database so `demo --reset` doesn't disturb other files. */
const url = testRedisUrl().replace(/\/\d+$/, '/62');

function rectify(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', env: { ...process.env, REDIS_URL: url, LOG_LEVEL: 'silent' }, timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('rectify CLI', () => {
  beforeAll(() => {
    const r = rectify(['demo', '--reset']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('演示台账已载入');
  }, 30000);

  it('status --json has the documented keys and the notice figures', () => {
    const r = rectify(['status', '--ledger', 'demo', '--as-of', '2021-09-25', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(Object.keys(s).sort()).toEqual(['asOf', 'byKind', 'byStatus', 'completionRate', 'extended', 'extensionsPending', 'ledger', 'measures', 'problems', 'red', 'yellow'].sort());
    expect(s).toMatchObject({ ledger: 'demo', asOf: '2021-09-25', measures: 21, problems: 8, red: 0, yellow: 1, completionRate: 0.9524 });
    expect(s.byStatus).toEqual({ 已完成: 9, 已完成并长期坚持: 11, 基本完成: 1 });
    expect(s.byKind).toEqual({ 反馈问题: 8 });
    const later = JSON.parse(rectify(['status', '--ledger', 'demo', '--as-of', '2021-10-08']).out);
    expect(later).toMatchObject({ red: 1, yellow: 0 });
  }, 30000);

  it('chat with piped stdin answers one reply per line, also as JSON', () => {
    const r = rectify(['chat', '--as', 'owner', '--chat', 'demo', '--as-of', '2021-09-25'], '进度\n查看 二.1.1\n');
    expect(r.code).toBe(0);
    expect(r.out).toContain('21条整改措施');
    expect(r.out).toContain('责任领导：杜波');
    const j = rectify(['chat', '--as', 'viewer', '--chat', 'demo', '--json'], '逾期\n帮助\n');
    const lines = j.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toHaveProperty('markdown');
    expect(lines[1].title).toBe('使用帮助');
  }, 30000);

  it('history --json lists the audit events oldest first', () => {
    rectify(['chat', '--as', 'owner', '--chat', 'demo'], '进展 二.1.1 已报区委组织部\n二.1.1 已完成，批复已下达\n');
    const r = rectify(['history', '--ledger', 'demo', '二.1.1', '--json']);
    expect(r.code).toBe(0);
    const ev = JSON.parse(r.out);
    expect(ev.map((e: { action: string }) => e.action)).toEqual(['进展', '完成']);
    expect(ev[1]).toMatchObject({ from: '基本完成', to: '待销号', actor: { platform: 'console', userId: 'owner', name: '陈敏' } });
  }, 30000);

  it('bind, and clear errors for bad input', () => {
    expect(rectify(['bind', '--platform', 'wecom', '--chat', 'wrXYZ', '--ledger', 'demo', '--webhook-key', 'k-1']).code).toBe(0);
    const bad = rectify(['bind', '--platform', 'qq', '--chat', 'x', '--ledger', 'demo']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('平台须为');
    expect(rectify(['status', '--ledger', 'nope']).err).toContain('不存在');
    expect(rectify(['history', '--ledger', 'demo', '九.9']).err).toContain('未找到编号');
  }, 30000);

  it('chat --as-of answers for that date but records nothing', () => {
    const r = rectify(['chat', '--as', 'owner', '--chat', 'demo', '--as-of', '2021-10-08'], '进展 二.1.1 测试\n进度\n');
    expect(r.out).toContain('按指定日期（--as-of）查看时不能修改台账');
    expect(r.out).toContain('截至10月8日');
    const h = JSON.parse(rectify(['history', '--ledger', 'demo', '二.1.1']).out);
    expect(h.some((e: { note: string }) => e.note === '测试')).toBe(false);
  }, 60000);

  it('departments alias registers short names that 部门 and permissions use', () => {
    const r = rectify(['departments', 'alias', '--ledger', 'demo', '审管办=审判管理办公室', '财装科=计划财务装备科', '督查室=督查局']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('已登记部门简称3个');
    expect(r.out).toContain('台账中没有以下部门：督查局');
    expect(rectify(['departments', 'alias', '--ledger', 'demo', '--remove', '督查室']).out).toContain('删除1个');
    expect(rectify(['departments', 'list', '--ledger', 'demo']).out).toContain('审判管理办公室（简称：审管办）');
    const bad = rectify(['departments', 'alias', '--ledger', 'demo', '审管办']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('简称=全称');
    expect(rectify(['chat', '--as', 'viewer', '--chat', 'demo'], '部门 审管办\n').out).toContain('一.2.2');
  }, 60000);

  it.each(['demo', 'status', 'history', 'bind', 'chat'])('%s --help', (cmd) => {
    const r = rectify([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`用法：rectify ${cmd}`);
  }, 30000);

  it('chat queues the office’s 1:1 approval copies, as the console page does (审批私信 开)', () => {
    expect(rectify(['demo', '--reset']).code).toBe(0);
    const set = rectify(['reminders', '--ledger', 'demo', '--approval-direct', '开', '--by', '王静']);
    expect(set.out).toContain('完成申报私信整改办：开（王静于');
    const done = rectify(['chat', '--as', 'owner', '--chat', 'demo'], '完成 二.1.1 任职文件已印发\n');
    expect(done.out).toContain('待销号');
    const log = JSON.parse(rectify(['deliveries', '--json', '--chat', 'demo']).out) as Array<{ kind: string; status: string; to?: string }>;
    expect(log.filter((e) => e.kind === 'approval').map((e) => [e.status, e.to])).toEqual([['queued', 'office']]);
  }, 60000);

  it('chat --private talks 1:1: the ledger comes from the user’s entries, group settings are refused', () => {
    const r = rectify(['chat', '--as', 'owner', '--private'], '我的\n订阅 周一 9:00\n');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('尚未绑定');
    expect(r.out).toContain('二.1.1');
    expect(r.out).toContain('“订阅”是工作群的设置');
    const none = rectify(['chat', '--as', 'nobody', '--private'], '进度\n');
    expect(none.out).toContain('您尚未在整改台账的人员名单中登记');
    const bad = rectify(['chat', '--as', 'owner']);
    expect([bad.code, bad.err]).toEqual([1, '错误：请给出 --chat <群>，或用 --private 与机器人私聊\n']);
  }, 60000);
});
