import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { countAll } from '../../src/ledger/counters.js';
import { rollUp } from '../../src/ledger/status.js';
import type { Status } from '../../src/ledger/types.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { ItemChanges } from '../../src/store/item-changes.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { TARGETS, testTarget } from '../helpers/redis.js';

const actor = { platform: 'console', userId: 'office', name: '王静' };
const nonZero = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0));

/**
 * Writes to sibling measures (one problem) at once: a change that leaves the
 * measure's status alone (a note) does not guard the problem, so it never
 * retries because of a sibling; a status change still does, and the
 * problem's roll-up always equals a recount.
 */
describe.each(TARGETS)('sibling measure writes (%s Redis)', (target) => {
  let open: OpenServices;
  beforeAll(async () => { open = await openServices({ redisUrl: testTarget(target) }); });
  afterAll(async () => { await open.close(); });

  /** ItemChanges whose first attempt, between its read and its write, lets `between` write a sibling. */
  function racing(between: () => Promise<void>, attempts: number[]) {
    return new ItemChanges(open.redis, () => new Date(), {
      beforeWrite: async (_L, _id, attempt) => { attempts.push(attempt); if (attempt === 0) await between(); },
    });
  }

  async function setup() {
    const L = `sib-${randomUUID().slice(0, 8)}`;
    const doc = syntheticDoc(L, 1, 1, 3);
    await open.services.ledgers.saveDoc(doc);
    const [a, b] = doc.measures;
    return { L, a: a!, b: b!, problemId: a!.problemId };
  }

  async function problemStatus(L: string, id: string): Promise<Status | undefined> {
    const p = await open.services.ledgers.getItem(L, id);
    return p?.level === 'problem' ? p.status : undefined;
  }

  it('a note on one measure while a sibling changes status: applied at the first attempt, roll-up equals a recount', async () => {
    const { L, a, b, problemId } = await setup();
    const attempts: number[] = [];
    const changes = racing(async () => {
      await open.services.changes.apply(L, b.id, actor, randomUUID(), () => ({ action: '完成', status: '待销号', note: '已完成' }));
    }, attempts);
    const r = await changes.apply(L, a.id, actor, randomUUID(), (m) => ({ action: '进展', status: m.status, note: '推进中的说明' }));
    expect(r).not.toBe('duplicate');
    expect(attempts).toEqual([0]);
    const doc = (await open.services.ledgers.loadDoc(L))!;
    expect(doc.measures.find((m) => m.id === a.id)!.notes[0]!.text).toBe('推进中的说明');
    expect(await problemStatus(L, problemId)).toBe(rollUp(doc.measures.filter((m) => m.problemId === problemId).map((m) => m.status)));
    const have = nonZero(await open.services.ledgers.counters(L));
    expect(have).toEqual(nonZero(countAll(doc.problems, doc.measures)));
  });

  it('a status change while a sibling changes status: re-read and re-decided, roll-up equals a recount', async () => {
    const { L, a, b, problemId } = await setup();
    const attempts: number[] = [];
    const changes = racing(async () => {
      await open.services.changes.apply(L, b.id, actor, randomUUID(), () => ({ action: '完成', status: '待销号', note: '已完成' }));
    }, attempts);
    await changes.apply(L, a.id, actor, randomUUID(), () => ({ action: '完成', status: '待销号', note: '也已完成' }));
    expect(attempts).toEqual([0, 1]);
    const doc = (await open.services.ledgers.loadDoc(L))!;
    expect(doc.measures.filter((m) => m.status === '待销号').map((m) => m.id).sort()).toEqual([a.id, b.id].sort());
    expect(await problemStatus(L, problemId)).toBe(rollUp(doc.measures.filter((m) => m.problemId === problemId).map((m) => m.status)));
    const have = nonZero(await open.services.ledgers.counters(L));
    expect(have).toEqual(nonZero(countAll(doc.problems, doc.measures)));
  });
});
