import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startService } from '../../src/main.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { FakeDingtalk } from '../fakes/dingtalk/server.js';
import { FakeWecomServer } from '../fakes/wecom/server.js';
import { FakeWecomMedia } from '../fakes/wecom/media.js';
import { FakeCallbacks } from '../fakes/wecom/callbacks.js';
import { fixture, until } from '../bot/dingtalk/context.js';
import { testRedisUrl } from '../helpers/redis.js';
import { pngOfSize } from '../evidence/samples.js';
import { sha256 } from '../bot/evidence-world.js';

const WECOM = { token: 'RectifyEvTok', encodingAesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut' };

/** The composition root wires the intake: both adapters register their downloaders and the pipeline attaches. */
describe('npm start: pictures become evidence on both platforms', () => {
  let ding: FakeDingtalk;
  const wecom = new FakeWecomServer();
  const media = new FakeWecomMedia();
  const bot = new FakeCallbacks({ token: WECOM.token, encodingAesKey: WECOM.encodingAesKey, receiveId: '' });
  let svc: Awaited<ReturnType<typeof startService>>;
  let dir: string;
  const L = `evs-${randomUUID().slice(0, 8)}`;
  const doc = buildDemoDoc(L);
  const dingChat = `cid${L}==`;
  const wecomChat = `wr${L}`;
  const idOf = (code: string) => doc.measures.find((m) => m.code === code)!.id;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rb-evsvc-'));
    ding = await FakeDingtalk.start();
    await wecom.start();
    await media.start();
    svc = await startService({
      ...ding.env(),
      WECOM_TOKEN: WECOM.token, WECOM_ENCODING_AES_KEY: WECOM.encodingAesKey, WECOM_API_BASE: wecom.url,
      DINGTALK_DOWNLOAD_HOSTS: '127.0.0.1', WECOM_DOWNLOAD_HOSTS: '127.0.0.1', EVIDENCE_DIR: dir,
      REDIS_URL: testRedisUrl().replace(/\/\d+$/, '/60'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent',
    });
    const boundAt = new Date().toISOString();
    await svc.services.ledgers.saveDoc(doc);
    await svc.services.directory.bind({ platform: 'dingtalk', chatId: dingChat, ledgerId: L, channel: {}, boundAt });
    await svc.services.directory.bind({ platform: 'wecom', chatId: wecomChat, ledgerId: L, channel: {}, boundAt });
    await svc.services.directory.putUsers([
      { platform: 'wecom', userId: 'wangjing', name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'dingtalk', userId: '166501234698', name: '王静', department: '综合办公室', role: 'office' },
    ]);
    await until(() => Boolean(ding.stream.current()), 10_000, 'stream connection');
  }, 30_000);
  afterAll(async () => {
    await svc?.stop();
    await ding?.close();
    await media.close();
    await wecom.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a DingTalk group richText "进展 …" with a picture', async () => {
    const png = pngOfSize(8_000);
    const code = ding.media.hold(png, ding.clientId);
    const before = ding.api.sessionSends.length;
    await ding.stream.waitAck(ding.stream.pushRobot(fixture('group-richtext', {
      conversationId: dingChat, sessionWebhook: ding.api.newSession(Date.now() + 3_600_000), sessionWebhookExpiredTime: Date.now() + 3_600_000,
      content: { richText: [{ text: '进展 一.1.1 ' }, { type: 'picture', downloadCode: code }] },
    })));
    await until(() => ding.api.sessionSends.length > before, 10_000, 'session webhook reply');
    expect(JSON.stringify(ding.api.sessionSends[before]!.body)).toContain('添加佐证材料');
    const recs = await svc.services.evidence!.list(L, idOf('一.1.1'));
    expect(recs.map((r) => r.sha256)).toEqual([sha256(png)]);
    expect((await svc.services.evidence!.bytes(recs[0]!))!.equals(png)).toBe(true);
  });

  it('a WeCom AI bot mixed message "进展 …" with an encrypted image', async () => {
    const png = pngOfSize(9_000);
    const m = media.hold(png);
    const cb = bot.aibot({
      msgid: randomUUID(), aibotid: 'AIBOTID', chatid: wecomChat, chattype: 'group', from: { userid: 'wangjing' }, response_url: wecom.newResponseUrl(),
      msgtype: 'mixed', mixed: { msg_item: [{ msgtype: 'text', text: { content: '@整改督办 进展 一.2.1 现场照片' } }, { msgtype: 'image', image: { url: m.url, aeskey: m.aeskey } }] },
    });
    const before = wecom.of('response').length;
    const res = await fetch(`http://127.0.0.1:${svc.port}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
    expect(res.status).toBe(200);
    const body = await res.text();
    const answer = body ? JSON.parse(bot.openJsonReply(body, cb.nonce).plain).stream.content as string
      : (await wecom.waitFor('response', before + 1, 10_000)).at(-1)!.body.markdown.content as string;
    expect(answer).toContain('已为 **一.2.1** 添加佐证材料');
    const recs = await svc.services.evidence!.list(L, idOf('一.2.1'));
    expect(recs.map((r) => r.sha256)).toEqual([sha256(png)]);
  });
});
