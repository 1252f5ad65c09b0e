import { describe, expect, it } from 'vitest';
import { parseDate, parseDeadline, shanghaiDate, formatDateCn } from '../../src/ledger/dates.js';
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
