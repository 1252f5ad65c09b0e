import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Measure, Note } from '../../src/ledger/types.js';
import { prependNote, prependParts } from '../../src/store/notes-json.js';
import { emptyWrite, runAtomic } from '../../src/store/atomic.js';
import { hashToItem } from '../../src/store/serialize.js';
import { k } from '../../src/store/keys.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import { makeWorld, type World } from '../helpers/world.js';
import { TARGETS } from '../helpers/redis.js';

// Texts that would break a naive scan of the notes text: quotes, escapes, brackets and commas.
const TRICKY = ['普通进展', 'a "quoted" },{ "at": "x" }', 'back\\slash\\', '] , [ { } ]', '换行\n制表\t', '\u2028 \ud83d\ude00', ''];

describe('prependNote', () => {
  const note = (i: number, evidence?: boolean): Note => ({ at: `2021-09-25T02:00:${String(i % 60).padStart(2, '0')}.000Z`, by: `人${i}`, text: TRICKY[i % TRICKY.length]! + i, evidence });

  it('equals decoding, prepending, capping and encoding, for lists of every length around the cap', () => {
    for (const max of [2, 3, 20]) {
      for (let n = 0; n <= max + 3; n++) {
        const list = Array.from({ length: n }, (_, i) => note(i, i % 3 === 0 || undefined));
        const fresh = note(99, true);
        const got = prependNote(JSON.stringify(fresh), JSON.stringify(list), max);
        expect(got.dropped).toBe(JSON.stringify(list.slice(max - 1)));
        expect(got.json, `max ${max}, ${n} notes`).toBe(JSON.stringify([fresh, ...list].slice(0, max)));
      }
    }
  });

  it('a list not in compact form is decoded and encoded again', () => {
    const list = [note(1), note(2)];
    expect(prependNote(JSON.stringify(note(3)), JSON.stringify(list, null, 2), 2)).toEqual({ json: JSON.stringify([note(3), note(1)]), dropped: JSON.stringify([note(2)]) });
    expect(() => prependNote(JSON.stringify(note(3)), '[{"at":', 20)).toThrow();
  });
});

describe('prependParts: the splice a write sends instead of the list', () => {
  const note = (i: number): Note => ({ at: `2021-09-25T02:00:${String(i % 60).padStart(2, '0')}.000Z`, by: `人${i}`, text: TRICKY[i % TRICKY.length]! + i });
  // Lua's string.sub on the UTF-8 bytes of the stored text: 1-based, inclusive, -1 the last byte.
  const luaSub = (s: string, from: number, to: number) => {
    const b = Buffer.from(s);
    return b.subarray(from - 1, to === -1 ? b.length : to).toString();
  };

  it('prefix + bytes from..to of the stored text + suffix is exactly the new list, around the cap', () => {
    for (const max of [2, 3, 20]) {
      for (let n = 1; n <= max + 3; n++) {
        const stored = JSON.stringify(Array.from({ length: n }, (_, i) => note(i)));
        const p = prependParts(JSON.stringify(note(99)), stored, max);
        expect(p.splice, `max ${max}, ${n} notes`).not.toBeNull();
        const s = p.splice!;
        expect(s.prefix + luaSub(stored, s.from, s.to) + s.suffix, `max ${max}, ${n} notes`).toBe(p.json);
        expect(p.json).toBe(prependNote(JSON.stringify(note(99)), stored, max).json);
      }
    }
  });

  it('an empty or non-compact list is sent whole (no splice)', () => {
    expect(prependParts(JSON.stringify(note(1)), '[]', 20).splice).toBeNull();
    expect(prependParts(JSON.stringify(note(1)), JSON.stringify([note(2)], null, 2), 20).splice).toBeNull();
  });
});

describe('hashToItem with lazy notes', () => {
  it('reads back the same measure: notes decoded on first read, in copies and JSON, and replaceable', () => {
    const notes = [{ at: '2021-09-25T02:00:00.000Z', by: '王静', text: '已起草' }];
    const h = {
      id: 'm1', code: '1.1.1', level: 'measure', title: '措施', aspect: '1', problemId: 'p1', number: '1', kind: 'x',
      leaders: '["甲"]', departments: '["办公室"]', owners: '[]', deadline: '{"type":"longterm"}', status: '推进中',
      notes: JSON.stringify(notes), remark: '备注', extended: '1', createdAt: 'c', updatedAt: 'u', version: '4',
    };
    const eager = hashToItem(h) as Measure;
    const lazy = hashToItem(h, true) as Measure;
    expect(Object.keys(lazy)).toEqual(Object.keys(eager));
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
    expect({ ...lazy }).toEqual(eager);
    expect(lazy.notes).toBe(lazy.notes);
    lazy.notes = [];
    expect(lazy.notes).toEqual([]);
  });
});

describe.each(TARGETS)('%s Redis: notes on the write path', (target) => {
  let w: World;
  beforeAll(async () => { w = await makeWorld({ target }); });
  afterAll(async () => { await w.close(); });

  const actor = { platform: 'console', userId: 'office', name: '王静' };

  async function storedNotes(id: string): Promise<string> {
    const g = await w.open.services.ledgers.generation(w.ledgerId);
    return (await w.open.redis.hget(g.item(id), 'notes'))!;
  }

  it('a lookup for a write leaves the notes out (the measure, or the measures of a problem); the default keeps them', async () => {
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const m = doc.measures[3]!;
    await w.open.services.changes.apply(w.ledgerId, m.id, actor, randomUUID(), () => ({ action: '进展', status: '推进中', note: '已起草“制度”' }));
    const alias = aliasOf(parseCode(m.code)!);
    const full = await w.open.services.ledgers.lookup(w.ledgerId, alias);
    const bare = await w.open.services.ledgers.lookup(w.ledgerId, alias, { notes: false });
    expect((full.item as Measure).notes[0]?.text).toBe('已起草“制度”');
    expect((bare.item as Measure).notes).toEqual([]);
    expect({ ...bare.item, notes: 'x' }).toEqual({ ...full.item, notes: 'x' });
    const p = doc.problems.find((x) => x.id === m.problemId)!;
    const kids = (await w.open.services.ledgers.lookup(w.ledgerId, aliasOf(parseCode(p.code)!), { notes: false })).kids!;
    expect(kids.length).toBeGreaterThan(0);
    for (const kid of kids) expect((kid as Measure).notes).toEqual([]);
    const kidsFull = (await w.open.services.ledgers.lookup(w.ledgerId, aliasOf(parseCode(p.code)!))).kids!;
    expect(kidsFull.some((kid) => (kid as Measure).notes.length > 0)).toBe(true);
  });

  it('a splice without a version guard on its key is refused before anything is sent', async () => {
    const key = `t:{splice}:${randomUUID()}`;
    await w.open.redis.hset(key, { notes: '[{"a":1}]', version: '3' });
    const wr = emptyWrite();
    wr.hsplice = [[key, 'notes', '[{"b":2},', 2, -1, '']];
    await expect(runAtomic(w.open.redis, wr)).rejects.toThrow(/needs a version guard/);
    expect(await w.open.redis.hget(key, 'notes')).toBe('[{"a":1}]');
    wr.guards.push([key, 3]);
    expect(await runAtomic(w.open.redis, wr)).toMatchObject({ ok: true });
    expect(await w.open.redis.hget(key, 'notes')).toBe('[{"b":2},{"a":1}]');
    // A version moved since the read: CONFLICT, the stored text untouched.
    wr.guards = [[key, 2]];
    expect(await runAtomic(w.open.redis, wr)).toEqual({ ok: false, reason: 'conflict' });
    expect(await w.open.redis.hget(key, 'notes')).toBe('[{"b":2},{"a":1}]');
  });

  it('25 notes keep the latest 20; 撤销 of the 25th restores exactly the 20 stored before it', async () => {
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const id = doc.measures[0]!.id;
    const sent: Note[] = [];
    let before = '';
    for (let i = 0; i < 25; i++) {
      if (i === 24) before = await storedNotes(id);
      const text = `${TRICKY[i % TRICKY.length]}第${i}次`;
      const r = await w.open.services.changes.apply(w.ledgerId, id, actor, randomUUID(), () => ({ action: '进展', status: '推进中', note: text, evidence: i % 4 === 0 }));
      if (r === 'duplicate') throw new Error('duplicate');
      sent.unshift({ at: r.after.updatedAt, by: actor.name, text, ...(i % 4 === 0 ? { evidence: true } : {}) });
      expect(r.after.notes).toEqual(sent.slice(0, 20));
      expect(r.before.notes.length).toBe(Math.min(i, 20));
    }
    const stored = JSON.parse(await storedNotes(id)) as Note[];
    expect(stored).toEqual(sent.slice(0, 20));
    expect(JSON.parse(before)).toEqual(sent.slice(1, 21));

    const rec = JSON.parse((await w.open.redis.get(k.undo(w.ledgerId, actor.platform, actor.userId)))!) as { before: Record<string, unknown> };
    expect(rec.before.notesEdit).toEqual({ added: 1, dropped: [sent[20]] });
    expect(rec.before.notes).toBeUndefined();
    const u = await w.open.services.changes.undo(w.ledgerId, actor, randomUUID());
    expect(await storedNotes(id)).toBe(before);
    expect(u.after.notes).toEqual(sent.slice(1, 21));
    expect(((await w.open.services.ledgers.getItem(w.ledgerId, id)) as Measure).notes).toEqual(sent.slice(1, 21));
  });

  it('the undo record holds how the notes changed, not a copy of them; 撤销 of a change without a note keeps them', async () => {
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const id = doc.measures[2]!.id;
    for (let i = 0; i < 3; i++) await w.open.services.changes.apply(w.ledgerId, id, actor, randomUUID(), () => ({ action: '进展', status: '推进中', note: `备注${i}` }));
    const before = await storedNotes(id);
    const r = await w.open.services.changes.apply(w.ledgerId, id, actor, randomUUID(), () => ({ action: '完成', status: '基本完成' }));
    if (r === 'duplicate') throw new Error('duplicate');
    expect(await storedNotes(id)).toBe(before);
    const rec = JSON.parse((await w.open.redis.get(k.undo(w.ledgerId, actor.platform, actor.userId)))!) as { before: Record<string, unknown> };
    expect(rec.before).toEqual({ status: '推进中', deadline: r.before.deadline, notesEdit: { added: 0, dropped: [] } });
    const u = await w.open.services.changes.undo(w.ledgerId, actor, randomUUID());
    expect(u.after.status).toBe('推进中');
    expect(await storedNotes(id)).toBe(before);
  });

  it('an undo record written before notes were kept as text (notes in the middle of before) is still undone', async () => {
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const id = doc.measures[1]!.id;
    const r = await w.open.services.changes.apply(w.ledgerId, id, actor, randomUUID(), () => ({ action: '进展', status: '基本完成', note: '旧格式' }));
    if (r === 'duplicate') throw new Error('duplicate');
    const b = r.before;
    const old = {
      itemId: b.id, code: b.code, afterVersion: r.after.version, gen: (await w.open.services.ledgers.generation(w.ledgerId)).gen,
      messageId: 'm-old', at: r.after.updatedAt,
      before: { status: b.status, deadline: b.deadline, notes: b.notes, extension: b.extension, extended: b.extended },
    };
    await w.open.redis.set(k.undo(w.ledgerId, actor.platform, actor.userId), JSON.stringify(old), 'EX', 600);
    const u = await w.open.services.changes.undo(w.ledgerId, actor, randomUUID());
    expect(u.undone?.messageId).toBe('m-old');
    const now = (await w.open.services.ledgers.getItem(w.ledgerId, id)) as Measure;
    expect(now.status).toBe(b.status);
    expect(now.notes).toEqual(b.notes);
    expect(now.deadline).toEqual(b.deadline);
  });
});
