import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../helpers/world.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import type { Reply } from '../../src/core/message.js';
import type { Measure } from '../../src/ledger/types.js';

/**
 * 1:1 chats with the robot (real Redis): no binding, so the sender's directory
 * entries pick the ledger, with the sender's role there and never more.
 * Users are unique to this file (per-ledger roles only), so other files' ledgers do not count.
 */
describe('1:1 chats work on the sender’s own ledger', () => {
  let w: World;
  let L2: string;
  const id = randomUUID().slice(0, 6);
  const one = `solo-${id}`;
  const two = `dual-${id}`;
  const reader = `reader-${id}`;
  beforeAll(async () => {
    w = await makeWorld();
    L2 = `${w.ledgerId}-b`;
    const doc = buildDemoDoc(L2);
    await w.open.services.ledgers.saveDoc({ ...doc, ledger: { ...doc.ledger, title: '第二本测试台账' } });
    await w.open.services.directory.putUsers([
      { platform: 'console', userId: one, name: `单台账${id}`, department: '政治部', role: 'viewer', ledgers: { [w.ledgerId]: 'owner' } },
      { platform: 'console', userId: two, name: `双台账${id}`, department: '院领导', role: 'viewer', ledgers: { [w.ledgerId]: 'owner', [L2]: 'leader' } },
      { platform: 'console', userId: reader, name: `只读${id}`, department: '立案庭', role: 'viewer' },
    ]);
  });
  afterAll(() => w?.close());

  const dm = (who: string, text: string): Promise<Reply | null> => w.pipeline.handle({
    platform: 'console', chatId: `dm-${who}`, chatType: 'private', messageId: randomUUID(), senderId: who, text,
  });
  const measure = async (L: string, code: string) => {
    const itemId = (await w.open.services.ledgers.resolveAlias(L, aliasOf(parseCode(code)!)))[0]!;
    return { itemId, m: (await w.open.services.ledgers.getItem(L, itemId)) as Measure };
  };

  it('one ledger: 进展 in 1:1 is recorded on it, by the sender, with their role (an owner may not 销号)', async () => {
    const r = await dm(one, '进展 二.1.1 已报区委组织部');
    expect(r?.outcome?.kind).toBe('changed');
    const { itemId } = await measure(w.ledgerId, '二.1.1');
    const events = await w.open.services.ledgers.history(w.ledgerId, itemId);
    expect(events.at(-1)).toMatchObject({ action: '进展', actor: { platform: 'console', userId: one } });
    expect(events.at(-1)!.note).toContain('已报区委组织部');
    const before = events.length;
    const refused = await dm(one, '销号 二.1.1');
    expect(refused?.outcome?.kind).toBe('forbidden');
    expect(await w.open.services.ledgers.history(w.ledgerId, itemId)).toHaveLength(before);
    // The other ledger's 二.1.1 is untouched.
    const other = await measure(L2, '二.1.1');
    expect((await w.open.services.ledgers.history(L2, other.itemId)).some((e) => e.actor.userId === one)).toBe(false);
  });

  it('several ledgers: asked to choose, 切换 picks one (kept in Redis), then the role there applies', async () => {
    const ask = await dm(two, '我的');
    expect(ask?.text).toContain('您参与多个整改台账，请先发送“切换 台账名”');
    expect(ask?.text).toContain(`第二本测试台账（${L2}）`);
    expect(ask?.text).toContain(w.ledgerId);
    expect(await w.open.services.directory.privateLedger('console', two)).toBeNull();

    const miss = await dm(two, '切换 没有这本');
    expect(miss?.text).toContain('您参与的台账中没有“没有这本”');
    const sw = await dm(two, '切换：第二本');
    expect(sw?.text).toContain('私聊已切换到台账：第二本测试台账');
    expect(sw?.text).toContain('身份：责任领导');
    expect(await w.open.services.directory.privateLedger('console', two)).toBe(L2);

    // On the second ledger they are a leader, not of 二.1.1: refused there, and nothing is written on either ledger.
    const note = await dm(two, '进展 二.1.1 督促已到位');
    expect(note?.text).toContain('二.1.1 不是您负责的事项');
    for (const L of [w.ledgerId, L2]) {
      const { itemId } = await measure(L, '二.1.1');
      expect((await w.open.services.ledgers.history(L, itemId)).some((e) => e.actor.userId === two)).toBe(false);
    }
    expect((await dm(two, '进度'))?.text).toContain('第二本测试台账');
    const help = await dm(two, '帮助');
    expect(help?.text).toContain('您在本台账的身份：责任领导');
    const list = await dm(two, '切换');
    expect(list?.text).toMatch(new RegExp(`第二本测试台账（${L2}）\\s*← 当前`));
  });

  it('no ledger: a plain answer, for a registered all-ledgers 成员 and for a stranger', async () => {
    const r = await dm(reader, '进度');
    expect(r?.text).toContain('您尚未登记为任何整改台账的成员');
    expect(r?.outcome?.kind).toBe('other');
    expect((await dm(`nobody-${id}`, '进度'))?.text).toContain('您尚未在整改台账的人员名单中登记');
  });

  it('group settings are refused in 1:1 and bind nothing; 切换 in a group changes nothing', async () => {
    await w.open.services.directory.putUsers([{ platform: 'console', userId: `boss-${id}`, name: `整改办${id}`, department: '办公室', role: 'viewer', ledgers: { [w.ledgerId]: 'office' } }]);
    const r = await w.pipeline.handle({ platform: 'console', chatId: `dm-boss-${id}`, chatType: 'private', messageId: randomUUID(), senderId: `boss-${id}`, text: `绑定 ${w.ledgerId}` });
    expect(r?.text).toContain('“绑定”是工作群的设置，请在台账工作群中发送');
    expect(await w.open.services.directory.getBinding('console', `dm-boss-${id}`)).toBeNull();
    const sub = await w.pipeline.handle({ platform: 'console', chatId: `dm-boss-${id}`, chatType: 'private', messageId: randomUUID(), senderId: `boss-${id}`, text: '订阅 周一 9:00' });
    expect(sub?.text).toContain('“订阅”是工作群的设置');
    expect(await w.open.services.directory.getBinding('console', `dm-boss-${id}`)).toBeNull();
    const g = await w.say(two, '切换 第二本');
    expect(g?.text).toContain('群内无需切换');
    expect(await w.open.services.directory.privateLedger('console', two)).toBe(L2);
  });
});
