import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../helpers/world.js';
import type { Measure } from '../../src/ledger/types.js';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' });
  // 二.2.2 back to 推进中, so the phrases below start from an open measure.
  expect((await w.say('office', '退回 二.2.2 缺少佐证材料'))?.text).toContain('已完成 → 推进中');
});
afterAll(async () => { await w.close(); });

const text = async (who: string, msg: string) => (await w.say(who, msg))?.text ?? '';
const item = async (id: string) => (await w.open.services.ledgers.getItem(w.ledgerId, id)) as Measure;
const historyLength = async (id: string) => (await w.open.services.ledgers.history(w.ledgerId, id)).length;

describe('chat writes read status by meaning', () => {
  it('"完成一半" and "已完成80%" record progress with the percentage, never completion', async () => {
    const t = await text('office', '二.2.2 完成一半，已起草台账模板');
    expect(t).toContain('已记录进展');
    expect(t).toContain('说明：完成一半，已起草台账模板');
    expect((await item('2.2.2')).status).toBe('推进中');
    expect(await text('office', '二.2.2 已完成80%')).toContain('已记录进展');
    const m = await item('2.2.2');
    expect(m.status).toBe('推进中');
    expect(m.notes[0].text).toBe('已完成80%');
  });

  it('"尚未完成" is progress; "已经基本完成了" moves to 基本完成, not 待销号', async () => {
    expect(await text('office', '二.2.2 尚未完成，模板已起草')).toContain('已记录进展');
    expect((await item('2.2.2')).status).toBe('推进中');
    expect(await text('office', '二.2.2 已经基本完成了')).toContain('推进中 → 基本完成');
  });

  it('questions and unclear statements write nothing; the unclear one gets both readings back', async () => {
    const before = await historyLength('2.2.2');
    expect(await text('viewer', '二.2.2怎么样？')).toContain('责任领导：李程');
    expect(await text('viewer', '看一下二.2.2')).toContain('责任领导：李程');
    expect(await text('viewer', '查看 二.2。2')).toContain('责任领导：李程');
    expect(await text('office', '二.2.2进展如何')).toContain('责任领导：李程');
    const ask = await text('office', '二.2.2 差不多完成了');
    expect(ask).toContain('是指“基本完成”还是“已完成”');
    expect(ask).toContain('如为已完成，请发送：完成 二.2.2');
    expect(await historyLength('2.2.2')).toBe(before);
    expect((await item('2.2.2')).status).toBe('基本完成');
  });

  it('an explicit 完成 with a partial note is refused with the 进展 command to send', async () => {
    const t = await text('office', '完成 二.2.2 完成一半');
    expect(t).toContain('未作完成登记');
    expect(t).toContain('进展 二.2.2 完成一半');
    expect((await item('2.2.2')).status).toBe('基本完成');
  });

  it('"完成，待验收" goes to the office for review', async () => {
    expect(await text('office', '二.2.2：完成，待验收')).toContain('基本完成 → 待销号');
  });
});
