import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../helpers/world.js';
import type { Measure } from '../../src/ledger/types.js';

let w: World;
beforeAll(async () => { w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' }); });
afterAll(async () => { await w.close(); });
const text = async (who: string, msg: string) => (await w.say(who, msg))?.text ?? '';

describe('wording', () => {
  it('the refusal names the command after the sentence', async () => {
    expect(await text('viewer', '进展 二.1.1 试试')).toContain('您当前的身份无权使用“进展”。');
    expect(await text('owner', '销号 二.1.1')).toContain('“销号”仅限整改办使用。');
  });

  it('改期 to a past date asks for confirmation first', async () => {
    const ask = await text('office', '改期 二.1.1 2021年9月1日 按实际办结时间调整');
    expect(ask).toContain('早于今天（2021年9月25日）');
    expect(ask).toContain('改期 二.1.1 2021年9月1日 确认 按实际办结时间调整');
    expect(((await w.open.services.ledgers.getItem(w.ledgerId, '2.1.1')) as Measure).deadline).toEqual({ type: 'date', date: '2021-09-30' });
    const ok = await text('office', '改期 二.1.1 2021年9月1日 确认 按实际办结时间调整');
    expect(ok).toContain('新时限：2021年9月1日；原因：按实际办结时间调整');
  });

  it('临期 beyond the yellow window is not headed yellow', async () => {
    expect(await text('viewer', '临期')).toContain('🟡 10天内到期');
    expect(await text('viewer', '临期 30')).toContain('📅 30天内到期');
    expect(await text('viewer', '临期 30 政治部')).toContain('📅 政治部30天内到期的事项');
  });
});

describe('help speaks the ledger in use', () => {
  it('examples use a real open measure, its department and leader; one colon per line', async () => {
    const t = await text('owner', '帮助');
    // 二.1.1 (政治部, 杜波) is the demo's only open measure.
    expect(t).toContain('进展 二.1.1 已起草制度初稿');
    expect(t).toContain('领导 杜波');
    expect(t).toContain('“二.1.1 已完成，制度已印发”');
    for (const l of t.split('\n').filter((x) => x.startsWith('- '))) expect(l, l).not.toMatch(/如：[^（）]*：/);
    expect(await text('owner', '帮助 进展')).toContain('用法：进展 <编号> <说明>，如：进展 二.1.1 已起草制度初稿');
  });
});
