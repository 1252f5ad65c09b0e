import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { parseUsersCsv } from '../../src/reports/users-import.js';
import { makeWorld, type World } from '../helpers/world.js';

/**
 * Roles are per ledger, through the real pipeline and Redis. Two ledgers, A
 * (the world's) and B; the directory comes from a users CSV with a 台账 column:
 * an office clerk of A only, an admin, a global office who is only a viewer
 * on B, and a leader of B.
 */
let w: World;
let A: string;
let B: string;
const tag = randomUUID().slice(0, 6);
const id = (who: string) => `${who}-${tag}`;
let n = 0;

/** A console message as `who` in `chat`. */
const say = (who: string, chat: string, text: string) =>
  w.pipeline.handle({ platform: 'console', chatId: chat, chatType: 'group', messageId: `lr-${tag}-${n++}`, senderId: id(who), text });
const events = async (L: string) => (await w.open.services.ledgers.events(L)).length;
const boundTo = async (chat: string) => (await w.open.services.directory.getBinding('console', chat))?.ledgerId ?? null;

beforeAll(async () => {
  w = await makeWorld({ at: '2021-09-25T02:00:00.000Z' });
  A = w.ledgerId;
  B = `b-${tag}`;
  await w.open.services.ledgers.saveDoc(buildDemoDoc(B));
  const csv = [
    '平台,用户ID,姓名,部门,角色,台账',
    `控制台,${id('officeA')},王静,综合办公室,整改办,${A}`,
    `控制台,${id('admin')},管理员,,管理员,`,
    `控制台,${id('globalOffice')},李程,综合办公室,整改办,`,
    `控制台,${id('globalOffice')},李程,综合办公室,成员,${B}`,
    `控制台,${id('leaderB')},罗拥军,院领导,责任领导,${B}`,
  ].join('\n');
  const r = parseUsersCsv(csv);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  await w.open.services.directory.putUsers(r.users);
  await w.open.services.directory.bind({ platform: 'console', chatId: `chatB-${tag}`, ledgerId: B, channel: {}, boundAt: new Date().toISOString() });
});
afterAll(async () => { await w.close(); });

describe('office of ledger A on ledger B', () => {
  it('cannot bind a chat to B, and the refusal names no ledger it may not bind', async () => {
    const chat = `new-${tag}-1`;
    const r = await say('officeA', chat, `绑定 ${B}`);
    expect(r!.text).toContain('无法绑定');
    expect(await boundTo(chat)).toBeNull();
    // Indistinguishable from a ledger that does not exist: no oracle for ledger ids.
    const ghost = await say('officeA', chat, '绑定 no-such-ledger');
    expect(ghost!.text.replaceAll('no-such-ledger', 'X')).toBe(r!.text.replaceAll(B, 'X'));
    // It lists only what the clerk may bind (A), never B or any other ledger on the server.
    const others = (await w.open.services.ledgers.listLedgers()).filter((L) => L !== A);
    for (const L of others) expect(ghost!.text).not.toContain(L);
    expect(ghost!.text).toContain(A);
  });

  it('cannot write B: progress, deadline and close-out are refused and B gets no audit event', async () => {
    const chatB = `chatB-${tag}`;
    const before = await events(B);
    for (const t of ['进展 二.1.1 越权写入', '改期 二.1.1 2021年10月31日 越权', '完成 二.1.1 越权', '解绑']) {
      const r = await say('officeA', chatB, t);
      expect(r!.text, t).toMatch(/无权|仅限整改办|不是您负责的|只读身份/);
    }
    expect(await events(B)).toBe(before);
    expect(await boundTo(chatB)).toBe(B);
  });

  it('cannot read what B keeps for its office (历史), nor take B’s chat over', async () => {
    const chatB = `chatB-${tag}`;
    expect((await say('officeA', chatB, '历史 二.1.1'))!.text).toMatch(/无权|仅限/);
    expect((await say('officeA', chatB, `绑定 ${A} 确认`))!.text).toContain('仅限整改办');
    expect(await boundTo(chatB)).toBe(B);
  });

  it('can bind a new chat to A and write A (exactly one audit event on A, none on B)', async () => {
    const chat = `new-${tag}-2`;
    expect((await say('officeA', chat, `绑定 ${A}`))!.text).toContain('✅ 本群已绑定');
    expect(await boundTo(chat)).toBe(A);
    const [a0, b0] = [await events(A), await events(B)];
    const r = await say('officeA', chat, '进展 二.2.1 整改办推进');
    expect(r!.text).not.toMatch(/无权|仅限/);
    expect([await events(A), await events(B)]).toEqual([a0 + 1, b0]);
  });
});

describe('帮助 follows the role on this chat’s ledger', () => {
  it('office commands and “整改办” in A’s chat, read-only in B’s', async () => {
    const inA = (await say('officeA', `new-${tag}-2`, '帮助'))!.text;
    expect(inA).toContain('您在本台账的身份：整改办');
    expect(inA).toContain('销号 <编号>');
    const inB = (await say('officeA', `chatB-${tag}`, '帮助'))!.text;
    expect(inB).toContain('您在本台账的身份：成员');
    expect(inB).not.toContain('销号 <编号>');
  });
});

describe('a per-ledger row overrides the all-ledgers role', () => {
  it('a global office who is a viewer on B writes A but not B', async () => {
    const chatA = `new-${tag}-3`;
    expect((await say('globalOffice', chatA, `绑定 ${A}`))!.text).toContain('✅ 本群已绑定');
    const a0 = await events(A);
    await say('globalOffice', chatA, '进展 二.2.1 全局整改办');
    expect(await events(A)).toBe(a0 + 1);
    const b0 = await events(B);
    expect((await say('globalOffice', `chatB-${tag}`, '进展 二.2.1 在B只是成员'))!.text).toMatch(/无权|只读身份|不是您负责的/);
    expect(await events(B)).toBe(b0);
    expect((await say('globalOffice', `new-${tag}-4`, `绑定 ${B}`))!.text).toContain('无法绑定');
  });

  it('a leader of B only writes B items they lead', async () => {
    const b0 = await events(B);
    // 一.2.1 is led by 罗拥军.
    expect((await say('leaderB', `chatB-${tag}`, '进展 一.2.1 分管推进'))!.text).not.toMatch(/无权|不是您负责的/);
    expect(await events(B)).toBe(b0 + 1);
    const chatA = `new-${tag}-2`;
    const a0 = await events(A);
    expect((await say('leaderB', chatA, '进展 一.2.1 不是A的领导'))!.text).toMatch(/无权|只读身份|不是您负责的/);
    expect(await events(A)).toBe(a0);
  });
});

describe('admin and rebinding', () => {
  it('the admin may bind any ledger; rebinding a bound chat asks for confirmation first', async () => {
    const chat = `new-${tag}-5`;
    expect((await say('admin', chat, `绑定 ${B}`))!.text).toContain('✅ 本群已绑定');
    expect(await boundTo(chat)).toBe(B);
    const ask = await say('admin', chat, `绑定 ${A}`);
    expect(ask!.text).toContain(`绑定 ${A} 确认`);
    expect(await boundTo(chat)).toBe(B);
    expect((await say('admin', chat, `绑定 ${B}`))!.text).toContain('无需重复绑定');
    expect((await say('admin', chat, `绑定 ${A} 确认`))!.text).toContain('✅ 本群已绑定');
    expect(await boundTo(chat)).toBe(A);
  });

  it('the admin is office on every ledger', async () => {
    const b0 = await events(B);
    await say('admin', `chatB-${tag}`, '进展 二.2.1 管理员写入');
    expect(await events(B)).toBe(b0 + 1);
  });

  it('a user with no directory entry cannot bind, and learns no ledger ids', async () => {
    const r = await w.pipeline.handle({ platform: 'console', chatId: `new-${tag}-6`, chatType: 'group', messageId: `lr-${tag}-x`, senderId: 'nobody', text: `绑定 ${A}` });
    expect(r!.text).toContain('仅限整改办');
    expect(r!.text).not.toContain(B);
  });
});
