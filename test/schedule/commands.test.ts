import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { registerCommands } from '../../src/commands/index.js';
import { scheduleCommands } from '../../src/commands/schedule.js';
import { testRedisUrl } from '../helpers/redis.js';
import { schedWorld, type SchedWorld } from './harness.js';

let w: SchedWorld;
const text = async (who: string, msg: string) => (await w.say(who, msg))?.text ?? '';

beforeAll(async () => {
  const r = new Redis(testRedisUrl());
  await r.flushdb();
  r.disconnect();
  registerCommands(scheduleCommands);
  w = await schedWorld({ at: '2025-11-21T02:00:00Z' });
});
afterAll(async () => { await w.closeAll(); });

describe('订阅 / 退订 / 推送记录 in chat', () => {
  it('only the office may subscribe; the schedule is stored and described', async () => {
    expect(await text('owner', '订阅 周一 9:00')).not.toContain('已订阅');
    const t = await text('office', '订阅 每天 8:30');
    expect(t).toContain('已订阅整改进展通报：每天 8:30 推送到本群（王静设置）');
    expect(t).toContain('到期提醒：每个工作日 9:30 检查一次，到期前20天：责任人；到期前10天：责任人、责任领导；逾期：责任领导、整改办');
    expect((await w.open.services.directory.getBinding('console', w.chatId))?.schedule).toBe('30 8 * * *');
    expect(await text('office', '订阅 周八')).toContain('请写上推送时间');
    expect(await text('office', '订阅')).toContain('每周一 9:00');
  });

  it('推送记录 shows the schedule, the next slot and sent / failed messages', async () => {
    expect(await text('office', '推送记录')).toContain('订阅：每周一 9:00，下次推送 11月24日 09:00');
    w.startWorker();
    await w.service.digestNow('console', w.chatId, { send: true });
    await w.waitLog((es) => es.some((e) => e.status === 'sent'));
    const t = await text('office', '推送记录');
    expect(t).toMatch(/11月21日 10:00 手动通报 ✅ 已发送/);
    expect(await text('viewer', '推送记录')).not.toContain('手动通报');
  });

  it('退订 stops the schedule', async () => {
    expect(await text('office', '退订')).toContain('已退订：本群不再收到定时通报和到期提醒。');
    expect((await w.open.services.directory.getBinding('console', w.chatId))?.schedule).toBeUndefined();
    expect(await text('office', '退订')).toContain('本群没有订阅定时通报');
  });
});
