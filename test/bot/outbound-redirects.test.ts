import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendError } from '../../src/core/sender.js';
import { postJson } from '../../src/bot/dingtalk/http.js';
import { callWecom } from '../../src/bot/wecom/api.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/core/logger.js';
import { loadWecomConfig } from '../../src/bot/wecom/config.js';
import { WecomSender } from '../../src/bot/wecom/sender.js';
import { RedisRateLimiter } from '../../src/store/limits.js';
import { connectRedis, waitReady } from '../../src/store/redis.js';
import { FakeWecomServer } from '../fakes/wecom/server.js';
import { testRedisUrl } from '../helpers/redis.js';
import { KEYS, reply } from './wecom/harness.js';
import { createHttpClient } from '../../src/core/http-client.js';

/** The production outbound client (keep-alive node:http), as the service injects it. */
const httpClient = createHttpClient();

/** A local server; `hits` counts what reached it. */
async function server(handler: http.RequestListener) {
  const hits: string[] = [];
  const s = http.createServer((req, res) => { hits.push(`${req.method} ${req.url}`); handler(req, res); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, hits, close: () => new Promise<void>((r) => s.close(() => r())) };
}

const sendError = async (p: Promise<unknown>): Promise<SendError> => {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(SendError);
  return e as SendError;
};

describe('outbound fetches never follow redirects', () => {
  let catcher: Awaited<ReturnType<typeof server>>;
  let redirector: Awaited<ReturnType<typeof server>>;
  beforeAll(async () => {
    catcher = await server((_q, res) => { res.setHeader('content-type', 'application/json'); res.end('{"errcode":0}'); });
    redirector = await server((req, res) => { res.statusCode = Number(req.url!.split('/')[1]); res.setHeader('location', `${catcher.url}/stolen`); res.end(); });
  });
  afterAll(async () => { await catcher.close(); await redirector.close(); });

  it.each([301, 302, 307, 308])('DingTalk postJson refuses a %i and the body goes nowhere else', async (code) => {
    const e = await sendError(postJson(globalThis.fetch, `${redirector.url}/${code}/robot/send?access_token=tok`, { msgtype: 'text' }, { timeoutMs: 2000 }));
    expect([e.kind, e.code]).toEqual(['fatal', 'redirect']);
    expect(e.message).not.toContain('access_token');
    expect(catcher.hits).toEqual([]);
  });

  it.each([302, 307])('WeCom callWecom refuses a %i and the body goes nowhere else', async (code) => {
    const e = await sendError(callWecom(`${redirector.url}/${code}/cgi-bin/webhook/send?key=k`, { method: 'POST', body: { msgtype: 'text' } }, { fetch: httpClient, timeoutMs: 2000, what: 'webhook/send' }));
    expect([e.kind, e.code]).toEqual(['fatal', 'redirect']);
    expect(catcher.hits).toEqual([]);
  });
});

describe('WeCom response_url is trusted only on the WeCom API host', () => {
  const fake = new FakeWecomServer();
  let catcher: Awaited<ReturnType<typeof server>>;
  let sender: WecomSender;
  let logText = '';
  let close = () => {};
  const logs = () => logText;
  beforeAll(async () => {
    await fake.start();
    catcher = await server((_q, res) => { res.setHeader('content-type', 'application/json'); res.end('{"errcode":0}'); });
    const redis = connectRedis(testRedisUrl());
    await waitReady(redis);
    close = () => redis.disconnect();
    const sink = new Writable({ write(chunk, _e, cb) { logText += String(chunk); cb(); } });
    sender = new WecomSender({
      config: loadWecomConfig({ WECOM_TOKEN: KEYS.token, WECOM_ENCODING_AES_KEY: KEYS.encodingAesKey, WECOM_API_BASE: fake.url, WECOM_HTTP_TIMEOUT_MS: '500', WECOM_RATE_WAIT_MS: '0' })!,
      fetch: httpClient, rateLimiter: new RedisRateLimiter(redis), reportProblem: async () => {}, logger: createLogger('debug', sink), tokens: null,
    });
  });
  afterAll(async () => { close(); await fake.stop(); await catcher.close(); });

  it('the configured API base (the fake) is used', async () => {
    const before = fake.of('response').length;
    await sender.send({ platform: 'wecom', chatId: 'c', channel: { responseUrl: fake.newResponseUrl() } }, reply('好'));
    expect(fake.of('response').length).toBe(before + 1);
  });

  it.each([
    ['another local server', () => `${catcher.url}/cgi-bin/aibot/response?response_code=secret-code-1`],
    ['a look-alike host', () => 'https://qyapi.weixin.qq.com.evil.example/cgi-bin/aibot/response?response_code=secret-code-1'],
    ['another weixin.qq.com host', () => 'https://open.weixin.qq.com/cgi-bin/aibot/response?response_code=secret-code-1'],
    ['plain http to the API host', () => 'http://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=secret-code-1'],
    ['userinfo before the host', () => `http://qyapi.weixin.qq.com@${new URL(catcher.url).host}/x?response_code=secret-code-1`],
    ['an odd port', () => 'https://qyapi.weixin.qq.com:8443/x?response_code=secret-code-1'],
    ['not a URL', () => 'secret-code-1'],
  ])('%s is ignored and warned about without the URL', async (_what, url) => {
    const logsBefore = logs().length;
    await sender.send({ platform: 'wecom', chatId: 'c', channel: { responseUrl: url() } }, reply('台账内容'));
    expect(catcher.hits).toEqual([]);
    const logged = logs().slice(logsBefore);
    const line = JSON.parse(logged.trim().split('\n').at(-1)!);
    expect([line.level, line.code]).toEqual([40, 'untrusted_response_url']);
    expect(logged).not.toContain('secret-code-1');
  });
});
