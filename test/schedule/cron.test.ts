import { describe, expect, it } from 'vitest';
import { compileCron, cronOf, describeCron, nextSlot, parseScheduleArg, prevSlot } from '../../src/schedule/cron.js';
import { pickSlot } from '../../src/schedule/slots.js';

/** Shanghai wall time → Date. */
const sh = (s: string) => new Date(`${s}+08:00`);

describe('订阅 arguments → cron (Asia/Shanghai)', () => {
  it.each([
    ['', '0 9 * * 1'],
    ['周一 9:00', '0 9 * * 1'],
    ['每周五 17:30', '30 17 * * 5'],
    ['星期三 8点半', '30 8 * * 3'],
    ['每天 8:30', '30 8 * * *'],
    ['每日 ８：３０', '30 8 * * *'],
    ['工作日 9:00', '0 9 * * 1-5'],
    ['每月1日 9:00', '0 9 1 * *'],
    ['周日 下午3点', '0 15 * * 0'],
    ['0 9 * * 1', '0 9 * * 1'],
    ['*/2 * * * * *', '*/2 * * * * *'],
  ])('%s → %s', (input, cron) => {
    expect(parseScheduleArg(input)).toEqual({ cron });
  });

  it.each([
    ['周八 9:00', '无法识别推送时间'],
    ['周一 25:00', '不正确'],
    ['每月31日 9:00', '1—28'],
    ['明天吧', '请写上推送时间'],
    ['0 9 L * *', '不支持'],
    ['61 9 * * 1', 'cron'],
  ])('%s is refused with a reason', (input, why) => {
    const r = parseScheduleArg(input);
    expect('error' in r && r.error).toContain(why);
  });

  it('describes common schedules in words', () => {
    expect(describeCron('0 9 * * 1')).toBe('每周一 9:00');
    expect(describeCron('30 8 * * *')).toBe('每天 8:30');
    expect(describeCron('0 30 9 * * 1-5')).toBe('工作日 9:30');
    expect(describeCron('0 9 1 * *')).toBe('每月1日 9:00');
    expect(describeCron('*/2 * * * * *')).toBe('cron */2 * * * * *');
  });
});

describe('slot arithmetic agrees with the calendar in Shanghai', () => {
  const monday9 = cronOf('0 9 * * 1');
  it.each([
    ['2025-11-24T09:00:00', '2025-11-24T09:00:00'], // exactly at the slot
    ['2025-11-24T08:59:59', '2025-11-17T09:00:00'],
    ['2025-11-22T12:00:00', '2025-11-17T09:00:00'],
    ['2025-11-25T00:00:00', '2025-11-24T09:00:00'],
  ])('prevSlot(Monday 9:00, %s) = %s', (at, want) => {
    expect(prevSlot(monday9, sh(at))?.getTime()).toBe(sh(want).getTime());
  });

  it.each([
    ['2025-11-24T09:00:00', '2025-12-01T09:00:00'], // strictly after
    ['2025-11-24T08:59:59', '2025-11-24T09:00:00'],
    ['2025-12-29T10:00:00', '2026-01-05T09:00:00'], // across the year
  ])('nextSlot(Monday 9:00, %s) = %s', (at, want) => {
    expect(nextSlot(monday9, sh(at))?.getTime()).toBe(sh(want).getTime());
  });

  it('handles seconds, month days and Shanghai midnight (UTC 16:00)', () => {
    const every2 = cronOf('*/2 * * * * *');
    expect(prevSlot(every2, sh('2025-11-24T10:00:03.900'))?.getTime()).toBe(sh('2025-11-24T10:00:02').getTime());
    expect(nextSlot(every2, sh('2025-11-24T23:59:59'))?.getTime()).toBe(sh('2025-11-25T00:00:00').getTime());
    const first = cronOf('0 9 1 * *');
    expect(nextSlot(first, sh('2025-01-31T10:00:00'))?.getTime()).toBe(sh('2025-02-01T09:00:00').getTime());
    const daily = cronOf('30 8 * * *');
    // 00:10 Shanghai is 16:10 UTC the day before: the previous slot is yesterday 08:30 Shanghai.
    expect(prevSlot(daily, sh('2025-11-24T00:10:00'))?.getTime()).toBe(sh('2025-11-23T08:30:00').getTime());
  });

  it('refuses expressions it cannot reason about', () => {
    expect('error' in compileCron('0 9 * * 1#2')).toBe(true);
    expect('error' in compileCron('nonsense')).toBe(true);
  });
});

describe('pickSlot: one slot at a time, a grace window, never a burst', () => {
  const every2 = cronOf('*/2 * * * * *');
  const monday9 = cronOf('0 9 * * 1');
  const H = 3600_000;

  it('sends the due slot once, then nothing until the next', () => {
    const now = sh('2025-11-24T09:00:30');
    const p = pickSlot(monday9, sh('2025-11-17T09:00:00').getTime(), now, 6 * H);
    expect(p).toEqual({ slot: sh('2025-11-24T09:00:00').getTime(), stale: false });
    expect(pickSlot(monday9, p!.slot, now, 6 * H)).toBeNull();
  });

  it('after 5 hours down the missed slot is still sent; after 7 hours it is stale', () => {
    const last = sh('2025-11-17T09:00:00').getTime();
    expect(pickSlot(monday9, last, sh('2025-11-24T14:00:00'), 6 * H)?.stale).toBe(false);
    expect(pickSlot(monday9, last, sh('2025-11-24T16:00:01'), 6 * H)?.stale).toBe(true);
  });

  it('after a long outage only the latest slot is considered (no burst of stale digests)', () => {
    const last = sh('2025-11-24T10:00:00').getTime();
    const p = pickSlot(every2, last, sh('2025-11-24T10:30:00'), 6 * H);
    expect(p).toEqual({ slot: sh('2025-11-24T10:30:00').getTime(), stale: false });
  });

  it('a short stall keeps slots in order instead of dropping one', () => {
    const last = sh('2025-11-24T10:00:00').getTime();
    const p = pickSlot(every2, last, sh('2025-11-24T10:00:05'), 6 * H);
    expect(p?.slot).toBe(sh('2025-11-24T10:00:02').getTime());
  });
});
