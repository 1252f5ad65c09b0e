import { afterEach, describe, expect, it } from 'vitest';
import { sayUnremembered, textOf, worldsPerTest, type World } from '../helpers/world.js';
import { TARGETS } from '../helpers/redis.js';

// The plain deadline lists (逾期, 临期 [天数]) remember their answer with the digest of the deadline
// read (count and first 20 measures) and use it again only while that read is unchanged.
describe.each(TARGETS)('逾期 and 临期 answered again from memory only while unchanged (%s)', (target) => {
  const world = worldsPerTest(target, afterEach);
  const text = textOf;
  const fresh = sayUnremembered;

  it('临期: remembered per window; a completion and a moved deadline are in the next answer', async () => {
    const w = await world();
    const answers = w.open.services.answers!;
    const t1 = await text(w, 'viewer', '临期');
    expect(t1).toContain('二.1.1');
    expect(await text(w, 'viewer', '临期')).toBe(t1);
    expect(answers.size).toBe(1);
    const t30 = await text(w, 'viewer', '临期 30');
    expect(answers.size).toBe(2);
    expect(t30).toBe(await fresh(w)('viewer', '临期 30'));
    expect(await text(w, 'owner', '完成 二.1.1 任免手续已办结')).toMatch(/已完成|待销号/);
    const t2 = await text(w, 'viewer', '临期');
    expect(t2).not.toContain('二.1.1');
    expect(t2).toBe(await fresh(w)('viewer', '临期'));
  });

  it('逾期: the next day is answered afresh (its overdue measure shows), then again from memory', async () => {
    const w = await world();
    expect(await text(w, 'viewer', '逾期')).toContain('目前没有逾期事项');
    w.clock.advance(6 * 86_400_000);
    const later = await text(w, 'viewer', '逾期');
    expect(later).toContain('二.1.1');
    expect(later).toBe(await fresh(w)('viewer', '逾期'));
    expect(await text(w, 'viewer', '逾期')).toBe(later);
  });
});
