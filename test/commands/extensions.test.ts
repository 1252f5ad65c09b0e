import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../helpers/world.js';
import type { Measure } from '../../src/ledger/types.js';
import { statusReport } from '../../src/commands/status-report.js';
import { countAll } from '../../src/ledger/counters.js';
import { buildDigestModel } from '../../src/schedule/digest-model.js';
import { renderDigest } from '../../src/schedule/digest-render.js';

let w: World;
beforeAll(async () => { w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' }); });
afterAll(async () => { await w.close(); });

const say = (who: string, msg: string) => w.say(who, msg);
const text = async (who: string, msg: string) => (await say(who, msg))?.text ?? '';
const item = async () => (await w.open.services.ledgers.getItem(w.ledgerId, '2.1.1')) as Measure;
const status = () => statusReport(w.open.services, w.ledgerId, '2021-09-25');
const consistent = async () => {
  const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
  // A counter that went back to zero stays in the hash as 0; compare the non-zero figures.
  const nonZero = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0));
  expect(nonZero(await w.open.services.ledgers.counters(w.ledgerId))).toEqual(nonZero(countAll(doc.problems, doc.measures)));
};

describe('申请延期 through the console pipeline', () => {
  it('an owner requests; the office is @-mentioned; 待审批, status JSON and the digest show it', async () => {
    const r = await say('owner', '延期 二.1.1 2021年10月31日 任职手续需报市委组织部审批');
    expect(r?.text).toContain('已提交延期申请：二.1.1 现有时限 2021年9月30日，申请延至 2021年10月31日');
    expect(r?.mentions.map((m) => m.userId)).toContain('office');
    expect((await item()).extension).toMatchObject({ date: '2021-10-31', by: '陈敏' });
    expect((await item()).deadline).toEqual({ type: 'date', date: '2021-09-30' });
    const list = await text('viewer', '待审批');
    expect(list).toContain('待审批的延期申请（1项）');
    expect(list).toContain('二.1.1');
    expect(list).toContain('2021年9月30日 → 2021年10月31日｜陈敏：任职手续需报市委组织部审批');
    expect(await status()).toMatchObject({ extensionsPending: 1, extended: 0 });
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const model = buildDigestModel(doc, [], new Date('2021-09-20T00:00:00Z'), new Date('2021-09-25T02:00:00Z'));
    expect(model.counts).toMatchObject({ extensionsPending: 1 });
    const digest = renderDigest(doc.ledger, model).text;
    expect(digest).toContain('申请延期待审批 1 项：二.1.1');
    expect(digest).toContain('申请延期整改1个');
    expect(await text('owner', '延期 二.1.1 2021年11月30日 再申请一次')).toContain('已有一项延期申请');
    await consistent();
  });

  it('only the office decides; approval moves the deadline and keeps the old one in the history', async () => {
    expect(await text('owner', '同意延期 二.1.1')).toContain('仅限整改办');
    expect(await text('office', '同意延期 二.1.1 情况属实')).toContain('整改时限 2021年9月30日 → 2021年10月31日');
    const m = await item();
    expect(m.deadline).toEqual({ type: 'date', date: '2021-10-31' });
    expect(m.extension).toBeUndefined();
    expect(m.extended).toBe(1);
    expect(await status()).toMatchObject({ extensionsPending: 0, extended: 1 });
    const h = await w.open.services.ledgers.history(w.ledgerId, '2.1.1');
    expect(h.map((e) => [e.action, e.actor.name])).toEqual([['申请延期', '陈敏'], ['同意延期', '王静']]);
    expect(h[1].note).toBe('同意延期：2021年9月30日 → 2021年10月31日；情况属实');
    expect(await text('supervisor', '历史 二.1.1')).toContain('同意延期');
    await consistent();
  });

  it('a refusal keeps the deadline; undo withdraws a request; bad requests are refused', async () => {
    expect(await text('owner', '延期 二.1.1 2021年12月31日 需等待审计结论')).toContain('申请延至 2021年12月31日');
    expect(await text('office', '不同意延期 二.1.1')).toContain('请在编号后写上不同意的原因');
    expect(await text('office', '不同意延期 二.1.1 应按期完成')).toContain('整改时限仍为 2021年10月31日');
    expect((await item()).extension).toBeUndefined();
    expect(await text('office', '同意延期 二.1.1')).toContain('没有待审批的延期申请');
    expect(await text('owner', '延期 二.1.1 2021年9月1日 太晚了')).toContain('应晚于今天');
    expect(await text('owner', '延期 二.1.1 2021年10月20日 提前')).toContain('应晚于现有时限');
    expect(await text('owner', '延期 一.3.1 2021年12月31日 试试')).toContain('不是您负责的事项');
    expect(await text('office', '延期 一.3.1 2021年12月31日 试试')).toContain('无需申请延期');
    expect(await text('owner', '延期 二.1.1 2021年11月30日 材料待补')).toContain('已提交延期申请');
    expect(await status()).toMatchObject({ extensionsPending: 1 });
    expect(await text('owner', '撤销')).toContain('已撤销');
    expect((await item()).extension).toBeUndefined();
    expect(await status()).toMatchObject({ extensionsPending: 0, extended: 1 });
    expect(await text('viewer', '待审批')).toContain('目前没有待审批的延期申请');
    await consistent();
  });
});

describe('extensions in the JSON export', () => {
  it('a pending request and the extension count survive export → import', async () => {
    const { exportLedgerJson } = await import('../../src/reports/ledger-export.js');
    const { parseLedgerJson } = await import('../../src/reports/ledger-import.js');
    const { buildDemoDoc } = await import('../../src/ledger/demo.js');
    const doc = buildDemoDoc('x1');
    doc.measures[9] = { ...doc.measures[9], extension: { date: '2021-10-31', reason: '待审批', by: '陈敏', at: '2021-09-25T02:00:00.000Z' }, extended: 1 };
    const r = parseLedgerJson(exportLedgerJson(doc), { ledgerId: 'x1' });
    expect(r.ok && r.doc.measures[9]).toMatchObject({ extension: { date: '2021-10-31', by: '陈敏' }, extended: 1 });
  });
});
