import { describe, expect, it } from 'vitest';
import { parseDeadline } from '../../src/ledger/dates.js';

// Cases added to src/ledger/dates.ts for ledger import: deadline cells seen in real ledgers.
describe('parseDeadline: ledger deadline phrases', () => {
  it.each([
    ['立行立改，长期坚持', { type: 'longterm' }],
    ['立行立改并长期坚持', { type: 'longterm' }],
    ['持续整改', { type: 'longterm' }],
    ['2021年12月31日前完成', { type: 'date', date: '2021-12-31' }],
    ['2021年6月底前完成', { type: 'date', date: '2021-06-30' }],
    ['2025年3月31日前办结', { type: 'date', date: '2025-03-31' }],
    ['完成', null],
  ])('%s', (cell, want) => {
    expect(parseDeadline(cell, '2025-01-10')).toEqual(want);
  });
});
