import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDingtalk, type DingtalkHandle } from '../../../src/bot/dingtalk/index.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { makeEvidenceWorld, sha256, type EvidenceWorld } from '../evidence-world.js';
import { fixture, makeAdapterEnv, until, type TestAdapterEnv } from './context.js';
import { pngOfSize } from '../../evidence/samples.js';

// Computed here with node:crypto, independently of src/bot/dingtalk/signature.ts.
const sign = (ts: string, secret: string) => createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');

/** Evidence through the HTTP-mode callback: the picture is downloaded when the queued message is applied, not before the 200. */
describe('DingTalk evidence intake (HTTP mode)', () => {
  let fake: FakeDingtalk;
  let w: EvidenceWorld;
  let env: TestAdapterEnv;
  let dt: DingtalkHandle;
  let group: string;

  const post = (body: unknown) => {
    const ts = String(Date.now());
    return fetch(`${env.appUrl}/dingtalk/callback`, {
      method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', timestamp: ts, sign: sign(ts, fake.clientSecret) }, body: JSON.stringify(body),
    });
  };
  const msg = (over: Record<string, unknown>) => fixture('group-richtext', {
    conversationId: group, sessionWebhook: fake.api.newSession(Date.now() + 5_400_000), sessionWebhookExpiredTime: Date.now() + 5_400_000, ...over,
  });

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    w = await makeEvidenceWorld();
    await w.open.services.directory.putUsers([{ platform: 'dingtalk', userId: '166501234698', name: '王静', department: '综合办公室', role: 'office' }]);
    group = `cidH${w.ledgerId}==`;
    await w.open.services.directory.bind({ platform: 'dingtalk', chatId: group, ledgerId: w.ledgerId, channel: {}, boundAt: new Date().toISOString() });
    env = await makeAdapterEnv({ env: fake.env({ DINGTALK_MODE: 'http', DINGTALK_DOWNLOAD_HOSTS: '127.0.0.1' }), handle: (m) => w.pipeline.run(m) });
    env.ctx.files = w.files;
    dt = (await startDingtalk(env.ctx, { timeoutMs: 2_000 }))!;
  });
  afterAll(async () => {
    await dt.stop();
    await env.close();
    await w.close();
    await fake.close();
  });

  it('a richText "进展 …" with a picture, posted twice (a retry), attaches the picture once', async () => {
    const png = pngOfSize(10_000);
    const code = fake.media.hold(png, fake.clientId);
    const m = msg({ content: { richText: [{ text: '进展 一.1.3 ' }, { type: 'picture', downloadCode: code }, { text: '现场照片' }] } });
    const before = fake.api.sessionSends.length;
    expect((await post(m)).status).toBe(200);
    expect((await post(m)).status).toBe(200);
    await until(() => fake.api.sessionSends.length > before, 10_000, 'the answer');
    await env.settle(dt);
    const sent = fake.api.sessionSends.slice(before);
    expect(sent).toHaveLength(1);
    expect((sent[0]!.body.markdown as { text: string }).text).toContain('已为 **一.1.3** 添加佐证材料');
    expect((await w.records('一.1.3')).map((r) => r.sha256)).toEqual([sha256(png)]);
    expect(fake.media.downloadCalls.filter((c) => c.body.downloadCode === code)).toHaveLength(1);
  });
});
