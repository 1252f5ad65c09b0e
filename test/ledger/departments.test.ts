import { describe, expect, it } from 'vitest';
import { canonicalDept, parseAliasPairs } from '../../src/ledger/departments.js';

describe('department alias pairs', () => {
  it.each([
    [['审管办=审判管理办公室'], { 审管办: '审判管理办公室' }],
    [['审管办：审判管理办公室', '财装科, 计划财务装备科'], { 审管办: '审判管理办公室', 财装科: '计划财务装备科' }],
    [['简称,全称', '审管办,审判管理办公室', ''], { 审管办: '审判管理办公室' }],
    [['审管办\t审判管理办公室'], { 审管办: '审判管理办公室' }],
  ])('%j', (lines, want) => expect(parseAliasPairs(lines)).toEqual({ ok: true, aliases: want }));

  it.each([
    [['审管办'], '简称=全称'],
    [['审管办=审管办'], '不能作为自身的简称'],
    [['审管=审管办', '审管办=审判管理办公室'], '本身也是简称'],
  ])('%j is refused', (lines, msg) => {
    const r = parseAliasPairs(lines);
    expect(!r.ok && r.error).toContain(msg);
  });

  it('canonical names', () => {
    expect(canonicalDept('审管办', { 审管办: '审判管理办公室' })).toBe('审判管理办公室');
    expect(canonicalDept(' 政治部 ', { 审管办: '审判管理办公室' })).toBe('政治部');
  });
});
