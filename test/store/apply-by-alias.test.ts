import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Measure } from '../../src/ledger/types.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import { DomainError } from '../../src/core/errors.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { ItemChanges } from '../../src/store/item-changes.js';
import { TARGETS, testTarget } from '../helpers/redis.js';

const actor = { platform: 'console', userId: 'office', name: '王静' };
const alias = (code: string) => aliasOf(parseCode(code)!);
const note = (text: string) => (m: Measure) => ({ action: '进展', status: m.status === '未启动' ? '推进中' as const : m.status, note: text });

/**
 * A chat write resolves its code in the read for the write (one round trip fewer than a lookup
 * followed by apply): a code naming one measure is written; anything else is 'unresolved' and
 * nothing is written, so the command can resolve it the long way with its own errors.
 */
describe.each(TARGETS)('applyByAlias (%s Redis)', (target) => {
  let open: OpenServices;
  let L: string;
  let doc: ReturnType<typeof buildDemoDoc>;
  beforeAll(async () => {
    open = await openServices({ redisUrl: testTarget(target) });
    L = `aba-${randomUUID().slice(0, 8)}`;
    doc = buildDemoDoc(L);
    await open.services.ledgers.saveDoc(doc);
  });
  afterAll(async () => { await open.close(); });

  const item = async (id: string) => (await open.services.ledgers.getItem(L, id)) as Measure;

  it('a measure code is resolved and written, with the check run on the measure read', async () => {
    const m = doc.measures[0]!;
    const checked: string[] = [];
    const r = await open.services.changes.applyByAlias(L, alias(m.code), actor, randomUUID(), note('按编号记录'), async (x) => { checked.push(x.id); });
    expect(r).not.toBe('unresolved');
    expect(r).not.toBe('duplicate');
    expect(checked).toEqual([m.id]);
    expect((await item(m.id)).notes[0]?.text).toBe('按编号记录');
  });

  it('a problem, an aspect or an unknown code is unresolved, and nothing is written', async () => {
    const p = doc.problems.find((x) => doc.measures.filter((m) => m.problemId === x.id).length > 1)!;
    const before = await open.redis.xlen(`rb:{${L}}:audit`).catch(() => 0);
    for (const code of [p.code, '一', '9.9.9']) {
      const q = parseCode(code);
      expect(q, code).not.toBeNull();
      let decided = false;
      const r = await open.services.changes.applyByAlias(L, aliasOf(q!), actor, randomUUID(), (m) => { decided = true; return note('不应写入')(m); });
      expect(r, code).toBe('unresolved');
      expect(decided).toBe(false);
    }
    expect(await open.redis.xlen(`rb:{${L}}:audit`).catch(() => 0)).toBe(before);
  });

  it('a refusing check stops the write before anything is decided or stored', async () => {
    const m = doc.measures[1]!;
    const version = (await item(m.id)).version;
    let decided = false;
    await expect(open.services.changes.applyByAlias(L, alias(m.code), actor, randomUUID(), (x) => { decided = true; return note('无权')(x); },
      async () => { throw new DomainError('forbidden', '不是您负责的事项'); })).rejects.toThrow('不是您负责的事项');
    expect(decided).toBe(false);
    expect((await item(m.id)).version).toBe(version);
  });

  it('a re-import between the read and the write: the code is resolved again in the new ledger', async () => {
    const m = doc.measures[2]!;
    let once = false;
    const racing = new ItemChanges(open.redis, () => new Date(), {
      beforeWrite: async () => { if (!once) { once = true; await open.services.ledgers.saveDoc(buildDemoDoc(L)); } },
    });
    const r = await racing.applyByAlias(L, alias(m.code), actor, randomUUID(), note('重新导入之后'));
    if (r === 'unresolved' || r === 'duplicate') throw new Error(String(r));
    expect(once).toBe(true);
    expect(r.after.notes[0]?.text).toBe('重新导入之后');
    expect((await item(m.id)).notes[0]?.text).toBe('重新导入之后');
  });

  it('the same message twice: the second is a duplicate and changes nothing', async () => {
    const m = doc.measures[3]!;
    const id = randomUUID();
    await open.services.changes.applyByAlias(L, alias(m.code), actor, id, note('只记一次'));
    const v = (await item(m.id)).version;
    expect(await open.services.changes.applyByAlias(L, alias(m.code), actor, id, note('只记一次'))).toBe('duplicate');
    expect((await item(m.id)).version).toBe(v);
  });
});
