import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { rollUp } from '../../src/ledger/status.js';
import type { Deadline, Measure, Status } from '../../src/ledger/types.js';
import { makeWorld, type World } from '../helpers/world.js';

/**
 * Roles × write commands, judged by what lands in Redis rather than by the reply
 * wording: an allowed write appends exactly one audit event (by that speaker, for
 * that item, from that message) and changes the item; a refused one appends none
 * and leaves the item exactly as it was.
 *
 * MINE (一.2.1) names 罗拥军 (leader) and 陈敏 (owner); OTHERS (一.1.3) names
 * neither and is not 政治部's, so only the office may write it.
 */
const MINE = '一.2.1';
const OTHERS = '一.1.3';
const PERSONAS = ['office', 'leader', 'owner', 'supervisor', 'viewer', 'stranger'] as const;
type Persona = (typeof PERSONAS)[number];

interface Case {
  command: string;
  /** The target's status (and deadline) before the command. */
  status: Status;
  deadline?: Deadline;
  text: (code: string) => string;
  /** Who may run it on MINE and on OTHERS. */
  mine: Persona[];
  others: Persona[];
  /** What an allowed run must have changed. */
  changed: (before: Measure, after: Measure) => void;
  /** 撤销 needs a change of the speaker's own first. */
  prepare?: (code: string) => string;
}

const OWNERS: Persona[] = ['office', 'leader', 'owner'];
const OFFICE: Persona[] = ['office'];

const CASES: Case[] = [
  {
    command: '进展', status: '未启动', text: (c) => `进展 ${c} 已起草制度初稿`, mine: OWNERS, others: OFFICE,
    changed: (b, a) => { expect(a.status).toBe('推进中'); expect(a.notes.length).toBe(b.notes.length + 1); },
  },
  {
    command: '完成', status: '推进中', text: (c) => `完成 ${c} 制度已印发`, mine: OWNERS, others: OFFICE,
    changed: (_b, a) => expect(a.status).toBe('待销号'),
  },
  {
    command: '销号', status: '待销号', text: (c) => `销号 ${c} 材料齐全`, mine: OFFICE, others: OFFICE,
    changed: (_b, a) => expect(a.status).toBe('已销号'),
  },
  {
    command: '退回', status: '待销号', text: (c) => `退回 ${c} 缺少佐证材料`, mine: OFFICE, others: OFFICE,
    changed: (_b, a) => expect(a.status).toBe('推进中'),
  },
  {
    command: '改期', status: '推进中', deadline: { type: 'date', date: '2021-09-30' },
    text: (c) => `改期 ${c} 2021年12月31日 需上级审批`, mine: OFFICE, others: OFFICE,
    changed: (_b, a) => expect(a.deadline).toEqual({ type: 'date', date: '2021-12-31' }),
  },
  {
    // The speaker's own 进展 first (refused for those who may not write the item), then 撤销.
    command: '撤销', status: '未启动', prepare: (c) => `进展 ${c} 已起草`, text: () => '撤销', mine: OWNERS, others: OFFICE,
    changed: (_b, a) => expect(a.status).toBe('未启动'),
  },
];

/** A fresh world whose two targets start in the state the command needs. */
async function worldFor(c: Case): Promise<World> {
  const w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' });
  const doc = buildDemoDoc(w.ledgerId);
  for (const m of doc.measures) {
    if (m.code !== MINE && m.code !== OTHERS) continue;
    m.status = c.status;
    if (c.deadline) m.deadline = c.deadline;
  }
  for (const p of doc.problems) p.status = rollUp(doc.measures.filter((m) => m.problemId === p.id).map((m) => m.status));
  await w.open.services.ledgers.saveDoc(doc);
  return w;
}

async function measure(w: World, code: string): Promise<Measure> {
  const id = buildDemoDoc(w.ledgerId).measures.find((m) => m.code === code)!.id;
  const item = await w.open.services.ledgers.getItem(w.ledgerId, id);
  if (!item || item.level !== 'measure') throw new Error(`no measure ${code}`);
  return item;
}

const rows = CASES.flatMap((c) => PERSONAS.flatMap((who) => [MINE, OTHERS].map((code) => {
  const allowed = (code === MINE ? c.mine : c.others).includes(who);
  return [c.command, who, code, allowed, c] as const;
})));

describe('permission matrix, judged by the audit stream and the item', () => {
  it('covers every role on every write command, with both outcomes present', () => {
    expect(rows.length).toBe(CASES.length * PERSONAS.length * 2);
    expect(rows.filter((r) => r[3]).length).toBe(3 * 4 + 3 * 2); // 进展/完成/撤销: 3+1 each; 销号/退回/改期: 1+1 each
  });

  it.each(rows)('%s by %s on %s → allowed=%s', async (command, who, code, allowed, c) => {
    const w = await worldFor(c);
    try {
      if (c.prepare) await w.say(who, c.prepare(code));
      const before = await measure(w, code);
      const eventsBefore = await w.open.services.ledgers.events(w.ledgerId);
      const messageId = randomUUID();
      const r = await w.say(who, c.text(code), { messageId });
      const eventsAfter = await w.open.services.ledgers.events(w.ledgerId);
      const after = await measure(w, code);
      if (allowed) {
        expect(eventsAfter.length, r?.text).toBe(eventsBefore.length + 1);
        const ev = eventsAfter[eventsAfter.length - 1];
        expect(ev).toMatchObject({ itemId: before.id, code, messageId, actor: { platform: 'console', userId: who } });
        expect(ev.action).toContain(command);
        expect(ev.from).toBe(before.status);
        expect(ev.to).toBe(after.status);
        expect(after.version).toBeGreaterThan(before.version);
        c.changed(before, after);
      } else {
        expect(eventsAfter.length, r?.text).toBe(eventsBefore.length);
        expect(after).toEqual(before);
        expect(r!.text).toMatch(/无权|仅限整改办|不是您负责的|只读身份|没有可撤销/);
      }
    } finally {
      await w.close();
    }
  });

});
