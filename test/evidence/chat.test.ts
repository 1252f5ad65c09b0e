import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from '../helpers/world.js';
import { openEvidenceChat, type EvidenceChat } from './chat-world.js';
import type { EvidenceService } from '../../src/evidence/service.js';
import { parseRemoval } from '../../src/commands/evidence-remove.js';
import { PDF_MIN, PNG_1X1 } from './samples.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';

const owner = { platform: 'console', userId: 'owner', name: '陈敏' };

describe('佐证材料 in chat: 查看, 历史 and the office’s 删除佐证', () => {
  let w: World;
  let ev: EvidenceService;
  let chat: EvidenceChat;
  beforeAll(async () => {
    chat = await openEvidenceChat('rb-evc-');
    ({ w, ev } = chat);
  });
  afterAll(() => chat.close());

  const text = (who: string, t: string) => chat.text(who, t);
  const files = () => chat.files();

  it('reads removal phrases forgivingly: numbers, several numbers, the last one, a file name', () => {
    expect(parseRemoval('3.2 1')).toEqual({ code: '3.2', refs: [{ n: 1 }] });
    expect(parseRemoval('二.1.1 第二份')).toEqual({ code: '二.1.1', refs: [{ n: 2 }] });
    expect(parseRemoval('3.2，第3个')).toEqual({ code: '3.2', refs: [{ n: 3 }] });
    expect(parseRemoval('3.2第十张')).toEqual({ code: '3.2', refs: [{ n: 10 }] });
    expect(parseRemoval('3.2   两')).toEqual({ code: '3.2', refs: [{ n: 2 }] });
    expect(parseRemoval('二.1.1 1 2')).toEqual({ code: '二.1.1', refs: [{ n: 1 }, { n: 2 }] });
    expect(parseRemoval('二.1.1 第1份、第3份和5')).toEqual({ code: '二.1.1', refs: [{ n: 1 }, { n: 3 }, { n: 5 }] });
    expect(parseRemoval('二.1.1 最后一份')).toEqual({ code: '二.1.1', refs: [{ last: true }] });
    expect(parseRemoval('二.1.1最后一个')).toEqual({ code: '二.1.1', refs: [{ last: true }] });
    expect(parseRemoval('二.1.1 现场照片.png')).toEqual({ code: '二.1.1', refs: [{ name: '现场照片.png' }] });
    expect(parseRemoval('二.1.1 “整改报告 第1版.pdf”')).toEqual({ code: '二.1.1', refs: [{ name: '整改报告 第1版.pdf' }] });
    expect(parseRemoval('3.2')).toHaveProperty('error');
    expect(parseRemoval('')).toHaveProperty('error');
    expect(parseRemoval('3.2 0')).toHaveProperty('error');
  });

  it('lists evidence under 查看 and 佐证 events under 历史; only the office removes, with an audit event', async () => {
    const L = w.ledgerId;
    const m = (await w.open.services.ledgers.getItem(L, '2.1.1'))!;
    const a = await ev.attachEvidence({ ledgerId: L, itemId: m.id, file: { bytes: PNG_1X1, name: '现场照片.png' }, actor: owner, messageId: 'c1' });
    w.clock.advance(60_000);
    const b = await ev.attachEvidence({ ledgerId: L, itemId: m.id, file: { bytes: PDF_MIN, name: '整改报告.pdf' }, actor: owner, messageId: 'c2' });
    expect(a.ok && b.ok).toBe(true);

    const view = await text('viewer', `查看 ${m.code}`);
    expect(view).toContain('佐证材料（2份）');
    expect(view).toMatch(/第1份 现场照片\.png（图片，70 B）陈敏/);
    expect(view).toMatch(/第2份 整改报告\.pdf（PDF，\d+ B）陈敏/);

    // A viewer may not remove; a leader may not remove another's file: clear refusals, nothing changes.
    expect(await text('viewer', `删除佐证 ${m.code} 1`)).toContain('无权使用');
    expect(await text('leader', `删除佐证 ${m.code} 1`)).toContain('不是您今天上传的');
    expect(await ev.list(L, m.id)).toHaveLength(2);
    expect(await files()).toBe(2);

    // A miss gets help; an out-of-range number says how many there are.
    expect(await text('office', `删除佐证 ${m.code}`)).toContain('用法：删除佐证');
    expect(await text('office', `删除佐证 ${m.code} 3`)).toContain('没有第3份佐证材料（现有序号：1、2）');
    expect(await ev.list(L, m.id)).toHaveLength(2);

    // Full-width code and a Chinese ordinal.
    const fw = m.code.replace(/\./g, '．').replace(/1/g, '１');
    const ok = await text('office', `删除佐证　${fw}　第一份`);
    expect(ok).toContain('已删除');
    expect(ok).toContain('现场照片.png');
    const left = await ev.list(L, m.id);
    expect(left.map((r) => [r.n, r.name])).toEqual([[2, '整改报告.pdf']]);
    // Soft delete: the record is kept as removed (who, when), the bytes stay.
    expect(await files()).toBe(2);
    const gone = await ev.removed(L, m.id);
    expect(gone).toMatchObject([{ n: 1, name: '现场照片.png', removed: { by: { userId: 'office', name: '王静' } } }]);
    if (a.ok) expect(await ev.bytes(a.record)).toEqual(PNG_1X1);

    const hist = await w.open.services.ledgers.history(L, m.id);
    expect(hist.map((e) => e.action)).toEqual(['佐证', '佐证', '删除佐证']);
    expect(hist[2]).toMatchObject({ actor: { platform: 'console', userId: 'office', name: '王静' } });
    expect(hist[2].note).toContain('现场照片.png');
    const h = await text('office', `历史 ${m.code}`);
    expect(h).toMatch(/陈敏 佐证.*现场照片\.png/);
    expect(h).toMatch(/王静 删除佐证.*现场照片\.png/);
    const after = await text('office', `查看 ${m.code}`);
    expect(after).toContain('佐证材料（1份）');
    expect(after).toContain('第2份 整改报告.pdf');
    // 查看 read them with the measure, in the lookup's own script: the same records as a separate read.
    const hit = await w.open.services.ledgers.lookup(L, aliasOf(parseCode(m.code)!), { evidence: true });
    expect(hit.evidence?.gone).toBe(1);
    expect(Object.keys(hit.evidence?.records ?? {})).toHaveLength(1);
    expect(await ev.list(L, m.id, hit.evidence)).toEqual(await ev.list(L, m.id));
    // Not asked for: not read.
    expect((await w.open.services.ledgers.lookup(L, aliasOf(parseCode(m.code)!))).evidence).toBeUndefined();
  });

  it('the help lists 删除佐证 for those who may send files (the uploader withdraws their own), not for viewers', async () => {
    const office = await text('office', '帮助');
    expect(office).toContain('删除佐证');
    expect(office).toContain('佐证材料：报告“进展”或“完成”时附上图片');
    expect(await text('owner', '帮助')).toContain('上传人当天、销号前可撤回自己上传的');
    expect(await text('viewer', '帮助')).not.toContain('删除佐证');
  });
});
