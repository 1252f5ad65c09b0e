import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper without types
import { v8Profile } from '../../scripts/v8-profile.mjs';

type Profile = { nodeOptions: string; flags: string[]; name: string };
const profile = (env: Record<string, string>): Profile => v8Profile(env) as Profile;

// What `npm start` and the side-by-side benchmark give V8 (scripts/v8-profile.mjs).
describe('the V8 profile of npm start', () => {
  it("is V8's own defaults unless asked", () => {
    expect(profile({})).toEqual({ nodeOptions: '', flags: [], name: 'default' });
  });

  it('RECTIFY_MEMORY=small trades CPU for memory: --optimize-for-size and 2 MB semi-spaces', () => {
    expect(profile({ RECTIFY_MEMORY: 'small' })).toEqual({ nodeOptions: '--max-semi-space-size=2', flags: ['--optimize-for-size'], name: 'small' });
  });

  it('the single knobs win over the profile, and a semi-space size already in NODE_OPTIONS is left alone', () => {
    expect(profile({ RECTIFY_MEMORY: 'small', RECTIFY_SEMI_SPACE_MB: '8', RECTIFY_V8_FLAGS: ' --heap-growing-percent=30  ' }))
      .toEqual({ nodeOptions: '--max-semi-space-size=8', flags: ['--heap-growing-percent=30'], name: 'small' });
    expect(profile({ RECTIFY_SEMI_SPACE_MB: '4', NODE_OPTIONS: '--max-semi-space-size=1' }).nodeOptions).toBe('');
  });

  it('refuses a profile it does not know instead of starting with the defaults', () => {
    expect(() => profile({ RECTIFY_MEMORY: 'tiny' })).toThrow(/RECTIFY_MEMORY/);
  });
});
