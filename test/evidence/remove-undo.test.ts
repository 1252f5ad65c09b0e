import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from '../helpers/world.js';
import { openEvidenceChat, type EvidenceChat } from './chat-world.js';
import type { EvidenceService } from '../../src/evidence/service.js';
import type { Measure } from '../../src/ledger/types.js';
import { DashboardStore } from '../../src/store/dashboard-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { route } from '../../src/commands/router.js';
import { PDF_MIN, PNG_1X1 } from './samples.js';

const owner = { platform: 'console', userId: 'owner', name: '陈敏' };
const leader = { platform: 'console', userId: 'leader', name: '罗拥军' };
const png = (tag: string) => Buffer.concat([PNG_1X1, Buffer.from(tag)]);

/** Stable 序号, soft removal undone by 撤销, the uploader's withdrawal, 佐证 <编号>, sensitive ledgers in chat. */
describe('佐证材料: stable numbers, 撤销 of a removal, withdrawal, 佐证 <编号>', () => {
  let w: World;
  let ev: EvidenceService;
  let redis: RedisClient;
  let seq = 0;
  let chat: EvidenceChat;
  beforeAll(async () => {
    chat = await openEvidenceChat('rb-evu-');
    ({ w, ev, redis } = chat);
  });
  afterAll(() => chat.close());

  const text = (who: string, t: string) => chat.text(who, t);
  const files = () => chat.files();
  const measure = async (code: string) => {
    const doc = await w.open.services.ledgers.loadDoc(w.ledgerId);
    return doc!.measures.find((m) => m.code === code) as Measure;
  };
  const attach = async (m: Measure, name: string, bytes: Buffer, actor = owner) => {
    const r = await ev.attachEvidence({ ledgerId: w.ledgerId, itemId: m.id, file: { bytes, name }, actor, messageId: `u${++seq}` });
    if (!r.ok) throw new Error(r.reason);
    return r.record;
  };
  const actions = async (m: Measure) => (await w.open.services.ledgers.history(w.ledgerId, m.id)).map((e) => e.action);

  it('a repeated 删除佐证 line answers that the file is gone instead of deleting the next; 撤销 restores it with its number and bytes', async () => {
    const m = await measure('二.1.1');
    await attach(m, '现场照片.png', png('a'));
    await attach(m, '整改报告.pdf', PDF_MIN);
    await attach(m, '会议记录.png', png('c'));
    expect(await files()).toBe(3);

    const first = await text('office', `删除佐证 ${m.code} 1`);
    expect(first).toContain('第1份：现场照片.png');
    const again = await text('office', `删除佐证 ${m.code} 1`);
    expect(again).toContain('第1份已删除');
    expect(again).not.toContain('已删除 二.1.1 的佐证材料');
    expect((await ev.list(w.ledgerId, m.id)).map((r) => r.n)).toEqual([2, 3]);
    expect(await text('viewer', `查看 ${m.code}`)).toMatch(/第2份 整改报告\.pdf[\s\S]*第3份 会议记录\.png/);
    expect(await files()).toBe(3);

    const undone = await text('office', '撤销');
    expect(undone).toContain('已撤销删除');
    expect(undone).toContain('第1份：现场照片.png');
    expect((await ev.list(w.ledgerId, m.id)).map((r) => [r.n, r.name])).toEqual([[1, '现场照片.png'], [2, '整改报告.pdf'], [3, '会议记录.png']]);
    expect(await ev.removed(w.ledgerId, m.id)).toEqual([]);
    const restored = (await ev.list(w.ledgerId, m.id))[0]!;
    expect(await ev.bytes(restored)).toEqual(png('a'));
    // Audit events stay: the removal and the restore are both in the history; nothing else to undo.
    expect(await actions(m)).toEqual(['佐证', '佐证', '佐证', '删除佐证', '恢复佐证']);
    expect(await text('office', '撤销')).toContain('没有可撤销的操作');
    // A file attached later gets the next number, never a reused one.
    await text('office', `删除佐证 ${m.code} 3`);
    const d = await attach(m, '补充.png', png('d'));
    expect(d.n).toBe(4);
  });

  it('accepts “删除 佐证”, several numbers, 最后一份 and a file name', async () => {
    const m = await measure('二.1.2');
    for (const [i, name] of ['甲.png', '乙.png', '丙.png', '丁.png', '现场照片.png'].entries()) await attach(m, name, png(`n${i}`));
    expect(await text('office', `删除 佐证 ${m.code} 1`)).toContain('第1份：甲.png');
    const two = await text('office', `删除佐证 ${m.code} 2 3`);
    expect(two).toContain('第2份：乙.png');
    expect(two).toContain('第3份：丙.png');
    expect(await text('office', `删除佐证 ${m.code} 最后一份`)).toContain('第5份：现场照片.png');
    expect(await text('office', `删除佐证 ${m.code} 丁.png`)).toContain('第4份：丁.png');
    expect(await ev.list(w.ledgerId, m.id)).toEqual([]);
    expect((await ev.removed(w.ledgerId, m.id)).map((r) => r.n)).toEqual([1, 2, 3, 4, 5]);
    // 撤销 takes back the last removal only (丁.png).
    expect(await text('office', '撤销')).toContain('丁.png');
    expect((await ev.list(w.ledgerId, m.id)).map((r) => r.n)).toEqual([4]);
  });

  it('a keyword in two words wins over its first word (撤回 佐证 is not 撤销; 取消 订阅 is 退订)', async () => {
    const name = (t: string) => { const r = route(t); return r.kind === 'command' ? r.spec.name : r.kind; };
    expect(name('撤回 佐证 3.2 1')).toBe('删除佐证');
    expect(name('删除 佐证 3.2 1')).toBe('删除佐证');
    expect(name('查看 佐证 3.2')).toBe('佐证');
    expect(name('取消 订阅')).toBe('退订');
    expect(name('撤回')).toBe('撤销');
    expect(name('查看 3.2')).toBe('查看');
    expect(name('逾期 政治部')).toBe('逾期');
    // In chat: the leader's own file is withdrawn, and the leader's last report is not undone.
    const m = await measure('二.3.1');
    await text('leader', `进展 ${m.code} 已整改`);
    const f = await attach(m, '两个词.png', png('two'), leader);
    const r = await text('leader', `撤回 佐证 ${m.code} ${f.n}`);
    expect(r).toContain(`第${f.n}份：两个词.png`);
    expect(await actions(m)).toEqual(['进展', '佐证', '删除佐证']);
    expect(await text('viewer', '查看 佐证')).toContain('佐证材料怎么发、怎么看');
  });

  it('the uploader withdraws their own file the same day; not another’s, not a day later, not after 销号', async () => {
    const m = await measure('二.2.1');
    await attach(m, '负责人照片.png', png('w1'), leader);
    await attach(m, '他人的.png', png('w2'), owner);
    expect(await text('leader', `撤回佐证 ${m.code} 2`)).toContain('不是您今天上传的');
    const ok = await text('leader', `撤回佐证 ${m.code} 1`);
    expect(ok).toContain('第1份：负责人照片.png');
    expect((await ev.list(w.ledgerId, m.id)).map((r) => r.n)).toEqual([2]);
    expect(await text('leader', '撤销')).toContain('已撤销删除');
    expect((await ev.list(w.ledgerId, m.id)).map((r) => r.n)).toEqual([1, 2]);
    w.clock.advance(24 * 3600_000);
    expect(await text('leader', `撤回佐证 ${m.code} 1`)).toContain('不是您今天上传的');
    const late = await attach(m, '今天的.png', png('w3'), leader);
    await w.open.services.changes.apply(w.ledgerId, m.id, { platform: 'console', userId: 'office', name: '王静' }, 'strike-w', () => ({ action: '销号', status: '已销号', note: '审核通过' }));
    expect(await text('leader', `撤回佐证 ${m.code} ${late.n}`)).toContain('已销号');
    expect(await ev.list(w.ledgerId, m.id)).toHaveLength(3);
  });

  it('佐证 <编号> and 查看 <编号> 佐证 list the evidence read-only; a bare 佐证 explains how to send and view', async () => {
    const m = await measure('二.1.1');
    const list = await text('viewer', `佐证 ${m.code}`);
    expect(list).toContain('佐证材料');
    expect(list).toMatch(/第1份 现场照片\.png（图片，\d+ B）陈敏/);
    expect(list).not.toContain('您是不是想用');
    expect(await text('viewer', `查看 ${m.code} 佐证`)).toMatch(/第2份 整改报告\.pdf/);
    const help = await text('owner', '佐证');
    expect(help).toContain('附上图片、PDF、Word 或 Excel 文件');
    expect(help).toContain('佐证 3.2');
    expect(help).not.toContain('您是不是想用');
    expect(await text('viewer', `佐证 一.1.1`)).toContain('还没有佐证材料');
    expect((await ev.list(w.ledgerId, m.id)).length).toBe(3);
  });

  it('a sensitive ledger hides file names and uploaders from viewers in chat, as on the dashboard', async () => {
    const m = await measure('二.1.1');
    const flags = new DashboardStore(redis);
    await text('office', `完成 ${m.code} 材料齐全已归档`);
    await flags.setSensitive(w.ledgerId, true);
    try {
      expect(await text('viewer', `查看 ${m.code}`)).not.toContain('材料齐全已归档');
      expect(await text('supervisor', `查看 ${m.code}`)).toContain('王静（完成说明）：材料齐全已归档');
      for (const t of [`查看 ${m.code}`, `佐证 ${m.code}`]) {
        const v = await text('viewer', t);
        expect(v).toContain('敏感台账');
        expect(v).not.toContain('现场照片.png');
        expect(v).not.toContain('陈敏 ');
      }
      expect(await text('supervisor', `查看 ${m.code}`)).toContain('第1份 现场照片.png');
      expect(await text('office', `佐证 ${m.code}`)).toContain('第1份 现场照片.png');
    } finally {
      await flags.setSensitive(w.ledgerId, false);
    }
    expect(await text('viewer', `查看 ${m.code}`)).toContain('第1份 现场照片.png');
  });
});
