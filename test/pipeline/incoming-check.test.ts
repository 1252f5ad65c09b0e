import { describe, expect, it } from 'vitest';
import { checkIncoming, incomingSchema, parseIncoming } from '../../src/pipeline/incoming.js';

const base = {
  platform: 'dingtalk', chatId: 'cid-1', chatType: 'group', messageId: 'm-1', senderId: 'u-1', senderName: '王静',
  text: '进展 3.2 制度已印发', mentions: [{ userId: 'u-2', name: '李' }], files: [{ type: 'image', ref: 'dl-1', key: 'k', name: 'a.png' }],
};

const long = (n: number) => 'x'.repeat(n);
// Values tried in every field (valid for some, invalid for others): the hand check must agree with zod on all.
const VALUES: unknown[] = [
  undefined, null, '', 'a', '中文', long(256), long(257), long(512), long(513), long(4096), long(4097), 0, 1, true, {}, [],
  'dingtalk', 'wecom', 'console', 'qq', 'group', 'private', 'image', 'file', ['a'], [{}], { userId: 'x' },
];
const MENTIONS: unknown[] = [[], [{ userId: 'a' }], [{ userId: 'a', name: 'b' }], [{ userId: 1 }], [{ name: 'b' }], [{ userId: 'a', extra: 1 }], [null], [{ userId: 'a', name: undefined }], 'x'];
const FILES: unknown[] = [
  [], [{ type: 'image', ref: 'r' }], [{ type: 'file', ref: 'r', key: long(256), name: long(512) }], [{ type: 'file', ref: 'r', key: long(257) }],
  [{ type: 'file', ref: 'r', name: long(513) }], [{ type: 'video', ref: 'r' }], [{ type: 'image', ref: '' }], [{ type: 'image', ref: long(4097) }],
  [{ type: 'image', ref: 'r', extra: true }], Array.from({ length: 10 }, () => ({ type: 'image', ref: 'r' })),
  Array.from({ length: 11 }, () => ({ type: 'image', ref: 'r' })), [null], {},
];

function variants(): unknown[] {
  const out: unknown[] = [base, { ...base, mentions: undefined, files: undefined }, null, 'text', [], 42];
  for (const key of Object.keys(base)) {
    for (const v of VALUES) out.push({ ...base, [key]: v });
    const { [key]: _drop, ...rest } = base as Record<string, unknown>;
    out.push(rest);
  }
  for (const m of MENTIONS) out.push({ ...base, mentions: m });
  for (const f of FILES) out.push({ ...base, files: f });
  out.push({ ...base, unknownKey: 1 }, { ...base, route: {} });
  return out;
}

describe('checkIncoming: the hand check agrees with incomingSchema', () => {
  it('accepts exactly what zod accepts, with the same content, on every variant', () => {
    const all = variants();
    expect(all.length).toBeGreaterThan(250);
    let fast = 0;
    for (const v of all) {
      const z = incomingSchema.safeParse(v);
      const c = checkIncoming(v);
      const label = JSON.stringify(v)?.slice(0, 120);
      if (!z.success) {
        expect(c, label).toBeNull();
        expect(() => parseIncoming(v), label).toThrow();
        continue;
      }
      expect(c, label).toEqual(z.data);
      expect(parseIncoming(v), label).toEqual(z.data);
      if (c === v) fast++;
    }
    // Most valid variants take the hand-checked path (no copy); the rest went to zod and agree with it.
    expect(fast).toBeGreaterThan(50);
  });

  it('a message with a key the schema does not know goes to zod, which drops the key', () => {
    const v = { ...base, extra: 'dropped' };
    const c = checkIncoming(v);
    expect(c).not.toBe(v);
    expect(c).not.toHaveProperty('extra');
    expect(checkIncoming(base)).toBe(base);
  });
});
