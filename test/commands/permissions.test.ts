import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../helpers/world.js';

let w: World;
beforeAll(async () => { w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' }); });
afterAll(async () => { await w.close(); });

/**
 * The matrix: who may run what on which item. 二.1.1 names 陈敏 (owner) as
 * 责任人 and 杜波 as leader; 一.2.1 names 罗拥军 (leader) and 陈敏; 二.3.2
 * names neither 陈敏 nor 罗拥军… except 罗拥军 leads it.
 */
const cases: Array<[who: string, text: string, allowed: boolean]> = [
  ['owner', '进展 二.1.1 已报批', true],
  ['owner', '进展 一.1.2 不是我的', false],
  ['owner', '进展 三.2.2 同部门（政治部）', true],
  ['leader', '进展 一.2.1 罗拥军分管', true],
  ['leader', '进展 二.2.1 不归我管', false],
  ['supervisor', '进展 二.1.1 纪检不能写', false],
  ['viewer', '进展 二.1.1 旁观者不能写', false],
  ['stranger', '进展 二.1.1 陌生人不能写', false],
  ['office', '进展 二.2.1 整改办都能写', true],
  ['owner', '改期 二.1.1 2021年10月31日 申请延期', false],
  ['leader', '退回 一.2.1 不行', false],
  ['owner', '销号 二.1.1', false],
  ['office', '改期 二.1.1 2021年10月31日 等待批复', true],
  ['viewer', '历史 二.1.1', false],
  ['supervisor', '历史 二.1.1', true],
  ['owner', '绑定 demo', false],
];

describe('permission matrix', () => {
  it.each(cases)('%s: %s → allowed=%s', async (who, text, allowed) => {
    const before = await w.open.services.ledgers.events(w.ledgerId);
    const r = await w.say(who, text);
    const after = await w.open.services.ledgers.events(w.ledgerId);
    const denied = /无权|仅限整改办|不是您负责的|只读身份/.test(r!.text);
    expect(denied).toBe(!allowed);
    if (!allowed) expect(after.length).toBe(before.length);
  });

  it('a chat with no binding gets “本群尚未绑定整改台账” and nothing else', async () => {
    for (const t of ['进度', '查看 二.1', '逾期', '帮助', 'xyz']) {
      const r = await w.pipeline.handle({ platform: 'console', chatId: 'not-bound', chatType: 'group', messageId: `nb-${t}`, senderId: 'office', text: t });
      expect(r!.text).toBe('本群尚未绑定整改台账。');
    }
  });

  it('the office binds a chat from inside it; others cannot', async () => {
    const msg = (who: string, id: string, text: string) => w.pipeline.handle({ platform: 'console', chatId: 'new-group', chatType: 'group', messageId: id, senderId: who, text });
    expect((await msg('owner', 'b1', `绑定 ${w.ledgerId}`))!.text).toContain('仅限整改办');
    expect((await msg('office', 'b2', '绑定 no-such-ledger'))!.text).toContain('不存在');
    expect((await msg('office', 'b3', `绑定 ${w.ledgerId}`))!.text).toContain('绑定台账');
    expect((await msg('viewer', 'b4', '进度'))!.text).toContain('21条整改措施');
  });
});
