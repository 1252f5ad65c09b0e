import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Measure, Note } from '../../src/ledger/types.js';
import { prependParts } from '../../src/store/notes-json.js';
import { emptyWrite, runAtomic } from '../../src/store/atomic.js';
import { k } from '../../src/store/keys.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { TARGETS, testTarget } from '../helpers/redis.js';

// Texts that would break a naive count of the elements: quotes, escapes, braces, the separator itself.
const TRICKY = ['普通进展', 'a "quoted" },{ "at": "x" }', '},{"at":"假的"}', 'back\\slash\\', '] , [ { } ]', '换行\n制表\t', '\u2028 \ud83d\ude00', ''];
const note = (i: number): Note => ({ at: `2021-09-25T02:00:${String(i % 60).padStart(2, '0')}.000Z`, by: `人${i}`, text: TRICKY[i % TRICKY.length]! + i, ...(i % 3 === 0 ? { evidence: true } : {}) });

/**
 * A note put in front by the write script from the stored text the caller never read
 * (AtomicWrite.prepend, ApplyOptions.notes false): the same list, and the same undo record, as
 * prependParts computes from the text in JavaScript.
 */
describe.each(TARGETS)('%s Redis: a note put in front by the write script', (target) => {
  let open: OpenServices;
  beforeAll(async () => { open = await openServices({ redisUrl: testTarget(target) }); });
  afterAll(async () => { await open.close(); });

  const prepend = async (stored: string, max: number) => {
    const tag = `{np-${randomUUID().slice(0, 8)}}`;
    const key = `t:${tag}:m`, undo = `t:${tag}:undo`;
    await open.redis.hset(key, { notes: stored, version: '1' });
    const w = emptyWrite();
    w.guards.push([key, 1]);
    w.hset.push([key, { version: '2' }]);
    w.setex.push([undo, '{"before":{"notesEdit":{"added":1,"dropped":', 60]);
    w.prepend = [key, 'notes', JSON.stringify(note(99)), max, [0, '}}}']];
    const r = await runAtomic(open.redis, w);
    return { r, notes: await open.redis.hget(key, 'notes'), version: await open.redis.hget(key, 'version'), undo: await open.redis.get(undo) };
  };

  it('equals prependParts for lists of every length around the cap, tricky texts included', async () => {
    for (const max of [2, 3, 20]) {
      for (let n = 0; n <= max + 2; n++) {
        const stored = JSON.stringify(Array.from({ length: n }, (_, i) => note(i)));
        const want = prependParts(JSON.stringify(note(99)), stored, max);
        const got = await prepend(stored, max);
        expect(got.r, `max ${max}, ${n} notes`).toMatchObject({ ok: true });
        expect(got.notes, `max ${max}, ${n} notes`).toBe(want.json);
        expect(got.version).toBe('2');
        expect(got.undo).toBe(`{"before":{"notesEdit":{"added":1,"dropped":${want.dropped}}}}`);
        expect(JSON.parse(got.undo!).before.notesEdit.dropped).toEqual(JSON.parse(stored).slice(max - 1));
      }
    }
  });

  it('a list not in JSON.stringify\'s compact form is refused with NOTES, nothing written', async () => {
    for (const stored of [JSON.stringify([note(1), note(2)], null, 2), '', '["a"]', '{}']) {
      const got = await prepend(stored, 20);
      expect(got.r, stored).toEqual({ ok: false, reason: 'notes' });
      expect(got.notes).toBe(stored);
      expect(got.version).toBe('1');
      expect(got.undo).toBeNull();
    }
  });
});

describe.each(TARGETS)('%s Redis: a change read without the notes (ApplyOptions.notes false)', (target) => {
  let open: OpenServices;
  const L = `nb-${randomUUID().slice(0, 8)}`;
  const doc = buildDemoDoc(L);
  const actor = { platform: 'console', userId: 'office', name: '王静' };
  beforeAll(async () => {
    open = await openServices({ redisUrl: testTarget(target) });
    await open.services.ledgers.saveDoc(doc);
  });
  afterAll(async () => { await open.close(); });

  const stored = async (id: string) => (await open.redis.hget((await open.services.ledgers.generation(L)).item(id), 'notes'))!;
  const undoRecord = async () => JSON.parse((await open.redis.get(k.undo(L, actor.platform, actor.userId)))!) as { before: Record<string, unknown> };

  it('stores the list and the undo record a full read would, past the cap; the result knows only the new note', async () => {
    const [a, b] = [doc.measures[0]!, doc.measures[1]!];
    const noAt = (list: Note[]) => list.map(({ at: _at, ...rest }) => rest);
    let beforeLast = '';
    for (let i = 0; i < 23; i++) {
      const text = `${TRICKY[i % TRICKY.length]}第${i}次`;
      const decide = (m: Measure) => ({ action: '进展', status: m.status, note: text, evidence: i % 4 === 0 });
      if (i === 22) beforeLast = await stored(b.id);
      const ra = await open.services.changes.apply(L, a.id, actor, randomUUID(), decide);
      const undoA = (await undoRecord()).before.notesEdit as { added: number; dropped: Note[] };
      const rb = await open.services.changes.applyByAlias(L, aliasOf(parseCode(b.code)!), actor, randomUUID(), decide, undefined, { notes: false });
      const undoB = (await undoRecord()).before.notesEdit as { added: number; dropped: Note[] };
      if (ra === 'duplicate' || rb === 'duplicate' || rb === 'unresolved') throw new Error(String(rb));
      // Same list and same edit record (the two measures' notes differ only in their times).
      expect(noAt(JSON.parse(await stored(b.id)))).toEqual(noAt(JSON.parse(await stored(a.id))));
      expect({ ...undoB, dropped: noAt(undoB.dropped) }).toEqual({ ...undoA, dropped: noAt(undoA.dropped) });
      expect(rb.before.notes).toEqual([]);
      expect(rb.after.notes).toEqual([{ at: rb.after.updatedAt, by: actor.name, text, ...(i % 4 === 0 ? { evidence: true } : {}) }]);
      expect(ra.after.notes.length).toBe(Math.min(i + 1, 20));
    }
    // 撤销 of the last one restores exactly the 20 stored before it.
    await open.services.changes.undo(L, actor, randomUUID());
    expect(await stored(b.id)).toBe(beforeLast);
  });

  it('a stored list in another form, or a change that replaces the notes, is read again with them and written as before', async () => {
    const m = doc.measures[2]!;
    const g = await open.services.ledgers.generation(L);
    const pretty = JSON.stringify([note(1), note(2)], null, 2);
    await open.redis.hset(g.item(m.id), 'notes', pretty);
    const r = await open.services.changes.applyByAlias(L, aliasOf(parseCode(m.code)!), actor, randomUUID(), (x) => ({ action: '进展', status: x.status, note: '换了格式' }), undefined, { notes: false });
    if (r === 'duplicate' || r === 'unresolved') throw new Error(String(r));
    expect(JSON.parse(await stored(m.id))).toEqual([{ at: r.after.updatedAt, by: actor.name, text: '换了格式' }, note(1), note(2)]);
    expect(r.after.notes.length).toBe(3);
    const replaced = [note(7)];
    const r2 = await open.services.changes.applyByAlias(L, aliasOf(parseCode(m.code)!), actor, randomUUID(), (x) => ({ action: '撤销', status: x.status, notes: replaced }), undefined, { notes: false });
    if (r2 === 'duplicate' || r2 === 'unresolved') throw new Error(String(r2));
    expect(await stored(m.id)).toBe(JSON.stringify(replaced));
    expect((await undoRecord()).before.notes).toEqual(JSON.parse(JSON.stringify([{ at: r.after.updatedAt, by: actor.name, text: '换了格式' }, note(1), note(2)])));
  });
});
