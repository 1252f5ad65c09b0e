import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startService } from '../../src/main.js';
import { FakeDingtalk } from '../fakes/dingtalk/server.js';
import { FakeWecomServer } from '../fakes/wecom/server.js';
import { FakeCallbacks, aibotText } from '../fakes/wecom/callbacks.js';
import { fixture, until } from '../bot/dingtalk/context.js';
import { testRedisUrl } from '../helpers/redis.js';

/**
 * The composition root with both adapters on: DingTalk in Stream mode and
 * WeCom's AI bot, each pointed at its local fake, one ledger bound to a group
 * on each platform. This is what `npm start` runs.
 */
const WECOM = { token: 'RectifyMainTok', encodingAesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut' };

describe('npm start with DingTalk and WeCom configured', () => {
  let ding: FakeDingtalk;
  const wecom = new FakeWecomServer();
  const bot = new FakeCallbacks({ token: WECOM.token, encodingAesKey: WECOM.encodingAesKey, receiveId: '' });
  let svc: Awaited<ReturnType<typeof startService>>;
  const dingChat = `cid${randomUUID().slice(0, 8)}==`;
  const wecomChat = `wr${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    ding = await FakeDingtalk.start();
    await wecom.start();
    svc = await startService({
      ...ding.env(),
      WECOM_TOKEN: WECOM.token, WECOM_ENCODING_AES_KEY: WECOM.encodingAesKey, WECOM_API_BASE: wecom.url,
      REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/60'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent',
    });
    const dir = svc.services.directory;
    const boundAt = new Date().toISOString();
    await svc.services.ledgers.saveDoc((await import('../../src/ledger/demo.js')).buildDemoDoc('two-platforms'));
    await dir.bind({ platform: 'dingtalk', chatId: dingChat, ledgerId: 'two-platforms', channel: {}, boundAt });
    await dir.bind({ platform: 'wecom', chatId: wecomChat, ledgerId: 'two-platforms', channel: {}, boundAt });
    await dir.putUsers([{ platform: 'wecom', userId: 'wangjing', name: '王静', department: '综合办公室', role: 'office' }]);
    await until(() => Boolean(ding.stream.current()), 10_000, 'stream connection');
  }, 30_000);
  afterAll(async () => {
    await svc?.stop();
    await ding?.close();
    await wecom.stop();
  });

  const dingSays = async (text: string) => {
    const before = ding.api.sessionSends.length;
    const msg = fixture('group-text', {
      conversationId: dingChat, text: { content: ` ${text}` },
      sessionWebhook: ding.api.newSession(Date.now() + 3_600_000), sessionWebhookExpiredTime: Date.now() + 3_600_000,
    });
    const frame = ding.stream.pushRobot(msg);
    await ding.stream.waitAck(frame);
    await until(() => ding.api.sessionSends.length > before, 10_000, 'session webhook reply');
    return JSON.stringify(ding.api.sessionSends[before].body);
  };

  const wecomSays = async (userid: string, text: string) => {
    const cb = bot.aibot(aibotText({ msgid: randomUUID(), userid, chatid: wecomChat, content: `@整改督办 ${text}` }));
    const res = await fetch(`http://127.0.0.1:${svc.port}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
    expect(res.status).toBe(200);
    return JSON.parse(bot.openJsonReply(await res.text(), cb.nonce).plain).stream.content as string;
  };

  it('answers 进度 in the DingTalk group (Stream mode) and the WeCom group (AI bot) from one ledger', async () => {
    const d = await dingSays('进度');
    const w = await wecomSays('wangjing', '进度');
    for (const t of [d, w]) {
      expect(t).toContain('21条整改措施');
      expect(t).toContain('基本完成 1');
    }
  });

  it('a change made in WeCom is visible in DingTalk at once', async () => {
    expect(await wecomSays('wangjing', '二.1.1 已完成，任免手续已获批')).toContain('待销号');
    const d = await dingSays('进度');
    expect(d).toContain('待销号 1');
    expect(d).not.toContain('基本完成 1');
  });
});
