import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Measure, Status } from '../../src/ledger/types.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { dynamicIndexes } from '../../src/store/indexes.js';
import { TARGETS, testTarget } from '../helpers/redis.js';

const actor = { platform: 'console', userId: 'office', name: '王静' };
const alias = (code: string) => aliasOf(parseCode(code)!);

describe.each(TARGETS)('%s Redis: the deadline index across changes', (target) => {
  let open: OpenServices;
  const L = `di-${randomUUID().slice(0, 8)}`;
  const doc = buildDemoDoc(L);
  beforeAll(async () => {
    open = await openServices({ redisUrl: testTarget(target) });
    await open.services.ledgers.saveDoc(doc);
  });
  afterAll(async () => { await open.close(); });

  /** The index as the import builds it from the measures now stored. */
  async function expected(): Promise<Record<string, number>> {
    const g = await open.services.ledgers.generation(L);
    const out: Record<string, number> = {};
    for (const m of doc.measures) {
      const now = (await open.services.ledgers.getItem(L, m.id)) as Measure;
      const d = dynamicIndexes(g, now);
      if (d.dueScore !== null) out[m.id] = d.dueScore;
    }
    return out;
  }
  async function stored(): Promise<Record<string, number>> {
    const g = await open.services.ledgers.generation(L);
    const flat = await open.redis.zrange(g.due, 0, -1, 'WITHSCORES');
    const out: Record<string, number> = {};
    for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = Number(flat[i + 1]);
    return out;
  }
  const set = (code: string, status: Status, extra: Record<string, unknown> = {}) => open.services.changes.applyByAlias(L, alias(code), actor, randomUUID(), () => ({ action: '测试', status, note: `${status}`, ...extra }));

  it('stays the open measures with a dated deadline, through notes, reopening, closing and a new deadline', async () => {
    const m = doc.measures.find((x) => x.deadline.type === 'date')!;
    expect(await stored()).toEqual(await expected());
    await set(m.code, m.status); // a note on a closed measure: no entry before, none after
    expect(await stored()).toEqual(await expected());
    await set(m.code, '推进中'); // reopened: its entry comes back
    expect((await stored())[m.id]).toBeDefined();
    await set(m.code, '推进中'); // a note on an open one: the entry stays
    await set(m.code, '推进中', { deadline: { type: 'date', date: '2031-06-30' } }); // moved
    expect(await stored()).toEqual(await expected());
    await set(m.code, '已完成'); // closed: gone
    expect((await stored())[m.id]).toBeUndefined();
    expect(await stored()).toEqual(await expected());
  });
});
