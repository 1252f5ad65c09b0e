import { describe, expect, it } from 'vitest';
import { decodeKey, templateCard } from '../../../src/bot/wecom/card-view.js';
import type { CardRecord } from '../../../src/core/ports.js';
import { templateCardRefusal } from '../../fakes/wecom/rules.js';

const rec: CardRecord = {
  id: 'ap0123456789abcdef', platform: 'wecom', chatId: 'wrk1', chatType: 'group', createdAt: '2026-12-03T01:00:00.000Z',
  actions: {
    id: 'ap0123456789abcdef', title: '待销号审核', subject: '二.1.1 纠正司法行政人员违规入额现象，相关职务任免按程序办理',
    fields: [{ label: '编号', value: '二.1.1' }, { label: '责任人', value: '陈敏' }, { label: '申报人', value: '陈敏' }],
    note: '任职文件已印发'.repeat(30),
    buttons: [
      { label: '销号', command: '销号 二.1.1', style: 'primary' },
      { label: '退回', command: '退回 二.1.1', style: 'danger', reasons: ['佐证材料不足', '整改措施未落实到位', '材料与问题不对应'] },
    ],
  },
};

describe('wecom card faces', () => {
  it.each([
    ['main', { face: 'main' } as const, ['销号', '退回']],
    ['reasons', { face: 'reasons', button: 1 } as const, ['佐证材料不足', '整改措施未落实到位', '材料与问题不对应', '其他原因', '返回']],
    ['other', { face: 'other', button: 1 } as const, ['返回']],
    ['decided', { face: 'decided' } as const, ['已销号']],
    ['stale', { face: 'stale' } as const, ['已失效']],
  ])('%s face is a card WeCom accepts, same type and task_id', (_n, face, labels) => {
    const r = { ...rec, decided: { label: '销号', by: '王静', at: '2026-12-03T02:05:00.000Z', change: '待销号 → 已销号' } };
    const card = templateCard(r, face) as any;
    expect(templateCardRefusal(card)).toBeNull();
    expect(card.card_type).toBe('button_interaction');
    expect(card.task_id).toBe(rec.id);
    expect(card.button_list.map((b: any) => b.text)).toEqual(labels);
    expect(Array.from(card.main_title.desc as string).length).toBeLessThanOrEqual(30);
    if (card.sub_title_text) expect(Array.from(card.sub_title_text as string).length).toBeLessThanOrEqual(100);
  });

  it('the decided face names the decision, who made it and when (Shanghai time)', () => {
    const card = templateCard({ ...rec, decided: { label: '退回', by: '王静', at: '2026-12-03T02:05:00.000Z', change: '待销号 → 推进中', reason: '佐证材料不足' } }, { face: 'decided' }) as any;
    expect(card.main_title.title).toBe('待销号审核：已退回');
    const rows = Object.fromEntries(card.horizontal_content_list.map((x: any) => [x.keyname, x.value]));
    expect(rows).toMatchObject({ 编号: '二.1.1', 结果: '待销号 → 推进中', 处理人: '王静', 处理时间: '12/03 10:05' });
    expect(card.sub_title_text).toBe('退回原因：佐证材料不足');
  });

  it.each([
    ['a0', { press: 'button', button: 0 }],
    ['r1.2', { press: 'reason', button: 1, reason: 2 }],
    ['o1', { press: 'other', button: 1 }],
    ['back', { press: 'back' }],
    ['done', { press: 'none' }],
    ['a12', { press: 'none' }],
    ['', { press: 'none' }],
  ])('key %j decodes', (key, want) => {
    expect(decodeKey(key)).toEqual(want);
  });

  it('the fake refuses what WeCom refuses', () => {
    const ok = templateCard(rec, { face: 'main' }) as any;
    expect(templateCardRefusal({ ...ok, task_id: 'has space' })).not.toBeNull();
    expect(templateCardRefusal({ ...ok, task_id: 'x'.repeat(129) })).not.toBeNull();
    expect(templateCardRefusal({ ...ok, button_list: Array.from({ length: 7 }, (_, i) => ({ text: 'b', key: `k${i}` })) })).not.toBeNull();
    expect(templateCardRefusal({ ...ok, button_list: [] })).not.toBeNull();
    expect(templateCardRefusal({ ...ok, button_list: [{ text: 'b', key: 'k'.repeat(1025) }] })).not.toBeNull();
    expect(templateCardRefusal({ ...ok, card_type: 'fancy' })).not.toBeNull();
  });
});
