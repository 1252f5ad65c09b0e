import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { createLogger, lazyChild } from '../../src/core/logger.js';
import { parseDingtalkConfig } from '../../src/bot/dingtalk/config.js';
import { loadWecomConfig } from '../../src/bot/wecom/config.js';
import { testRedisUrl } from '../helpers/redis.js';

/** A logger writing JSON lines into memory, exactly as production would to stdout. */
function captured(level = 'info') {
  const lines: string[] = [];
  const dest = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { logger: createLogger(level, dest), text: () => lines.join(''), last: () => JSON.parse(lines.at(-1)!) };
}

const SECRET_VALUE = 'ledger-secret-value-7f3a';

describe('the err serializer on real ioredis errors', () => {
  let redis: Redis;
  const key = `log-test:${Date.now()}`;
  beforeAll(async () => {
    redis = new Redis(testRedisUrl(), { lazyConnect: false, maxRetriesPerRequest: 1 });
    await redis.set(key, 'a string');
  });
  afterAll(async () => { await redis.del(key); redis.disconnect(); });

  it('a WRONGTYPE error keeps its message and command name, never the arguments', async () => {
    const err = await redis.lpush(key, SECRET_VALUE).then(() => null, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    // The raw error does carry the arguments: the serializer is what keeps them out.
    expect(JSON.stringify((err as unknown as { command: unknown }).command)).toContain(SECRET_VALUE);
    const c = captured();
    c.logger.error({ err }, 'redis failed');
    expect(c.text()).not.toContain(SECRET_VALUE);
    expect(c.text()).not.toContain(key);
    const line = c.last();
    expect(line.err.message).toMatch(/^WRONGTYPE/);
    expect(line.err.command).toBe('lpush');
    expect(line.err.type).toBe('ReplyError');
  });

  it('an error whose message echoes the arguments is cut before them, in child loggers too', async () => {
    const err = await redis.call('NOSUCHCOMMAND', SECRET_VALUE).then(() => null, (e: unknown) => e as Error);
    expect(String(err?.message)).toContain(SECRET_VALUE);
    const c = captured();
    c.logger.child({ platform: 'dingtalk' }).warn({ err }, 'odd');
    c.logger.warn({ err: err!.message }, 'as a string');
    expect(c.text()).not.toContain(SECRET_VALUE);
    expect(c.last().err).toMatch(/unknown command/);
  });

  it('a cause chain is serialized the same way', () => {
    const inner = Object.assign(new Error('inner'), { command: { name: 'hset', args: ['k', SECRET_VALUE] } });
    const c = captured();
    c.logger.error({ err: new Error('outer', { cause: inner }) }, 'wrapped');
    expect(c.text()).not.toContain(SECRET_VALUE);
    expect(c.last().err.cause.command).toBe('hset');
  });
});

describe('redaction', () => {
  const env = {
    DINGTALK_CLIENT_ID: 'ding-client', DINGTALK_CLIENT_SECRET: 'dt-secret-000111222',
    WECOM_TOKEN: 'wecomtoken123', WECOM_ENCODING_AES_KEY: 'A'.repeat(43), WECOM_CORP_ID: 'corp', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'wc-secret-333444555',
  };
  const secrets = ['dt-secret-000111222', 'wecomtoken123', 'A'.repeat(43), 'wc-secret-333444555', 'robot-key-999', 'dt-access-888', 'SECxyz777', 'sess-token-555', 'resp-code-444'];

  it('config objects, env snapshots, binding channels and reply URLs never reach the output', () => {
    const c = captured('debug');
    c.logger.info({ dingtalk: parseDingtalkConfig(env) }, 'dingtalk config');
    c.logger.info({ wecom: loadWecomConfig(env) }, 'wecom config');
    c.logger.info({ env }, 'environment');
    c.logger.warn({ binding: { chatId: 'g1', channel: { webhookKey: 'robot-key-999', webhookToken: 'dt-access-888', webhookSecret: 'SECxyz777' } } }, 'binding');
    c.logger.warn({ sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=sess-token-555' }, 'dt');
    c.logger.warn({ msg: { response_url: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=resp-code-444' } }, 'wc');
    c.logger.warn({ m: { responseUrl: 'https://qyapi.weixin.qq.com/x?response_code=resp-code-444' } }, 'wc');
    c.logger.warn({ job: { route: { data: { sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=sess-token-555' } } } }, 'queued');
    const out = c.text();
    for (const s of secrets) expect(out, s).not.toContain(s);
    expect(out).toContain('[redacted]');
    expect(out).toContain('ding-client'); // non-secret fields stay readable
  });
});

describe('lazyChild', () => {
  it('makes the child only when something is logged at an enabled level, with its bindings', () => {
    const c = captured('warn');
    let made = 0;
    const log = lazyChild(c.logger, () => { made++; return { msgId: 'm-1', platform: 'wecom' }; });
    log.info('not at warn');
    log.debug({ x: 1 }, 'nor this');
    expect(made).toBe(0);
    expect(c.text()).toBe('');
    log.warn({ n: 2 }, 'logged');
    log.error('again');
    expect(made).toBe(1);
    expect(c.last()).toMatchObject({ msg: 'again', msgId: 'm-1', platform: 'wecom', level: 50 });
    expect(JSON.parse(c.text().split('\n')[0]!)).toMatchObject({ msg: 'logged', n: 2, msgId: 'm-1' });
    expect(log.isLevelEnabled('info')).toBe(false);
  });
});
