import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDingtalk, type DingtalkHandle } from '../../../src/bot/dingtalk/index.js';
import { FakeDingtalk } from '../../fakes/dingtalk/server.js';
import { makeEvidenceWorld, sha256, type EvidenceWorld } from '../evidence-world.js';
import { fixture, makeAdapterEnv, until, type TestAdapterEnv } from './context.js';
import { PDF_MIN, pngOfSize } from '../../evidence/samples.js';

/**
 * Evidence over DingTalk Stream mode, end to end: robot frames from the fake
 * gateway, the durable inbound queue, the real pipeline, the download through
 * the fake's messageFiles/download and its OSS host, the real evidence service.
 */
describe('DingTalk evidence intake (Stream mode, real pipeline and evidence store)', () => {
  let fake: FakeDingtalk;
  let w: EvidenceWorld;
  let env: TestAdapterEnv;
  let dt: DingtalkHandle;
  const OFFICE = '166501234698'; // senderStaffId of the group fixtures
  const OWNER = 'manager0042'; // senderStaffId of private-text.json
  let group: string;
  let oneToOne: string;
  const LIMIT = 256 * 1024;

  /** Pushes a robot message and waits for its answer (sessionWebhook); returns the answer's text. */
  const push = async (msg: Record<string, unknown>): Promise<string> => {
    const before = fake.api.sessionSends.length;
    await fake.stream.waitAck(fake.stream.pushRobot({
      ...msg, sessionWebhook: fake.api.newSession(Date.now() + 5_400_000), sessionWebhookExpiredTime: Date.now() + 5_400_000,
    }));
    await until(() => fake.api.sessionSends.length > before, 10_000, 'the answer');
    await env.settle(dt);
    return (fake.api.sessionSends.slice(before).map((s) => (s.body.markdown as { text: string } | undefined)?.text ?? (s.body.text as { content: string }).content)).join('\n');
  };
  const groupText = (text: string) => fixture('group-text', { conversationId: group, text: { content: ` ${text}` } });
  const richText = (parts: unknown[]) => fixture('group-richtext', { conversationId: group, content: { richText: parts } });
  const picture = (code: string) => ({ type: 'picture', downloadCode: code, pictureDownloadCode: `p${code}` });

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    w = await makeEvidenceWorld({ maxBytes: LIMIT });
    await w.open.services.directory.putUsers([
      { platform: 'dingtalk', userId: OFFICE, name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'dingtalk', userId: OWNER, name: '陈敏', department: '政治部', role: 'owner' },
    ]);
    group = `cid${w.ledgerId}==`;
    oneToOne = `cidP${w.ledgerId}==`;
    const boundAt = new Date().toISOString();
    await w.open.services.directory.bind({ platform: 'dingtalk', chatId: group, ledgerId: w.ledgerId, channel: {}, boundAt });
    await w.open.services.directory.bind({ platform: 'dingtalk', chatId: oneToOne, ledgerId: w.ledgerId, channel: {}, boundAt });
    env = await makeAdapterEnv({ env: fake.env({ DINGTALK_DOWNLOAD_HOSTS: '127.0.0.1' }), handle: (m) => w.pipeline.run(m) });
    env.ctx.files = w.files;
    env.ctx.evidence = w.open.services.evidence;
    dt = (await startDingtalk(env.ctx, { retryDelayMs: 5 }))!;
    await until(() => dt.supervisor!.connected);
  });
  afterAll(async () => {
    await dt.stop();
    await env.close();
    await w.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.media.urlHost = '127.0.0.1';
    fake.media.sendLength = true;
  });

  it('a group richText "… 已完成" with a picture attaches the picture to that measure, bytes and sha256 intact', async () => {
    const png = pngOfSize(40_000);
    const code = fake.media.hold(png, fake.clientId);
    const gets = fake.media.gets.length;
    const answer = await push(richText([{ text: '二.1.1 已完成 ' }, picture(code), { text: '任免文件已印发' }]));
    expect(answer).toContain('已申报完成');
    expect(answer).toMatch(/已为 \*\*二\.1\.1\*\* 添加佐证材料：.+\.png（39\.1 KB）/);
    const [rec, ...more] = await w.records('二.1.1');
    expect(more).toEqual([]);
    expect(rec).toMatchObject({ sha256: sha256(png), size: png.length, kind: 'image', by: { platform: 'dingtalk', userId: OFFICE, name: '王静' } });
    expect((await w.open.services.evidence!.bytes(rec!))!.equals(png)).toBe(true);
    // The code was exchanged with the app's robotCode, and the OSS GET carried no Content-Type.
    expect(fake.media.downloadCalls.at(-1)).toMatchObject({ body: { downloadCode: code, robotCode: fake.clientId }, status: 200 });
    const get = fake.media.gets.slice(gets);
    expect(get.map((g) => g.status)).toEqual([200]);
    expect(get[0]!.headers['content-type']).toBeUndefined();
  });

  it('a picture sent alone right after a 进展 attaches to that measure; a redelivered frame attaches nothing twice', async () => {
    expect(await push(groupText('进展 一.3.1 已补充会议记录'))).toContain('已记录进展');
    const jpg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5_000, 1), Buffer.from([0xff, 0xd9])]);
    const code = fake.media.hold(jpg, fake.clientId);
    const msg = richText([picture(code)]);
    const answer = await push(msg);
    expect(answer).toContain('已为 **一.3.1** 添加佐证材料');
    // The same message delivered again (a Stream redelivery): the inbound queue applies it once.
    const calls = fake.media.downloadCalls.length;
    await fake.stream.waitAck(fake.stream.pushRobot(msg));
    await env.settle(dt);
    const recs = await w.records('一.3.1');
    expect(recs.map((r) => r.sha256)).toEqual([sha256(jpg)]);
    expect(fake.media.downloadCalls.length).toBe(calls);
  });

  it('a re-run of an applied message (crash before acknowledging) downloads again but attaches once', async () => {
    const png = pngOfSize(3_000);
    const code = fake.media.hold(png, fake.clientId);
    const msg = { platform: 'dingtalk' as const, chatId: group, chatType: 'group' as const, messageId: `rerun-${w.ledgerId}`, senderId: OFFICE, text: '进展 一.3.2 补充照片', files: [{ type: 'image' as const, ref: code }] };
    const first = (await w.pipeline.run(msg))!;
    const again = (await w.pipeline.run(msg))!;
    expect(first.markdown).toContain('已为 **一.3.2** 添加佐证材料');
    expect(again.markdown).toContain('已为 **一.3.2** 添加佐证材料');
    expect((await w.records('一.3.2')).map((r) => r.sha256)).toEqual([sha256(png)]);
  });

  it('a file in a 1:1 chat after a 进展 attaches under its own name', async () => {
    const one = (text: string) => fixture('private-text', { conversationId: oneToOne, text: { content: text } });
    expect(await push(one('进展 三.2.2 制度文本已下发'))).toContain('已记录进展');
    const code = fake.media.hold(PDF_MIN, fake.clientId, '关于印发制度的通知.pdf');
    const answer = await push(fixture('private-text', { conversationId: oneToOne, msgtype: 'file', text: undefined, content: { downloadCode: code, fileName: '关于印发制度的通知.pdf', fileId: 'f1', spaceId: 's1' } }));
    expect(answer).toContain('已为 **三.2.2** 添加佐证材料：关于印发制度的通知.pdf（');
    const [rec] = await w.records('三.2.2');
    expect(rec).toMatchObject({ name: '关于印发制度的通知.pdf', kind: 'pdf', sha256: sha256(PDF_MIN), by: { userId: OWNER } });
  });

  it('in an unbound 1:1 chat (ledger from the directory) a picture sent alone after a 进展 attaches too', async () => {
    const unbound = `cidU${w.ledgerId}==`;
    expect(await w.open.services.directory.getBinding('dingtalk', unbound)).toBeNull();
    const one = (text: string) => fixture('private-text', { conversationId: unbound, text: { content: text } });
    // Other test files' ledgers may share this database: pick this one as a person in several would.
    expect(await push(one(`切换 ${w.ledgerId}`))).toContain(w.ledgerId);
    expect(await push(one('进展 三.2.2 已组织学习'))).toContain('已记录进展');
    const png = pngOfSize(2048);
    const code = fake.media.hold(png, fake.clientId, '学习现场.png');
    const answer = await push(fixture('private-text', { conversationId: unbound, msgtype: 'picture', text: undefined, content: { downloadCode: code } }));
    expect(answer).toContain('已为 **三.2.2** 添加佐证材料');
    expect((await w.records('三.2.2')).map((r) => r.sha256)).toContain(sha256(png));
  });

  it('a file quoted with @bot in a group, with a 进展 as the text, attaches to that measure', async () => {
    const code = fake.media.hold(PDF_MIN, fake.clientId, '整改台账.pdf');
    const msg = fixture('group-text', {
      conversationId: group,
      text: { content: ' 进展 二.3.1 台账已更新', isReplyMsg: true, repliedMsg: { msgType: 'file', content: { downloadCode: code, fileName: '整改台账.pdf' } } },
    });
    const answer = await push(msg);
    expect(answer).toContain('已记录进展');
    expect(answer).toContain('已为 **二.3.1** 添加佐证材料：整改台账.pdf');
    expect((await w.records('二.3.1')).map((r) => r.name)).toEqual(['整改台账.pdf']);
  });

  it('a 502 from the download host is retried', async () => {
    await push(groupText('进展 一.3.3 补充'));
    const png = pngOfSize(2_000);
    const code = fake.media.hold(png, fake.clientId);
    const gets = fake.media.gets.length;
    fake.media.fail502(1);
    expect(await push(richText([picture(code)]))).toContain('已为 **一.3.3** 添加佐证材料');
    expect(fake.media.gets.slice(gets).map((g) => g.status)).toEqual([502, 200]);
    expect((await w.records('一.3.3')).map((r) => r.sha256)).toEqual([sha256(png)]);
  });

  it('a download URL on a host outside DINGTALK_DOWNLOAD_HOSTS is refused without a GET', async () => {
    await push(groupText('进展 一.3.4 补充'));
    fake.media.urlHost = 'localhost'; // the same server under a name that is not allow-listed
    const code = fake.media.hold(pngOfSize(2_000), fake.clientId);
    const gets = fake.media.gets.length;
    const answer = await push(richText([picture(code)]));
    expect(answer).toContain('图片未保存：下载地址不在允许的范围内');
    expect(fake.media.gets.length).toBe(gets);
    expect(await w.records('一.3.4')).toEqual([]);
  });

  it.each([
    ['announced by Content-Length', true],
    ['only found while reading (chunked)', false],
  ])('an oversize picture (%s) is refused with a reply and nothing stored', async (_n, withLength) => {
    await push(groupText('进展 二.1.2 补充'));
    fake.media.sendLength = withLength;
    const big = pngOfSize(LIMIT * 4);
    const code = fake.media.hold(big, fake.clientId);
    const stored = (await w.stored()).length;
    const answer = await push(richText([picture(code)]));
    expect(answer).toContain('图片未保存：超过 256 KB 的上限');
    expect(await w.records('二.1.2')).toEqual([]);
    expect((await w.stored()).length).toBe(stored);
  });

  it('a picture with no recent 进展/完成 is not downloaded; the sender is told how to attach', async () => {
    const code = fake.media.hold(pngOfSize(1_000), fake.clientId);
    const calls = fake.media.downloadCalls.length;
    // A member who has reported nothing in this chat yet.
    const answer = await push(fixture('group-richtext', { conversationId: group, senderStaffId: 'nobody01', content: { richText: [picture(code)] } }));
    expect(answer).toContain('还不知道它属于哪一项整改');
    expect(answer).toContain('请先发送“进展 编号 说明”（如“进展 3.2 已起草制度初稿”）');
    expect(fake.media.downloadCalls.length).toBe(calls);
  });

  it('a picture with a command that is not 进展/完成 is not attached, and says why', async () => {
    const code = fake.media.hold(pngOfSize(1_000), fake.clientId);
    const answer = await push(richText([{ text: '查看 二.1.1' }, picture(code)]));
    expect(answer).toContain('图片未保存：图片和文件只随“进展”“完成”添加到事项');
    expect(fake.media.downloadCalls.some((c) => c.body.downloadCode === code)).toBe(false);
  });
});
