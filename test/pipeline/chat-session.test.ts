import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { countAll } from '../../src/ledger/counters.js';
import { makeWorld, type World } from '../helpers/world.js';
import { TARGETS } from '../helpers/redis.js';

/**
 * One chat session through the whole pipeline (dedupe, actor and binding,
 * parse, handler, store), on the single Redis and on the 3-master cluster:
 * reads from every index, writes, undo and a platform retry.
 */
describe.each(TARGETS)('a chat session on %s Redis', (target) => {
  let w: World;
  const text = async (who: string, msg: string) => (await w.say(who, msg))?.text ?? '';
  beforeAll(async () => { w = await makeWorld({ target, at: '2021-09-25T02:00:00.000Z' }); });
  afterAll(async () => { await w.close(); });

  it('reads: 进度, 查看, 逾期, 临期, 部门, 领导, 搜索, 我的', async () => {
    const t = await text('viewer', '进度');
    expect(t).toContain('共8个问题、21条整改措施');
    expect(t).toContain('完成率 95.2%');
    expect(await text('viewer', '查看 二.1')).toContain('形式主义官僚主义顽疾难除');
    expect(await text('viewer', '逾期')).toContain('目前没有逾期事项');
    expect(await text('viewer', '临期')).toContain('二.1.1');
    expect(await text('viewer', '部门 计划财务装备科')).toContain('（2项）');
    expect(await text('viewer', '领导 杜波')).toContain('（7项）');
    expect(await text('viewer', '搜索 公车')).toContain('二.2.1');
    expect(await text('owner', '我的')).toContain('二.1.1');
  });

  it('writes: 进展, 完成, 销号, 历史, 撤销; counters equal a recount', async () => {
    expect(await text('owner', '进展 二.1.1 任免手续已报区委组织部')).toContain('已记录进展');
    expect(await text('owner', '二.1.1 已完成，市委组织部已批准')).toContain('基本完成 → 待销号');
    expect(await text('office', '销号 二.1.1 材料齐全')).toContain('待销号 → 已销号');
    expect(await text('supervisor', '历史 二.1.1')).toContain('变更记录（3条）');
    expect(await text('owner', '进展 一.1.1 补充学习记录')).toContain('已记录进展');
    expect(await text('owner', '撤销')).toContain('已撤销');
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    // Counters kept in step by the writes may hold explicit zeros; a recount omits them.
    const have = Object.fromEntries(Object.entries(await w.open.services.ledgers.counters(w.ledgerId)).filter(([, v]) => v !== 0));
    expect(have).toEqual(countAll(doc.problems, doc.measures));
  });

  it('a platform retry of the same message id is applied and answered once', async () => {
    const messageId = `retry-${randomUUID()}`;
    const before = (await w.open.services.ledgers.history(w.ledgerId, '3.1.1')).length;
    const replies = await Promise.all([1, 2, 3].map(() => w.say('office', '进展 三.1.1 第三次支部书记培训', { messageId })));
    expect(replies.filter(Boolean)).toHaveLength(1);
    expect((await w.open.services.ledgers.history(w.ledgerId, '3.1.1')).length - before).toBe(1);
  });
});
