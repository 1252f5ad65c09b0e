import { describe, expect, it } from 'vitest';
import { Replier, type ReplierOptions } from '../../../src/bot/dingtalk/replier.js';
import { silentLogger } from '../../../src/core/logger.js';

const replier = (oapiBase: string) =>
  new Replier({ fetch: globalThis.fetch, clock: { now: () => new Date() }, logger: silentLogger(), api: null, sender: null, oapiBase, lightStyle: 'emoji', timeoutMs: 1_000 } as unknown as ReplierOptions);

/** The check as it was before the spelling fast path: both URLs parsed, origin and exact path compared. */
function parsedCheck(oapiBase: string, url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    const base = new URL(oapiBase);
    return u.origin === base.origin && u.pathname === `${base.pathname.replace(/\/$/, '')}/robot/sendBySession`;
  } catch {
    return false;
  }
}

const OAPI = 'https://oapi.dingtalk.com';
const trusted = [
  'https://oapi.dingtalk.com/robot/sendBySession?session=76da36b4fake8f59e8',
  'https://oapi.dingtalk.com/robot/sendBySession',
  'https://oapi.dingtalk.com/robot/sendBySession?',
  'https://oapi.dingtalk.com/robot/sendBySession?session=a#frag',
  'https://oapi.dingtalk.com/robot/sendBySession#frag',
  // Other spellings of the same origin and path: parsed, and trusted as before.
  'HTTPS://OAPI.DingTalk.com/robot/sendBySession?session=a',
  'https://oapi.dingtalk.com:443/robot/sendBySession?session=a',
  'https://oapi.dingtalk.com/robot/./sendBySession?session=a',
  'https://oapi.dingtalk.com/robot/sendBySession\t?session=a',
];
const refused = [
  undefined,
  '',
  'not a url',
  'https://oapi.dingtalk.com.evil.example/robot/sendBySession?session=a',
  'https://oapi.dingtalk.com@evil.example/robot/sendBySession?session=a',
  'https://evil.example/robot/sendBySession?https://oapi.dingtalk.com/robot/sendBySession',
  'https://oapi.dingtalk.com/robot/sendBySessionX?session=a',
  'https://oapi.dingtalk.com/robot/sendBySession/?session=a',
  'https://oapi.dingtalk.com/robot/sendBySession/../send?access_token=a',
  'https://oapi.dingtalk.com/robot/sendBySession%3Fsession=a',
  'https://oapi.dingtalk.com/robot/sendbysession?session=a',
  'http://oapi.dingtalk.com/robot/sendBySession?session=a',
  'https://oapi.dingtalk.com:8443/robot/sendBySession?session=a',
  'https://oapi.dingtalk.com/robot/send?access_token=a',
  'https://oapi.dingtalk.com./robot/sendBySession?session=a',
];

describe('Replier.trustedWebhook: only the configured oapi host and its exact sendBySession path', () => {
  it.each(trusted)('trusts %s', (url) => {
    expect(replier(OAPI).trustedWebhook(url)).toBe(true);
    expect(parsedCheck(OAPI, url)).toBe(true);
  });

  it.each(refused)('refuses %s', (url) => {
    expect(replier(OAPI).trustedWebhook(url)).toBe(false);
    expect(parsedCheck(OAPI, url)).toBe(false);
  });

  it.each([
    ['a base with a path and a trailing slash', 'http://127.0.0.1:8080/gw/', 'http://127.0.0.1:8080/gw/robot/sendBySession?session=a', 'http://127.0.0.1:8080/robot/sendBySession?session=a'],
    ['a local base with a port', 'http://127.0.0.1:8080', 'http://127.0.0.1:8080/robot/sendBySession?session=a', 'http://127.0.0.1:8081/robot/sendBySession?session=a'],
    ['an IPv6 base', 'http://[::1]:8080', 'http://[::1]:8080/robot/sendBySession?session=a', 'http://[::2]:8080/robot/sendBySession?session=a'],
  ])('%s', (_what, base, good, bad) => {
    expect(replier(base).trustedWebhook(good)).toBe(true);
    expect(replier(base).trustedWebhook(bad)).toBe(false);
  });

  it('an unparsable oapi base trusts nothing', () => {
    expect(replier('not a url').trustedWebhook('https://oapi.dingtalk.com/robot/sendBySession?session=a')).toBe(false);
  });

  it('agrees with the parsed check on URLs built from look-alike pieces', () => {
    const pieces = ['https://', 'http://', 'oapi.dingtalk.com', 'OAPI.dingtalk.com', 'evil.example', '@', ':443', ':80', '/robot', '/sendBySession', '/send', '?', '#', '/', '..', '%2F', '\\', '\t', ' ', 'session=a'];
    let seed = 7; // xorshift32: the same cases on every run
    const rnd = (n: number) => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; };
    const r = replier(OAPI);
    let trustedCount = 0;
    for (let i = 0; i < 5_000; i++) {
      // Half start as DingTalk's own spelling, so the fast path is exercised with every kind of tail.
      let url = rnd(2) ? `https://oapi.dingtalk.com/robot/sendBySession${rnd(2) ? '?' : ''}` : '';
      for (let k = rnd(6); k >= 0; k--) url += pieces[rnd(pieces.length)];
      const want = parsedCheck(OAPI, url);
      if (want) trustedCount++;
      expect([url, r.trustedWebhook(url)]).toEqual([url, want]);
    }
    expect(trustedCount).toBeGreaterThan(100);
  });
});
