import { describe, expect, it } from 'vitest';
import { parsePlatform, parseRole, parseUsersCsv } from '../../src/reports/users-import.js';
import { fixture } from './helpers.js';

describe('parseUsersCsv', () => {
  it('reads Chinese headers, platform and role words', () => {
    const r = parseUsersCsv(fixture('users-zh.csv'));
    expect(r.ok && r.users.map((u) => [u.platform, u.userId, u.name, u.department, u.role])).toEqual([
      ['dingtalk', 'manager4021', '杜波', '院领导', 'leader'],
      ['dingtalk', '0123456789', '王静', '综合办公室', 'office'],
      ['wecom', 'ChenMin', '陈敏', '政治部', 'owner'],
      ['wecom', 'zhaolei', '赵磊', '督察室', 'supervisor'],
      ['console', 'console-admin', '管理员', '', 'viewer'],
    ]);
  });
  it('reads English headers and role names', () => {
    const r = parseUsersCsv(fixture('users-en.csv'));
    expect(r.ok && r.users.map((u) => u.role)).toEqual(['leader', 'owner', 'office', 'supervisor', 'viewer']);
  });
  it('reads a GBK file (user id stays as written)', () => {
    // "平台,用户ID,姓名\n钉钉,u1,张三" in GBK
    const gbk = new Uint8Array([
      0xc6, 0xbd, 0xcc, 0xa8, 0x2c, 0xd3, 0xc3, 0xbb, 0xa7, 0x49, 0x44, 0x2c, 0xd0, 0xd5, 0xc3, 0xfb, 0x0a,
      0xb6, 0xa4, 0xb6, 0xa4, 0x2c, 0x75, 0x31, 0x2c, 0xd5, 0xc5, 0xc8, 0xfd, 0x0a,
    ]);
    const r = parseUsersCsv(gbk);
    expect(r.ok && r.users).toEqual([{ platform: 'dingtalk', userId: 'u1', name: '张三', department: '', role: 'viewer' }]);
  });
  it.each([
    ['unknown platform', '飞书,u9,某人,,成员', 3, '无法识别的平台“飞书”'],
    ['unknown role', 'dingtalk,u9,某人,,局长', 3, '无法识别的角色“局长”'],
    ['missing user id', 'dingtalk,,某人,,成员', 3, '缺少用户ID'],
    ['missing name', 'dingtalk,u9,,,成员', 3, '缺少姓名'],
    ['duplicate account', '钉钉,u1,又一人,,成员', 3, '与第2行重复'],
  ])('%s refuses the file naming row %i', (_what, line, row, message) => {
    const r = parseUsersCsv(`平台,用户ID,姓名,部门,角色\ndingtalk,u1,张三,,成员\n${line}\n`);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toHaveLength(1);
    expect(!r.ok && r.errors[0].row).toBe(row);
    expect(!r.ok && r.errors[0].message).toContain(message);
  });
  it('names missing required header columns', () => {
    const r = parseUsersCsv('姓名,部门\n张三,政治部\n');
    expect(!r.ok && r.errors[0]).toEqual({ row: 1, message: '表头缺少必需的列：平台（platform）、用户ID（userId）。' });
  });
  it('skips blank lines but keeps row numbers', () => {
    const r = parseUsersCsv('platform,userId,name\n\ndingtalk,u1,张三\nwecom,,李四\n');
    expect(!r.ok && r.errors.map((e) => e.row)).toEqual([4]);
  });
});

describe('per-ledger roles (the optional 台账 column)', () => {
  it('merges one person’s rows: a role per ledger, an empty ledger for every other ledger', () => {
    const r = parseUsersCsv([
      '平台,用户ID,姓名,部门,角色,台账',
      '钉钉,u1,王静,综合办公室,整改办,court-a',
      '钉钉,u1,王静,,成员,',
      '钉钉,u1,王静,,纪检,court-b、court-c',
      '钉钉,u2,杜波,院领导,责任领导,',
    ].join('\n'));
    expect(r.ok && r.users).toEqual([
      { platform: 'dingtalk', userId: 'u1', name: '王静', department: '综合办公室', role: 'viewer', ledgers: { 'court-a': 'office', 'court-b': 'supervisor', 'court-c': 'supervisor' } },
      { platform: 'dingtalk', userId: 'u2', name: '杜波', department: '院领导', role: 'leader' },
    ]);
  });
  it('reads an English ledger header, and 管理员 as the global admin', () => {
    const r = parseUsersCsv('platform,userId,name,role,ledger\nwecom,boss,管理员,admin,\nwecom,c1,陈敏,owner,court-a\n');
    expect(r.ok && r.users).toEqual([
      { platform: 'wecom', userId: 'boss', name: '管理员', department: '', role: 'office', admin: true },
      { platform: 'wecom', userId: 'c1', name: '陈敏', department: '', role: 'viewer', ledgers: { 'court-a': 'owner' } },
    ]);
  });
  it.each([
    ['the same ledger twice', '钉钉,u1,张三,,成员,court-a', '在台账“court-a”上出现了两次'],
    ['a name that differs', '钉钉,u1,李四,,成员,court-b', '姓名不一致'],
    ['an admin for one ledger', '钉钉,u9,某人,,管理员,court-a', '管理员适用于全部台账'],
    ['a bad ledger id', '钉钉,u9,某人,,成员,台账甲', '台账“台账甲”无效'],
  ])('%s refuses the file naming row 3', (_what, line, message) => {
    const r = parseUsersCsv(`平台,用户ID,姓名,部门,角色,台账\n钉钉,u1,张三,,整改办,court-a\n${line}\n`);
    expect(!r.ok && r.errors.map((e) => e.row)).toEqual([3]);
    expect(!r.ok && r.errors[0].message).toContain(message);
  });
});

describe('platform and role words', () => {
  it.each([['钉钉', 'dingtalk'], ['企业微信', 'wecom'], ['企微', 'wecom'], ['控制台', 'console'], ['DingTalk', 'dingtalk'], ['微信', null]])(
    'platform %s → %s', (w, p) => expect(parsePlatform(w)).toBe(p),
  );
  it.each([['整改办', 'office'], ['责任领导', 'leader'], ['责任人', 'owner'], ['纪检', 'supervisor'], ['成员', 'viewer'], ['', 'viewer'], ['局长', null]])(
    'role %s → %s', (w, r) => expect(parseRole(w)).toBe(r),
  );
});
