import { describe, expect, it } from 'vitest';
import { dayNumber, fromDayNumber, parseDate, parseDeadline, shanghaiDate, formatDateCn } from '../../src/ledger/dates.js';
import { lightOf, progressBar } from '../../src/ledger/light.js';

const today = '2025-03-10';

describe('dates as cadres write them', () => {
  it.each([
    ['2025年1月3日', '2025-01-03'], ['2025-01-03', '2025-01-03'], ['2025/1/3', '2025-01-03'], ['2025.1.3', '2025-01-03'],
    ['1月3日', '2025-01-03'], ['１月３日', '2025-01-03'], ['2025年6月底', '2025-06-30'], ['2月底', '2025-02-28'],
    ['2024年2月29日', '2024-02-29'], ['20250630', '2025-06-30'], ['6月30号', '2025-06-30'],
  ])('%s → %s', (s, d) => expect(parseDate(s, today)).toBe(d));

  it.each(['2025年2月30日', '13月1日', '明年吧', '2025-00-10', '', '1999-01-01'])('%j is refused', (s) => {
    expect(parseDate(s, today)).toBeNull();
  });

  it('deadlines: dates, 立行立改, 长期坚持', () => {
    expect(parseDeadline('立行立改', today)).toEqual({ type: 'immediate' });
    expect(parseDeadline('长期坚持', today)).toEqual({ type: 'longterm' });
    expect(parseDeadline('2025年6月30日前', today)).toEqual({ type: 'date', date: '2025-06-30' });
    expect(parseDeadline('胡说', today)).toBeNull();
  });

  it('Shanghai calendar date of an instant', () => {
    expect(shanghaiDate(new Date('2025-01-02T16:30:00Z'))).toBe('2025-01-03');
    expect(shanghaiDate(new Date('2025-01-02T15:59:59Z'))).toBe('2025-01-02');
    expect(formatDateCn('2025-01-03')).toBe('2025年1月3日');
  });
});

describe('deadline light', () => {
  const m = (date: string, status = '推进中' as const) => ({ deadline: { type: 'date' as const, date }, status });
  it.each([
    ['2025-03-09', 'red'], ['2025-03-10', 'yellow'], ['2025-03-20', 'yellow'], ['2025-03-21', 'green'],
  ])('due %s → %s', (date, light) => expect(lightOf(m(date), today, 10)).toBe(light));
  it('closed and long-term items are green', () => {
    expect(lightOf({ deadline: { type: 'date', date: '2025-01-01' }, status: '待销号' }, today, 10)).toBe('green');
    expect(lightOf({ deadline: { type: 'longterm' }, status: '推进中' }, today, 10)).toBe('green');
  });
  it('progress bar', () => {
    expect(progressBar(1, 2)).toBe('▓▓▓▓▓░░░░░ 50%');
    expect(progressBar(20, 21)).toBe('▓▓▓▓▓▓▓▓▓▓ 95.2%');
    expect(progressBar(0, 0)).toBe('░░░░░░░░░░ 0%');
  });
});

describe('the remembered day arithmetic gives what the plain formulas give', () => {
  const plainShanghai = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  it('shanghaiDate around midnight in Shanghai, back and forth, and at random instants', () => {
    const edge = Date.UTC(2021, 8, 24, 16, 0, 0); // 2021-09-25 00:00 in Shanghai
    for (const t of [edge - 1, edge, edge - 1, edge + 1, edge + 86_400_000 - 1, edge + 86_400_000, edge - 86_400_000, edge]) {
      expect(shanghaiDate(new Date(t))).toBe(plainShanghai(new Date(t)));
    }
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const t = Date.UTC(2000, 0, 1) + (x % (40 * 365)) * 86_400_000 + ((x >> 3) % 86_400_000);
      expect(shanghaiDate(new Date(t))).toBe(plainShanghai(new Date(t)));
    }
    expect(() => shanghaiDate(new Date(Number.NaN))).toThrow(RangeError);
  });
  it('dayNumber and fromDayNumber, asked again', () => {
    for (let n = 10_950; n < 11_050; n++) {
      const d = new Date(n * 86_400_000).toISOString().slice(0, 10);
      expect(fromDayNumber(n)).toBe(d);
      expect(fromDayNumber(n)).toBe(d);
      expect(dayNumber(d)).toBe(n);
      expect(dayNumber(d)).toBe(n);
    }
  });
});
