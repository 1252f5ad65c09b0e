import { describe, expect, it } from 'vitest';
import { DingtalkConfigError, parseDingtalkConfig } from '../../../src/bot/dingtalk/config.js';

const creds = { DINGTALK_CLIENT_ID: 'dingabc', DINGTALK_CLIENT_SECRET: 'very-secret-value' };

describe('parseDingtalkConfig', () => {
  it('is off with no credentials', () => {
    expect(parseDingtalkConfig({}).mode).toBe('off');
  });
  it('defaults to stream with credentials, robot code = client id, official hosts', () => {
    const c = parseDingtalkConfig(creds);
    expect(c).toMatchObject({
      mode: 'stream',
      robotCode: 'dingabc',
      apiBase: 'https://api.dingtalk.com',
      oapiBase: 'https://oapi.dingtalk.com',
      gatewayUrl: 'https://api.dingtalk.com/v1.0/gateway/connections/open',
      lightStyle: 'emoji',
    });
  });
  it('takes overrides and trims trailing slashes', () => {
    const c = parseDingtalkConfig({
      ...creds,
      DINGTALK_MODE: 'HTTP',
      DINGTALK_ROBOT_CODE: 'dingrobot',
      DINGTALK_API_BASE: 'http://127.0.0.1:9/',
      DINGTALK_GATEWAY_URL: 'http://127.0.0.1:9/gw/open',
    });
    expect(c).toMatchObject({ mode: 'http', robotCode: 'dingrobot', apiBase: 'http://127.0.0.1:9', gatewayUrl: 'http://127.0.0.1:9/gw/open' });
  });
  it('names every bad variable at once and never echoes secrets', () => {
    let err: unknown;
    try {
      parseDingtalkConfig({ DINGTALK_MODE: 'websocket', DINGTALK_CLIENT_SECRET: 'very-secret-value', DINGTALK_OAPI_BASE: 'ftp://x', DINGTALK_LIGHT_STYLE: 'neon' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DingtalkConfigError);
    const msg = (err as Error).message;
    for (const v of ['DINGTALK_MODE', 'DINGTALK_OAPI_BASE', 'DINGTALK_LIGHT_STYLE']) expect(msg).toContain(v);
    expect(msg).not.toContain('very-secret-value');
  });
  it('requires both credentials for stream/http', () => {
    expect(() => parseDingtalkConfig({ DINGTALK_MODE: 'stream', DINGTALK_CLIENT_ID: 'x' })).toThrow(/DINGTALK_CLIENT_SECRET/);
    expect(() => parseDingtalkConfig({ DINGTALK_CLIENT_SECRET: 'x' })).toThrow(/DINGTALK_CLIENT_ID/);
  });
  it('treats blank values as unset', () => {
    expect(parseDingtalkConfig({ DINGTALK_MODE: '', DINGTALK_CLIENT_ID: ' ', DINGTALK_CLIENT_SECRET: '' }).mode).toBe('off');
  });
});
