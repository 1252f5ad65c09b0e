import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../helpers/world.js';

let w: World;
beforeAll(async () => { w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' }); });
afterAll(async () => { await w.close(); });
const text = async (who: string, msg: string) => (await w.say(who, msg))?.text ?? '';

describe('deadline truth in chat', () => {
  it('a closed item shows its state, not a green light', async () => {
    const t = await text('viewer', '查看 一.3.1');
    expect(t).toContain('状态：☑️ 已完成');
    expect(t).not.toContain('🟢');
    expect(await text('viewer', '查看 一.3')).toMatch(/☑️ 一\.3\.1 /);
  });

  it('completing after the deadline is marked 逾期完成 in 查看 and in lists', async () => {
    expect(await text('office', '退回 二.2.2 缺少凭证')).toContain('已完成 → 推进中');
    expect(await text('viewer', '查看 二.2.2')).toContain('🔴 逾期');
    expect(await text('office', '完成 二.2.2 凭证已补齐')).toContain('推进中 → 待销号');
    expect(await text('viewer', '查看 二.2.2')).toContain('状态：⏳ 待销号（逾期完成）');
    expect(await text('office', '待销号')).toMatch(/⏳ 二\.2\.2 .*｜待销号（逾期完成）｜2021年5月31日/);
    expect(await text('office', '销号 二.2.2 凭证齐全')).toContain('待销号 → 已销号');
    expect(await text('viewer', '查看 二.2.2')).toContain('状态：✅ 已销号（逾期完成）');
  });
});
