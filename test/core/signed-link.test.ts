import { describe, expect, it } from 'vitest';
import { dashboardLink, signLink, verifyLink } from '../../src/core/signed-link.js';

const SECRET = 'test-secret-0123456789';
// Known answer computed independently (Python: base64url(hmac.sha256(secret, "demo.1700000000")), unpadded).
const KAT = 'X7PQx4OX-RqAHgdtHlGT_W1OH1HZjUAqsMn_6yKn-XI';

describe('signed dashboard links', () => {
  it('signs with HMAC-SHA256 over "<ledger>.<exp>" (known answer)', () => {
    expect(signLink(SECRET, 'demo', 1_700_000_000)).toBe(KAT);
    expect(dashboardLink('https://x.example/', SECRET, 'demo', 1_700_000_000)).toBe(`https://x.example/dashboard?ledger=demo&exp=1700000000&sig=${KAT}`);
  });

  it.each([
    [{ ledger: 'demo', exp: '1700000000', sig: KAT }, 1_699_999_999, 'ok'],
    [{ ledger: 'demo', exp: '1700000000', sig: KAT }, 1_700_000_001, 'expired'],
    [{ ledger: 'other', exp: '1700000000', sig: KAT }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'demo', exp: '1800000000', sig: KAT }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'demo', exp: '1700000000', sig: `${KAT.slice(0, -1)}Y` }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'demo', exp: '1700000000' }, 1_600_000_000, 'malformed'],
    [{ ledger: 'demo', exp: '17e8', sig: KAT }, 1_600_000_000, 'malformed'],
    [{ ledger: 'demo', exp: '1700000000', sig: 'short' }, 1_600_000_000, 'malformed'],
  ] as const)('%j at %i → %s', (q, now, want) => {
    expect(verifyLink(SECRET, q, now)).toBe(want);
  });
});
