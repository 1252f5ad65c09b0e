import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilters } from '../../src/commands/filters.js';
import { makeWorld, type World } from '../helpers/world.js';

describe('list words parse into filters in any order', () => {
  it.each([
    ['逾期 政治部', [{ kind: 'overdue' }, { kind: 'word', word: '政治部' }]],
    ['部门 政治部 逾期', [{ kind: 'dept', name: '政治部' }, { kind: 'overdue' }]],
    ['部门政治部逾期', [{ kind: 'dept', name: '政治部' }, { kind: 'overdue' }]],
    ['临期 30 政治部', [{ kind: 'due', days: 30 }, { kind: 'word', word: '政治部' }]],
    ['临期 三十天 政治部', [{ kind: 'due', days: 30 }, { kind: 'word', word: '政治部' }]],
    ['我的 逾期', [{ kind: 'mine' }, { kind: 'overdue' }]],
    ['领导 孙海燕 逾期', [{ kind: 'leader', name: '孙海燕' }, { kind: 'overdue' }]],
    ['部门 政治部 待销号', [{ kind: 'dept', name: '政治部' }, { kind: 'status', status: '待销号' }]],
    ['部门 领导小组办公室', [{ kind: 'dept', name: '领导小组办公室' }]],
    ['逾期 罗拥军院长', [{ kind: 'overdue' }, { kind: 'word', word: '罗拥军' }]],
    ['我的 推进中', [{ kind: 'mine' }, { kind: 'status', status: '推进中' }]],
  ])('%j', (text, want) => expect(parseFilters(text)).toEqual(want));

  it.each([['部门', '部门名称'], ['领导', '领导姓名'], ['临期 400', '1 到 366']])('%j is an error', (text, msg) => {
    const r = parseFilters(text);
    expect('error' in r && r.error).toContain(msg);
  });
});

let w: World;
const text = async (who: string, msg: string) => (await w.say(who, msg))?.text ?? '';
const codes = (t: string) => [...t.matchAll(/\*?\*?([一二三]\.\d\.\d)\*?\*? /g)].map((m) => m[1]);

beforeAll(async () => {
  w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' });
  // Three measures back to 推进中, all past their deadlines: 二.2.2 and 二.3.1 (计划财务装备科), 一.3.1 (综合办公室, 杜波).
  for (const c of ['二.2.2', '二.3.1', '一.3.1']) expect(await text('office', `退回 ${c} 缺少佐证材料`)).toContain('→ 推进中');
});
afterAll(async () => { await w.close(); });

describe('list commands take the others as filters', () => {
  it('逾期 with a department, a leader, in either order', async () => {
    expect(codes(await text('viewer', '逾期'))).toEqual(['二.2.2', '二.3.1', '一.3.1']);
    const fin = await text('viewer', '逾期 计划财务装备科');
    expect(fin).toContain('计划财务装备科的逾期事项（2项）');
    expect(codes(fin)).toEqual(['二.2.2', '二.3.1']);
    expect(codes(await text('viewer', '部门 计划财务装备科 逾期'))).toEqual(['二.2.2', '二.3.1']);
    expect(codes(await text('viewer', '逾期 综合办公室'))).toEqual(['一.3.1']);
    expect(codes(await text('viewer', '领导 罗拥军 逾期'))).toEqual(['二.3.1']);
    expect(codes(await text('viewer', '逾期 杜波'))).toEqual(['一.3.1']);
    expect(await text('viewer', '逾期 政治部')).toContain('政治部目前没有逾期事项。');
  });

  it('临期 with days and a department; 我的 with a deadline filter', async () => {
    expect(codes(await text('viewer', '临期 30 政治部'))).toEqual(['二.1.1']);
    expect(codes(await text('viewer', '临期 政治部'))).toEqual(['二.1.1']);
    expect(codes(await text('viewer', '临期30 计划财务装备科'))).toEqual([]);
    const mineOver = await text('owner', '我的 逾期');
    expect(mineOver).toContain('陈敏负责的逾期事项（0项）');
    expect(codes(await text('owner', '我的 临期'))).toEqual(['二.1.1']);
  });

  it('an unknown filter word is named, not ignored', async () => {
    const t = await text('viewer', '逾期 外星部');
    expect(t).toContain('没有看懂筛选条件“外星部”');
    expect(t).not.toContain('二.2.2');
    expect(await text('viewer', '逾期 临期')).toContain('不能同时使用');
  });

  it('部门 X 待销号 after a completion', async () => {
    expect(await text('owner', '完成 二.1.1 任职手续已办结')).toContain('基本完成 → 待销号');
    expect(codes(await text('office', '部门 政治部 待销号'))).toEqual(['二.1.1']);
    expect(codes(await text('office', '待销号 计划财务装备科'))).toEqual([]);
  });

  it('a known viewer with no items is told so', async () => {
    expect(await text('viewer', '我的')).toContain('本台账中没有由您负责的措施');
  });
});
