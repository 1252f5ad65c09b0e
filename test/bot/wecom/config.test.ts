import { describe, expect, it } from 'vitest';
import { WecomConfigError, describeWecomConfig, loadWecomConfig } from '../../../src/bot/wecom/config.js';

const base = { WECOM_TOKEN: 'Tok3n', WECOM_ENCODING_AES_KEY: 'a'.repeat(43) };

describe('wecom config', () => {
  it('is off without WECOM_TOKEN and WECOM_ENCODING_AES_KEY', () => {
    expect(loadWecomConfig({})).toBeNull();
    expect(loadWecomConfig({ WECOM_CORP_ID: 'ww1' })).toBeNull();
  });

  it('parses defaults', () => {
    expect(loadWecomConfig(base)).toMatchObject({
      apiBase: 'https://qyapi.weixin.qq.com', replyBudgetMs: 3000, appSend: false, corpId: undefined,
    });
  });

  it('names every bad variable and never echoes a value', () => {
    const env = { WECOM_TOKEN: 'bad token!', WECOM_ENCODING_AES_KEY: 'tooShortSecretValue', WECOM_REPLY_BUDGET_MS: '99999', WECOM_AGENT_ID: 'x' };
    let err: WecomConfigError | undefined;
    try { loadWecomConfig(env); } catch (e) { err = e as WecomConfigError; }
    expect(err).toBeInstanceOf(WecomConfigError);
    for (const k of ['WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY', 'WECOM_REPLY_BUDGET_MS', 'WECOM_AGENT_ID']) expect(err!.message).toContain(k);
    expect(err!.message).not.toContain('tooShortSecretValue');
    expect(err!.message).not.toContain('bad token!');
  });

  it('requires the AES key when only the token is set', () => {
    expect(() => loadWecomConfig({ WECOM_TOKEN: 'abc' })).toThrow(/WECOM_ENCODING_AES_KEY is required/);
  });

  it('requires agent id, secret and corp id together for app sends', () => {
    expect(() => loadWecomConfig({ ...base, WECOM_SECRET: 's' })).toThrow(/WECOM_AGENT_ID.*WECOM_SECRET[\s\S]*WECOM_CORP_ID/);
    const c = loadWecomConfig({ ...base, WECOM_SECRET: 's', WECOM_AGENT_ID: '1000002', WECOM_CORP_ID: 'ww1' })!;
    expect(c).toMatchObject({ appSend: true, agentId: 1000002 });
    expect(JSON.stringify(describeWecomConfig(c))).not.toMatch(/"s"|Tok3n|aaaa/);
  });

  it('strips a trailing slash from WECOM_API_BASE and refuses non-URLs', () => {
    expect(loadWecomConfig({ ...base, WECOM_API_BASE: 'http://127.0.0.1:9/' })!.apiBase).toBe('http://127.0.0.1:9');
    expect(() => loadWecomConfig({ ...base, WECOM_API_BASE: 'qyapi' })).toThrow(/WECOM_API_BASE/);
  });
});
