import { afterEach, describe, expect, it } from 'vitest';
import { sayUnremembered, textOf, worldsPerTest, type World } from '../helpers/world.js';
import { TARGETS } from '../helpers/redis.js';
import { PNG_1X1 } from '../evidence/samples.js';

// 查看 remembers its answer per code and day with the digest of the lookup it was built from,
// and uses it again only when the lookup script finds that digest unchanged.
describe.each(TARGETS)('查看 answered again from memory only while the item is unchanged (%s)', (target) => {
  const world = worldsPerTest(target, afterEach);

  const text = textOf;
  const fresh = sayUnremembered;

  it('a measure: remembered, then a progress note and an evidence file are in the next answer', async () => {
    const w = await world();
    const answers = w.open.services.answers!;
    const t1 = await text(w, 'office', '查看 二.1.1');
    expect(t1).toContain('责任领导：杜波');
    expect(answers.size).toBe(1);
    expect(await text(w, 'office', '查看 二.1.1')).toBe(t1);
    expect(answers.size).toBe(1);
    expect(t1).toBe(await fresh(w)('office', '查看 二.1.1'));

    expect(await text(w, 'owner', '进展 二.1.1 任免手续已报区委组织部')).toContain('已记录进展');
    const t2 = await text(w, 'office', '查看 二.1.1');
    expect(t2).toContain('任免手续已报区委组织部');
    expect(t2).toBe(await fresh(w)('office', '查看 二.1.1'));

    const r = await w.open.services.evidence!.attachEvidence({
      ledgerId: w.ledgerId, itemId: '2.1.1', file: { bytes: PNG_1X1, name: '任免文件.png' },
      actor: { platform: 'console', userId: 'owner', name: '陈敏' }, messageId: 'view-memo-1',
    });
    expect(r).toMatchObject({ ok: true, duplicate: false, record: { name: '任免文件.png' } });
    const t3 = await text(w, 'office', '查看 二.1.1');
    expect(t3).toContain('任免文件.png');
    expect(t3).toBe(await fresh(w)('office', '查看 二.1.1'));
  });

  it('a problem: a change to one of its measures is in the next answer', async () => {
    const w = await world();
    const t1 = await text(w, 'office', '查看 二.1');
    expect(t1).toContain('二.1.1');
    expect(await text(w, 'office', '查看 二.1')).toBe(t1);
    expect(await text(w, 'owner', '完成 二.1.1 任免手续已办结')).toMatch(/已完成|待销号/);
    const t2 = await text(w, 'office', '查看 二.1');
    expect(t2).not.toBe(t1);
    expect(t2).toBe(await fresh(w)('office', '查看 二.1'));
  });

  it('viewers (whose sight of evidence is the ledger’s setting), unknown codes and the next day are not answered from memory', async () => {
    const w = await world();
    const answers = w.open.services.answers!;
    expect(await text(w, 'viewer', '查看 二.1.1')).toContain('责任领导：杜波');
    expect(answers.size).toBe(0);
    expect(await text(w, 'office', '查看 二.9')).toContain('未找到编号“二.9”');
    expect(answers.size).toBe(0);
    const today = await text(w, 'office', '查看 二.1.1');
    expect(today).toContain('🟡 临期');
    w.clock.advance(6 * 86_400_000);
    const later = await text(w, 'office', '查看 二.1.1');
    expect(later).not.toContain('🟡 临期');
    expect(later).toBe(await fresh(w)('office', '查看 二.1.1'));
    expect(answers.size).toBe(2);
  });
});
