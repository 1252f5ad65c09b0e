import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../helpers/world.js';
import { waitFor } from '../helpers/wait.js';

let w: World;
beforeAll(async () => { w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' }); });
afterAll(async () => { await w.close(); });

const text = async (who: string, msg: string) => (await w.say(who, msg))?.text ?? '';

describe('read commands on the demo ledger (seed 003)', () => {
  it('进度 / 总览 show the notice figures from the counters', async () => {
    const t = await text('viewer', '进度');
    expect(t).toContain('共8个问题、21条整改措施');
    expect(t).toContain('完成率 95.2%');
    expect(t).toContain('已完成 9 · 已完成并长期坚持 11 · 基本完成 1');
    expect(t).toContain('逾期 0 项');
    expect(t).toContain('10天内到期 1 项');
    expect(t).toMatch(/二、聚焦群众身边腐败问题和不正之风 ▓+░+ 83.3%（5\/6）/);
    expect(await text('viewer', '总览')).toBe(t);
    expect(await text('viewer', '  ＠机器人 进度 ')).toBe(t);
  });

  it('查看 a problem, a measure, an aspect, and a bare code', async () => {
    const p = await text('viewer', '查看 二.1');
    expect(p).toContain('形式主义官僚主义顽疾难除');
    expect(p).toContain('二.1.1');
    expect(p).toContain('二.1.2');
    const m = await text('viewer', '（二）1（1）');
    expect(m).toContain('责任领导：杜波');
    expect(m).toContain('责任部门：政治部');
    expect(m).toContain('整改时限：2021年9月30日');
    expect(m).toContain('状态：基本完成');
    expect(m).toContain('🟡 临期');
    expect(await text('viewer', '查看 三')).toContain('落实党风廉政建设不严不实');
  });

  it('unknown and ambiguous codes get a clear answer', async () => {
    expect(await text('viewer', '查看 二.9')).toContain('未找到编号“二.9”');
    const amb = await text('viewer', '查看 1');
    expect(amb).toContain('对应多个事项');
  });

  it('逾期, 临期 [天数], 部门, 领导, 搜索 come from the indexes', async () => {
    expect(await text('viewer', '逾期')).toContain('目前没有逾期事项');
    expect(await text('viewer', '临期')).toContain('二.1.1');
    expect(await text('viewer', '临期 3')).toContain('3天内没有到期');
    expect(await text('viewer', '临期 abc')).toContain('没有看懂筛选条件“abc”');
    expect(await text('viewer', '临期 400')).toContain('天数请写');
    const d = await text('viewer', '部门 计划财务装备科');
    expect(d).toContain('（2项）');
    expect(await text('viewer', '领导 杜波')).toContain('（7项）');
    const s = await text('viewer', '搜索 公车');
    expect(s).toContain('二.2.1');
    expect(s).toContain('1项');
    expect(await text('viewer', '搜索 车')).toContain('至少写两个字');
  });

  it('我的 lists the sender’s open items; unknown senders are told they are not registered', async () => {
    expect(await text('owner', '我的')).toContain('二.1.1');
    expect(await text('stranger', '我的')).toContain('还不在本台账的人员名单中');
  });

  it('帮助 and unknown input get help with the nearest command', async () => {
    expect(await text('viewer', '帮助')).toContain('查看 <编号>');
    expect(await text('office', '帮助')).toContain('销号 <编号>');
    expect(await text('viewer', '帮助')).not.toContain('销号 <编号>');
    const miss = await text('viewer', '进渡');
    expect(miss).toContain('没有看懂');
    expect(miss).toContain('进度');
  });

  it('refuses text over 2,000 characters politely', async () => {
    expect(await text('owner', `进展 二.1.1 ${'很'.repeat(2001)}`)).toContain('超过2000字');
  });
});

describe('write commands', () => {
  it('进展 adds a note; 完成 goes to 待销号; 销号 strikes it off; 历史 shows all of it', async () => {
    expect(await text('owner', '进展 二.1.1 任免手续已报区委组织部')).toContain('已记录进展');
    expect(await text('viewer', '二.1.1')).toContain('任免手续已报区委组织部');
    expect(await text('owner', '二.1.1 已完成，市委组织部已批准')).toContain('基本完成 → 待销号');
    expect(await text('office', '待销号')).toContain('二.1.1');
    expect(await text('owner', '销号 二.1.1')).toContain('仅限整改办');
    expect(await text('office', '销号 二.1.1 材料齐全')).toContain('待销号 → 已销号');
    const h = await text('supervisor', '历史 二.1.1');
    expect(h).toContain('变更记录（3条）');
    expect(h).toMatch(/陈敏 进展[\s\S]*陈敏 完成[\s\S]*王静 销号/);
  });

  it('退回 sends a reported item back; 完成 … 长期坚持 goes through review into long-term', async () => {
    expect(await text('office', '退回 二.3.1 缺少专账凭证')).toContain('已完成 → 推进中');
    const lt = await text('office', '完成 二.3.1 长期坚持 已建立专账并定期检查');
    expect(lt).toContain('推进中 → 待销号');
    expect(lt).toContain('审核通过后转入长期坚持');
    expect(await text('office', '完成 二.3.1 再报一次')).toContain('正在等待整改办审核销号');
    const ok = await text('office', '销号 二.3.1 专账已核实');
    expect(ok).toContain('待销号 → 已完成并长期坚持');
    expect(ok).toContain('回头看');
    expect(await text('office', '完成 二.3.1 再报一次')).toContain('无需重复申报');
  });

  it('改期 changes the deadline with a reason; bad dates are refused', async () => {
    expect(await text('office', '改期 二.2.2 2021年12月31日 需等待审计结论')).toContain('新时限：2021年12月31日');
    expect(await text('office', '改期 二.2.2 2021年2月30日 随便')).toContain('无法识别日期');
    expect(await text('office', '改期 二.2.2 2021年12月31日')).toContain('改期原因');
  });

  it('撤销 undoes the sender’s own last change only', async () => {
    expect(await text('owner', '进展 一.1.1 补充学习记录')).toContain('已记录进展');
    expect(await text('leader', '撤销')).toContain('没有可撤销的操作');
    expect(await text('owner', '撤销')).toContain('已撤销');
    expect(await text('owner', '撤销')).toContain('没有可撤销的操作');
  });

  it('undo is refused once someone else changed the item', async () => {
    await text('owner', '进展 三.2.2 述职述廉报告已收齐');
    await text('office', '进展 三.2.2 整改办已核对');
    expect(await text('owner', '撤销')).toContain('已被他人更新');
  });

  it('undo expires after 10 minutes', async () => {
    await text('owner', '进展 三.2.5 问责程序已修订');
    // The undo record lives in Redis with a 600 s TTL; age it out.
    const keys = await w.open.redis.keys(`rb:{${w.ledgerId}}:undo:console:owner`);
    expect(keys.length).toBe(1);
    await w.open.redis.pexpire(keys[0], 1);
    await waitFor(async () => (await w.open.redis.exists(keys[0])) === 0, { what: 'the undo record to expire' });
    expect(await text('owner', '撤销')).toContain('没有可撤销的操作');
  });

  it('a problem with several measures asks which one; missing notes get usage help', async () => {
    expect(await text('owner', '完成 二.1 都做完了')).toContain('请指明具体措施');
    expect(await text('owner', '完成 二.1.1')).toContain('用法：完成');
    expect(await text('owner', '进展')).toContain('请写上编号');
  });
});

describe('natural phrasing', () => {
  it('a status word after a code moves the item forward only, and the note keeps its Chinese punctuation', async () => {
    expect(await text('office', '退回 二.2.1 派车单未归档')).toContain('已完成 → 推进中');
    const fwd = await text('office', '二.2.1 基本完成，派车单已归档；油卡台账待补');
    expect(fwd).toContain('推进中 → 基本完成');
    expect(fwd).toContain('说明：派车单已归档；油卡台账待补');
    const back = await text('office', '二.2.1 推进中，继续补台账');
    expect(back).toContain('已记录进展');
    expect(back).not.toContain('→'); // 基本完成 does not go back to 推进中
    expect(await text('owner', '一.1.1 推进中，再看看')).toContain('不能改回“推进中”');
  });

  it('a question about a code shows it; a bare statement asks which command was meant and writes nothing', async () => {
    expect(await text('viewer', '三.1.1 进展情况怎么样？')).toContain('责任领导：罗拥军');
    const before = await w.open.services.ledgers.history(w.ledgerId, '3.1.1');
    const t = await text('owner', '三.1.1 制度已印发');
    expect(t).toContain('如要记录进展，请发送：进展 三.1.1 制度已印发');
    expect(await w.open.services.ledgers.history(w.ledgerId, '3.1.1')).toEqual(before);
  });
});
