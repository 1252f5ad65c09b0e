import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../helpers/world.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import type { User } from '../../src/store/directory.js';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' });
  // The ledger names the leader with her title, as real 责任领导 cells do.
  const doc = buildDemoDoc(w.ledgerId);
  const m = doc.measures.find((x) => x.id === '2.1.1')!;
  m.leaders = ['孙海燕（纪检组长）'];
  await w.open.services.ledgers.saveDoc(doc, undefined, { awaitCleanup: true });
  await w.open.services.directory.putUsers([{ platform: 'console', userId: 'sun', name: '孙海燕', department: '派驻纪检组', role: 'leader' } as User]);
});
afterAll(async () => { await w.close(); });
const text = async (who: string, msg: string) => (await w.say(who, msg))?.text ?? '';

describe('a 责任领导 cell with a title', () => {
  it('领导 finds her by name, with or without the title, and shows the cell as written', async () => {
    for (const q of ['领导 孙海燕', '领导 孙海燕（纪检组长）', '领导 孙海燕同志']) {
      expect(await text('viewer', q), q).toContain('二.1.1');
    }
    expect(await text('viewer', '查看 二.1.1')).toContain('责任领导：孙海燕（纪检组长）');
  });

  it('her writes are accepted and 我的 lists her item', async () => {
    expect(await text('sun', '进展 二.1.1 已督促政治部加快办理')).toContain('已记录进展');
    expect(await text('sun', '我的')).toContain('二.1.1');
    expect(await text('sun', '进展 二.2.1 试试')).toContain('不是您负责的事项');
  });
});

describe('department aliases', () => {
  it('部门 and filters take the alias; an owner registered under the alias may write', async () => {
    await w.open.services.directory.putUsers([{ platform: 'console', userId: 'qian', name: '钱多多', department: '审管办', role: 'owner' } as User]);
    expect(await text('qian', '进展 一.2.2 评查方案已起草')).toContain('不是您负责的事项');
    expect(await text('viewer', '部门 审管办')).toContain('没有找到部门“审管办”');
    await w.open.services.ledgers.setDepartmentAliases(w.ledgerId, { 审管办: '审判管理办公室' });
    const t = await text('viewer', '部门 审管办');
    expect(t).toContain('审判管理办公室的整改措施');
    expect(t).toContain('一.2.2');
    expect(await text('viewer', '逾期 审管办')).toContain('审判管理办公室目前没有逾期事项');
    expect(await text('qian', '进展 一.2.2 评查方案已起草')).toContain('已记录进展');
    expect(await text('qian', '我的')).toContain('您负责的2项措施均已完成');
  });
});

describe('digest mentions', () => {
  it('a leader written with a title is @-mentioned by her account', async () => {
    const { RunCache } = await import('../../src/schedule/compose.js');
    const look = await new RunCache(w.open.services).people('console', ['孙海燕（纪检组长）']);
    expect(look('孙海燕（纪检组长）')).toEqual([{ userId: 'sun', name: '孙海燕' }]);
  });
});
