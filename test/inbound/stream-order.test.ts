import { describe, expect, it } from 'vitest';
import { idBefore, StreamOrder } from '../../src/inbound/stream-order.js';
import type { StreamEntry } from '../../src/store/inbound-store.js';

const e = (id: string): StreamEntry => ({ id, entry: { msg: { platform: 'console', chatId: 'c', messageId: id }, route: {}, at: 0, passive: false } });
const ids = (o: StreamOrder) => o.queue.map((x) => x.id);

/**
 * The holder of a partition gets entries from its reader (one connection) and from its own
 * submits' claims (another); Node may take the two answers in in either order.
 */
describe('stream order of claimed and read entries', () => {
  it('compares stream ids by time, then sequence (not as strings)', () => {
    expect(idBefore('999-0', '1000-0')).toBe(true);
    expect(idBefore('1000-2', '1000-10')).toBe(true);
    expect(idBefore('1000-10', '1000-2')).toBe(false);
    expect(idBefore('1000-1', '1000-1')).toBe(false);
  });

  it('a claim waits until the read of the entries delivered before it is in', () => {
    const o = new StreamOrder(() => 0);
    o.highest = '100-0';
    const t = o.begin();
    // Redis delivered 101-0 to the reader, then ran the claim (prev 101-0) of 102-0; the claim's answer is taken in first.
    o.claimed(t, '101-0', [e('102-0')]);
    expect(o.settle(2_000)).toBeNull();
    expect(ids(o)).toEqual([]);
    o.read([e('101-0')]);
    expect(o.settle(2_000)).toBeNull();
    expect(ids(o)).toEqual(['101-0', '102-0']);
  });

  it('a read waits for a claim sent before its answer was taken in', () => {
    const o = new StreamOrder(() => 0);
    o.highest = '100-0';
    const t = o.begin();
    // The claim of 101-0 ran first; the reader was then handed 102-0 (another instance's), taken in first.
    o.read([e('102-0')]);
    expect(o.settle(2_000)).toBeNull();
    expect(ids(o)).toEqual([]);
    o.claimed(t, '100-0', [e('101-0')]);
    expect(o.settle(2_000)).toBeNull();
    expect(ids(o)).toEqual(['101-0', '102-0']);
  });

  it('a read taken in before a claim was sent does not wait for it', () => {
    const o = new StreamOrder(() => 0);
    o.read([e('101-0')]);
    o.begin();
    expect(o.settle(2_000)).toBeNull();
    expect(ids(o)).toEqual(['101-0']);
  });

  it('a failed claim (nothing taken) releases the reads waiting for it', () => {
    const o = new StreamOrder(() => 0);
    const t = o.begin();
    o.read([e('101-0')]);
    o.settle(2_000);
    expect(ids(o)).toEqual([]);
    o.claimed(t, null, []);
    expect(o.unanswered).toBe(0);
    o.settle(2_000);
    expect(ids(o)).toEqual(['101-0']);
  });

  it('a claim whose earlier entries never come in is an error after the longest wait, not a silent skip', () => {
    let now = 0;
    const o = new StreamOrder(() => now);
    o.highest = '100-0';
    o.claimed(o.begin(), '101-0', [e('102-0')]);
    expect(o.settle(2_000)).toBeNull();
    now = 2_001;
    expect(o.settle(2_000)?.message).toMatch(/waited too long/);
    expect(ids(o)).toEqual([]);
  });

  it('an entry at or below what was queued is an error (start again from the pending list)', () => {
    const o = new StreamOrder(() => 0);
    o.read([e('105-0')]);
    expect(o.settle(2_000)).toBeNull();
    o.read([e('104-0')]);
    expect(o.settle(2_000)?.message).toMatch(/104-0 came after 105-0/);
  });

  it('clear forgets what is not applied and keeps the highest id', () => {
    const o = new StreamOrder(() => 0);
    o.read([e('101-0')]);
    o.settle(2_000);
    o.claimed(o.begin(), '200-0', [e('201-0')]);
    o.clear();
    expect(o.queue).toEqual([]);
    expect(o.waiting).toBe(false);
    expect(o.highest).toBe('101-0');
  });
});
