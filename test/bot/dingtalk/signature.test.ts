import { describe, expect, it } from 'vitest';
import { customRobotSignQuery, dingtalkSign, verifyCallbackSignature } from '../../../src/bot/dingtalk/signature.js';

// Inputs from the official receive-message doc and its Java/Python samples; outputs computed independently
// (node:crypto and Python hmac agree; see /work/shared/protocols/dingtalk.md §3 and §5a).
const CALLBACK_VECTORS: Array<[string, string, string]> = [
  ['1577262236757', 'this is a secret', 'DJrE6qdyVGCQz9z5r2MDuNcNAhwYnuAkyj13cx169CA='],
  ['1700000000000', 'SECtest0123456789abcdef', '/lfnxUUu80FwVTsIlv2F1cMGBb+PxEKAwYh/bsRxXcc='],
  ['1690362102194', 'dingtest-app-secret', 'lAnVBZPeDJyL9GRveyaJEdVcu2l7LKsF0E+Cb4vRLGw='],
];

describe('dingtalkSign (known answers)', () => {
  it.each(CALLBACK_VECTORS)('%s / %s', (ts, secret, expected) => {
    expect(dingtalkSign(ts, secret)).toBe(expected);
  });
});

describe('verifyCallbackSignature', () => {
  const [ts, secret, sign] = CALLBACK_VECTORS[0]!;
  const now = Number(ts);
  it.each([
    ['accepts the documented example', ts, sign, now, { ok: true }],
    ['accepts 59 min of skew', ts, sign, now + 59 * 60_000, { ok: true }],
    ['accepts exactly 1 h of skew', ts, sign, now + 3_600_000, { ok: true }],
    ['rejects 1 h + 1 ms late', ts, sign, now + 3_600_001, { ok: false, reason: 'stale' }],
    ['rejects 1 h + 1 ms early (clock ahead)', ts, sign, now - 3_600_001, { ok: false, reason: 'stale' }],
    ['rejects a missing sign', ts, undefined, now, { ok: false, reason: 'missing' }],
    ['rejects a missing timestamp', undefined, sign, now, { ok: false, reason: 'missing' }],
    ['rejects a non-numeric timestamp', '1577262236757x', sign, now, { ok: false, reason: 'malformed_timestamp' }],
    ['rejects a sign for another timestamp', '1577262236758', sign, now, { ok: false, reason: 'bad_sign' }],
    ['rejects a URL-encoded sign (headers are sent raw)', ts, encodeURIComponent(sign), now, { ok: false, reason: 'bad_sign' }],
    ['rejects a truncated sign', ts, sign.slice(0, -1), now, { ok: false, reason: 'bad_sign' }],
    ['rejects a sign made with another secret', ts, dingtalkSign(ts, 'other'), now, { ok: false, reason: 'bad_sign' }],
  ] as const)('%s', (_name, t, s, n, verdict) => {
    expect(verifyCallbackSignature(t, s, secret, n)).toEqual(verdict);
  });
});

describe('customRobotSignQuery (加签)', () => {
  it('matches the known answer for the doc sample secret, URL-encoded', () => {
    expect(customRobotSignQuery('this is secret', 1577262236757)).toBe(
      'timestamp=1577262236757&sign=hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D',
    );
  });
  it('is rebuilt for every call (no accumulated parameters)', () => {
    const a = customRobotSignQuery('SEC1', 1000);
    const b = customRobotSignQuery('SEC1', 2000);
    expect(a).not.toBe(b);
    expect(b.match(/timestamp=/g)).toHaveLength(1);
  });
});
