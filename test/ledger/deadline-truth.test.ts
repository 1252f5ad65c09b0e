import { describe, expect, it } from 'vitest';
import type { Deadline, Measure, Note, Status } from '../../src/ledger/types.js';
import { completedOn, deadlineShort, finishedLate, immediateDue, stateLabel, stateMark, withImmediateDue } from '../../src/ledger/deadline-truth.js';
import { formatDeadline, parseDeadline } from '../../src/ledger/dates.js';

const done = (at: string): Note => ({ at, by: '陈敏', text: '制度已印发', evidence: true });
const m = (status: Status, deadline: Deadline, notes: Note[] = []): Pick<Measure, 'status' | 'deadline' | 'notes'> => ({ status, deadline, notes });
const d = (date: string): Deadline => ({ type: 'date', date });
const imm: Deadline = { type: 'immediate', date: '2025-05-13' };

describe('立行立改 has a real due date', () => {
  it('feedback date + 30 days by default, or the ledger setting', () => {
    expect(immediateDue({ feedbackDate: '2025-04-13' })).toBe('2025-05-13');
    expect(immediateDue({ feedbackDate: '2025-04-13', immediateDays: 10 })).toBe('2025-04-23');
    expect(withImmediateDue({ type: 'immediate' }, { feedbackDate: '2025-04-13' })).toEqual(imm);
    expect(withImmediateDue({ type: 'immediate', date: '2025-04-20' }, { feedbackDate: '2025-04-13' })).toEqual({ type: 'immediate', date: '2025-04-20' });
    expect(withImmediateDue(d('2025-06-30'), { feedbackDate: '2025-04-13' })).toEqual(d('2025-06-30'));
  });
  it('is shown as "立行立改（5月13日前）" and exported with its year, which reads back', () => {
    expect(deadlineShort(imm)).toBe('立行立改（5月13日前）');
    expect(formatDeadline(imm)).toBe('立行立改（2025年5月13日前）');
    expect(parseDeadline(formatDeadline(imm), '2025-04-13')).toEqual(imm);
    expect(deadlineShort(d('2025-06-30'))).toBe('2025年6月30日');
    expect(deadlineShort({ type: 'longterm' })).toBe('长期坚持');
  });
});

describe('state marks for fixed dates (yellow window 10 days)', () => {
  it.each<[string, Pick<Measure, 'status' | 'deadline' | 'notes'>, string, string]>([
    ['立行立改 past its date turns red', m('推进中', imm), '2025-05-14', '🔴 逾期'],
    ['立行立改 within 10 days is yellow', m('推进中', imm), '2025-05-08', '🟡 临期'],
    ['立行立改 far off is green', m('未启动', imm), '2025-04-20', '🟢 正常'],
    ['dated, due today: yellow', m('推进中', d('2025-06-30')), '2025-06-30', '🟡 临期'],
    ['struck off shows its state, not green', m('已销号', d('2025-06-30')), '2025-07-15', '✅ 已销号'],
    ['done on time', m('已完成', d('2025-06-30'), [done('2025-06-29T08:00:00Z')]), '2025-07-15', '☑️ 已完成'],
    ['done after the deadline: 逾期完成', m('已完成', d('2025-06-30'), [done('2025-07-02T08:00:00Z')]), '2025-07-15', '☑️ 已完成（逾期完成）'],
    ['done at 23:30 Shanghai on the due day is on time', m('已完成', d('2025-06-30'), [done('2025-06-30T15:30:00Z')]), '2025-07-15', '☑️ 已完成'],
    ['done 00:30 Shanghai the next day is late', m('已完成', d('2025-06-30'), [done('2025-06-30T16:30:00Z')]), '2025-07-15', '☑️ 已完成（逾期完成）'],
    ['pending review after the deadline', m('待销号', imm, [done('2025-05-20T02:00:00Z')]), '2025-05-21', '⏳ 待销号（逾期完成）'],
    ['struck off late keeps the mark', m('已销号', d('2025-06-30'), [{ at: '2025-07-10T02:00:00Z', by: '王静', text: '审核通过' }, done('2025-07-02T08:00:00Z')]), '2025-07-15', '✅ 已销号（逾期完成）'],
    ['imported as done (no evidence note): no mark', m('已完成', d('2025-06-30')), '2025-07-15', '☑️ 已完成'],
    ['long-term', m('已完成并长期坚持', { type: 'longterm' }, [done('2025-07-02T08:00:00Z')]), '2025-07-15', '☑️ 已完成并长期坚持'],
  ])('%s', (_n, x, today, want) => expect(stateLabel(stateMark(x, today, 10))).toBe(want));

  it('completedOn and finishedLate read the latest evidence note only for closed items', () => {
    expect(completedOn(m('推进中', d('2025-06-30'), [done('2025-07-02T08:00:00Z')]))).toBeUndefined();
    expect(completedOn(m('已完成', d('2025-06-30'), [done('2025-07-02T08:00:00Z')]))).toBe('2025-07-02');
    expect(finishedLate(m('已完成', { type: 'longterm' }, [done('2030-01-01T00:00:00Z')]))).toBe(false);
  });
});
