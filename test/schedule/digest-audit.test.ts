import { describe, expect, it } from 'vitest';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import type { AuditEvent, Measure, Status } from '../../src/ledger/types.js';
import { buildDigestModel, withoutUndone } from '../../src/schedule/digest-model.js';

let n = 0;
const ev = (at: string, itemId: string, action: string, from: Status | '', to: Status | ''): AuditEvent => ({
  id: `${++n}-0`, at, actor: { platform: 'console', userId: 'owner', name: '陈敏' }, itemId, code: itemId, action, from, to, note: '', messageId: `m${n}`,
});

describe('digest audit truth', () => {
  const doc = buildDemoDoc('audit');
  doc.measures = doc.measures.map((m) => (m.id === '2.2.1' ? { ...m, status: '待销号' } as Measure : m));
  const events = [
    ev('2021-09-21T02:00:00Z', '2.1.1', '进展', '基本完成', '基本完成'),
    ev('2021-09-22T02:00:00Z', '2.1.1', '进展', '基本完成', '基本完成'),
    ev('2021-09-22T02:05:00Z', '2.1.1', '撤销', '基本完成', '基本完成'),
    ev('2021-09-23T02:00:00Z', '2.2.1', '退回', '已完成', '推进中'),
    ev('2021-09-24T02:00:00Z', '2.2.1', '完成', '推进中', '待销号'),
  ];
  const m = buildDigestModel(doc, events, new Date('2021-09-20T00:00:00Z'), new Date('2021-09-27T02:00:00Z'));

  it('an undone note is not counted', () => {
    expect(m.notes.count).toBe(1);
    expect(withoutUndone(events).map((e) => e.action)).toEqual(['进展', '退回', '完成']);
  });

  it('退回 counts as 状态倒退 even when reported again in the same week', () => {
    expect(m.backwards.map((b) => [b.measure.code, b.from, b.to])).toEqual([['二.2.1', '已完成', '推进中']]);
    expect(m.newlyDone).toEqual([]);
  });
});
