import { describe, expect, it } from 'vitest';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import type { AuditEvent, Measure, Status } from '../../src/ledger/types.js';
import { buildDigestModel, withoutUndone } from '../../src/schedule/digest-model.js';
import { renderDigest } from '../../src/schedule/digest-render.js';

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

  it('a 撤销 takes back the report, not the file the report brought (evidence events in between)', () => {
    const e = [
      ev('2021-09-22T02:00:00Z', '2.1.1', '进展', '基本完成', '基本完成'),
      ev('2021-09-22T02:00:01Z', '2.1.1', '佐证', '基本完成', '基本完成'),
      ev('2021-09-22T02:05:00Z', '2.1.1', '撤销', '基本完成', '基本完成'),
      ev('2021-09-22T02:05:01Z', '2.1.1', '删除佐证', '基本完成', '基本完成'),
    ];
    expect(withoutUndone(e).map((x) => x.action)).toEqual(['佐证', '删除佐证']);
  });

  it('退回 counts as 状态倒退 even when reported again in the same week', () => {
    expect(m.backwards.map((b) => [b.measure.code, b.from, b.to])).toEqual([['二.2.1', '已完成', '推进中']]);
    expect(m.newlyDone).toEqual([]);
  });
});

describe('回头看 of long-term measures', () => {
  it('a 已完成并长期坚持 measure with no report for 90 days is listed; a recent one is not', () => {
    const doc = buildDemoDoc('lookback');
    // The demo's 11 long-term measures were last touched on 2021-04-20; one reported on 2021-09-01.
    doc.measures = doc.measures.map((m) => (m.id === '1.1.1' ? { ...m, notes: [{ at: '2021-09-01T02:00:00Z', by: '陈敏', text: '开展回头看' }] } as Measure : m));
    const m = buildDigestModel(doc, [], new Date('2021-09-20T00:00:00Z'), new Date('2021-09-27T02:00:00Z'));
    expect(m.lookback).toHaveLength(10);
    expect(m.lookback.map((x) => x.id)).not.toContain('1.1.1');
    const early = buildDigestModel(doc, [], new Date('2021-06-20T00:00:00Z'), new Date('2021-06-27T02:00:00Z'));
    expect(early.lookback).toEqual([]);
    expect(renderDigest(doc.ledger, m).text).toContain('长期坚持事项90天未报送回头看情况 10 项：一.1.2、');
  });
});
