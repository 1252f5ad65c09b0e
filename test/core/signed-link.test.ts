import { describe, expect, it } from 'vitest';
import { checkLink, dashboardLink, signLink, verifyLink } from '../../src/core/signed-link.js';

const SECRET = 'test-secret-0123456789';
// Known answers computed independently (Python: base64url(hmac.sha256(secret, msg)), unpadded).
const LEGACY = 'X7PQx4OX-RqAHgdtHlGT_W1OH1HZjUAqsMn_6yKn-XI'; // "demo.1700000000"
const VIEWER = '68DeenGQIa-YiMnqpPsINFNsDphgtjXkFN9JuVMnyuU'; // "v2\ndemo\nviewer\n1700000000"
const OFFICE = 'lHnfqq8W5UNUhDObnp7pwYLcZZBAENAxNPY9WORXK8U'; // "v2\ndemo\noffice\n1700000000"

describe('signed dashboard links', () => {
  it('signs HMAC-SHA256 over "v2\\n<ledger>\\n<role>\\n<exp>" (known answers), legacy links over "<ledger>.<exp>"', () => {
    expect(signLink(SECRET, 'demo', 1_700_000_000)).toBe(LEGACY);
    expect(signLink(SECRET, 'demo', 1_700_000_000, 'viewer')).toBe(VIEWER);
    expect(signLink(SECRET, 'demo', 1_700_000_000, 'office')).toBe(OFFICE);
    expect(dashboardLink('https://x.example/', SECRET, 'demo', 1_700_000_000)).toBe(`https://x.example/dashboard?ledger=demo&role=viewer&exp=1700000000&sig=${VIEWER}`);
    expect(dashboardLink('https://x.example', SECRET, 'demo', 1_700_000_000, 'office')).toBe(`https://x.example/dashboard?ledger=demo&role=office&exp=1700000000&sig=${OFFICE}`);
  });

  it.each([
    [{ ledger: 'demo', role: 'office', exp: '1700000000', sig: OFFICE }, 1_699_999_999, 'ok'],
    [{ ledger: 'demo', role: 'viewer', exp: '1700000000', sig: VIEWER }, 1_700_000_000, 'ok'],
    [{ ledger: 'demo', exp: '1700000000', sig: LEGACY }, 1_699_999_999, 'ok'],
    [{ ledger: 'demo', role: 'office', exp: '1700000000', sig: OFFICE }, 1_700_000_001, 'expired'],
    // Raising the role of a viewer link, or dropping it from a v2 link, breaks the signature.
    [{ ledger: 'demo', role: 'office', exp: '1700000000', sig: VIEWER }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'demo', role: 'supervisor', exp: '1700000000', sig: OFFICE }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'demo', exp: '1700000000', sig: VIEWER }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'demo', role: 'viewer', exp: '1700000000', sig: LEGACY }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'other', role: 'office', exp: '1700000000', sig: OFFICE }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'demo', role: 'office', exp: '1800000000', sig: OFFICE }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'demo', role: 'office', exp: '1700000000', sig: `${OFFICE.slice(0, -1)}Y` }, 1_600_000_000, 'bad_signature'],
    [{ ledger: 'demo', role: 'admin', exp: '1700000000', sig: OFFICE }, 1_600_000_000, 'malformed'],
    [{ ledger: 'demo\nviewer', exp: '1700000000', sig: OFFICE }, 1_600_000_000, 'malformed'],
    [{ ledger: 'demo', exp: '1700000000' }, 1_600_000_000, 'malformed'],
    [{ ledger: 'demo', exp: '17e8', sig: LEGACY }, 1_600_000_000, 'malformed'],
    [{ ledger: 'demo', exp: '1700000000', sig: 'short' }, 1_600_000_000, 'malformed'],
  ] as const)('%j at %i → %s', (q, now, want) => {
    expect(verifyLink(SECRET, q, now)).toBe(want);
  });

  it('an accepted link reports the ledger and role that were signed (a legacy link is a viewer)', () => {
    expect(checkLink(SECRET, { ledger: 'demo', role: 'office', exp: '1700000000', sig: OFFICE }, 0)).toEqual({ check: 'ok', scope: { ledger: 'demo', role: 'office', exp: 1_700_000_000, sig: OFFICE } });
    expect(checkLink(SECRET, { ledger: 'demo', exp: '1700000000', sig: LEGACY }, 0)).toMatchObject({ scope: { role: 'viewer' } });
  });
});
