import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startService } from '../../src/main.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { configuredPlatformVars } from '../../src/app/demo.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { testRedisUrl } from '../helpers/redis.js';

/** Its own database (63: outside the per-worker range and the other files' fixed ones), emptied before each test. */
const url = testRedisUrl().replace(/\/\d+$/, '/63');
const bin = path.resolve('bin/rectify.js');
let open: OpenServices | null = null;
const services = async () => (open ??= await openServices({ redisUrl: url })).services;
afterAll(async () => { await open?.close(); });
beforeEach(async () => { await (await services(), open!.redis).flushdb(); });

async function start(extra: Record<string, string> = {}) {
  const svc = await startService({ REDIS_URL: url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...extra });
  const ledgers = await svc.services.ledgers.listLedgers();
  await svc.stop();
  return ledgers;
}

describe('LOAD_DEMO=auto', () => {
  it('loads the demo into an empty Redis with no platform configured', async () => {
    expect(await start()).toEqual(['demo']);
  });

  it('never loads it while a platform is configured', async () => {
    expect(await start({ DINGTALK_MODE: 'off', DINGTALK_CLIENT_ID: 'dingxxxx', DINGTALK_CLIENT_SECRET: 'secret-value' })).toEqual([]);
    expect(await (await services()).directory.listUsers()).toEqual([]);
  });

  it('never loads it into a Redis that holds anything of ours (here: one user)', async () => {
    await (await services()).directory.putUsers([{ platform: 'dingtalk', userId: 'u1', name: '王静', department: '', role: 'office' }]);
    expect(await start()).toEqual([]);
  });

  it('never loads it into a Redis that holds a chat binding', async () => {
    await (await services()).directory.bind({ platform: 'wecom', chatId: 'g1', ledgerId: 'court', channel: { webhookKey: 'k' }, boundAt: new Date().toISOString() });
    expect(await start()).toEqual([]);
  });

  it.each([
    [{ WECOM_TOKEN: 't' }, ['WECOM_TOKEN']],
    [{ WECOM_ENCODING_AES_KEY: 'k', WECOM_CORP_ID: 'c' }, ['WECOM_ENCODING_AES_KEY', 'WECOM_CORP_ID']],
    [{ DINGTALK_CLIENT_SECRET: 's' }, ['DINGTALK_CLIENT_SECRET']],
    [{ DINGTALK_MODE: 'stream' }, ['DINGTALK_MODE']],
    [{ DINGTALK_MODE: 'off', WECOM_TOKEN: '  ' }, []],
    [{ SOME_WEBHOOK_URL: 'https://example' }, ['SOME_WEBHOOK_URL']],
    [{ PORT: '3000' }, []],
  ])('platform variables in %o → %o', (env, names) => {
    expect(configuredPlatformVars(env)).toEqual(names);
  });

  it('the demo console office is office of the demo ledger only', async () => {
    const s = await start();
    expect(s).toEqual(['demo']);
    const dir = (await services()).directory;
    expect(await dir.getUser('console', 'office')).toMatchObject({ role: 'viewer', ledgers: { demo: 'office' } });
  });
});

describe('rectify demo --remove', () => {
  it('removes demo users, chats and ledger, and leaves everything else', async () => {
    const s = await services();
    expect(await start()).toEqual(['demo']);
    // Things that are not the demo's: another ledger, a real user, a chat bound to it, and a console id reused by a real person.
    await s.ledgers.saveDoc(buildDemoDoc('court'));
    await s.directory.putUsers([
      { platform: 'dingtalk', userId: 'real', name: '赵磊', department: '督察室', role: 'office' },
      { platform: 'console', userId: 'viewer', name: '另一个人', department: '', role: 'viewer' },
    ]);
    await s.directory.bind({ platform: 'dingtalk', chatId: 'cid-court', ledgerId: 'court', channel: {}, boundAt: new Date().toISOString() });
    await s.directory.bind({ platform: 'wecom', chatId: 'g-demo', ledgerId: 'demo', channel: {}, boundAt: new Date().toISOString() });
    const courtKeys = (await open!.redis.keys('rb:{court}:*')).length;
    expect((await open!.redis.keys('rb:{demo}:*')).length).toBeGreaterThan(0);

    const r = spawnSync(process.execPath, [bin, 'demo', '--remove'], { encoding: 'utf8', env: { ...process.env, REDIS_URL: url, LOG_LEVEL: 'silent' }, timeout: 30000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/演示数据已移除：用户4个，群2个，台账数据\d+条。/);

    expect(await s.ledgers.listLedgers()).toEqual(['court']);
    expect(await s.ledgers.getLedger('demo')).toBeNull();
    expect(await open!.redis.keys('rb:{demo}:*')).toEqual([]);
    expect((await open!.redis.keys('rb:{court}:*')).length).toBe(courtKeys);
    expect((await s.directory.listUsers()).map((u) => `${u.platform}:${u.userId}`).sort()).toEqual(['console:viewer', 'dingtalk:real']);
    expect((await s.directory.listBindings()).map((b) => `${b.platform}:${b.chatId}`)).toEqual(['dingtalk:cid-court']);
    expect(await s.directory.accountsByName('王静')).toEqual([]);
  }, 30000);
});
