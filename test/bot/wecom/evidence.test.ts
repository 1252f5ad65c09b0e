import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aesKeyFrom } from '../../../src/bot/wecom/crypto.js';
import type { User } from '../../../src/store/directory.js';
import { FakeCallbacks } from '../../fakes/wecom/callbacks.js';
import { FakeWecomMedia } from '../../fakes/wecom/media.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { PDF_MIN, ooxml, pngOfSize } from '../../evidence/samples.js';
import { makeEvidenceWorld, sha256, type EvidenceWorld } from '../evidence-world.js';
import { KEYS, startHarness, uid, type Harness } from './harness.js';

/**
 * Evidence over the WeCom AI bot, end to end: encrypted callbacks, the durable
 * inbound queue, the real pipeline, media downloaded from the fake media host
 * (AES-256-CBC, per-message aeskey) and the real evidence service.
 */
describe('WeCom AI bot evidence intake (real pipeline and evidence store)', () => {
  const fake = new FakeWecomServer();
  const media = new FakeWecomMedia();
  const bot = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: '' });
  const LIMIT = 128 * 1024;
  let w: EvidenceWorld;
  let h: Harness;
  let group: string;

  /** Sends an AI bot callback and returns the answer: the passive reply, or the response_url post when the answer came later. */
  async function send(msg: Record<string, unknown>): Promise<string> {
    const responses = fake.of('response').length;
    const cb = bot.aibot({ msgid: uid('m'), aibotid: 'AIBOTID', response_url: fake.newResponseUrl(), ...msg });
    const res = await fetch(`${h.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
    expect(res.status).toBe(200);
    const body = await res.text();
    // A passive answer means the message was applied (the answer is stored after the attachment).
    if (body) return JSON.parse(bot.openJsonReply(body, cb.nonce).plain).stream.content as string;
    const [late] = (await fake.waitFor('response', responses + 1)).slice(responses);
    return late!.body.markdown.content as string;
  }
  const inGroup = (userid: string) => ({ chatid: group, chattype: 'group', from: { userid } });
  const text = (userid: string, content: string) => ({ ...inGroup(userid), msgtype: 'text', text: { content: `@整改督办 ${content}` } });

  beforeAll(async () => {
    await fake.start();
    await media.start();
    w = await makeEvidenceWorld({ maxBytes: LIMIT });
    await w.open.services.directory.putUsers([
      { platform: 'wecom', userId: 'wangjing', name: '王静', department: '综合办公室', role: 'office' },
      { platform: 'wecom', userId: 'chenmin', name: '陈敏', department: '政治部', role: 'owner' },
    ] as User[]);
    group = uid('wrk');
    const boundAt = new Date().toISOString();
    await w.open.services.directory.bind({ platform: 'wecom', chatId: group, ledgerId: w.ledgerId, channel: {}, boundAt });
    await w.open.services.directory.bind({ platform: 'wecom', chatId: 'chenmin', ledgerId: w.ledgerId, channel: {}, boundAt });
    h = await startHarness({
      env: { WECOM_API_BASE: fake.url, WECOM_REPLY_BUDGET_MS: '4000', WECOM_DOWNLOAD_HOSTS: '127.0.0.1' },
      handle: (m) => w.pipeline.run(m),
      getBinding: (p, c) => w.open.services.directory.getBinding(p, c),
      files: w.files,
    });
  });
  afterAll(async () => {
    await h?.stop();
    await w?.close();
    await media.close();
    await fake.stop();
  });
  beforeEach(() => {
    media.urlHost = '127.0.0.1';
  });

  it('an image sent right after a 进展 is decrypted with its aeskey and attached, sha256 intact', async () => {
    expect(await send(text('wangjing', '进展 一.3.1 已补充会议记录'))).toContain('已记录进展');
    const png = pngOfSize(20_000);
    const m = media.hold(png);
    const answer = await send({ ...inGroup('wangjing'), msgtype: 'image', image: { url: m.url, aeskey: m.aeskey } });
    expect(answer).toContain('已为 **一.3.1** 添加佐证材料');
    const [rec, ...more] = await w.records('一.3.1');
    expect(more).toEqual([]);
    expect(rec).toMatchObject({ sha256: sha256(png), size: png.length, kind: 'image', by: { platform: 'wecom', userId: 'wangjing', name: '王静' } });
    expect((await w.open.services.evidence!.bytes(rec!))!.equals(png)).toBe(true);
  });

  it('a mixed message (text "… 已完成" + images) attaches every image to that measure', async () => {
    const a = pngOfSize(5_000);
    const b = pngOfSize(6_000);
    const ma = media.hold(a);
    const mb = media.hold(b);
    const answer = await send({
      ...inGroup('wangjing'), msgtype: 'mixed',
      mixed: { msg_item: [
        { msgtype: 'text', text: { content: '@整改督办 二.1.1 已完成 任免手续已办结' } },
        { msgtype: 'image', image: { url: ma.url, aeskey: ma.aeskey } },
        { msgtype: 'image', image: { url: mb.url, aeskey: mb.aeskey } },
      ] },
    });
    expect(answer).toContain('已申报完成');
    expect(answer).toContain('已为 **二.1.1** 添加佐证材料 2 份');
    expect((await w.records('二.1.1')).map((r) => r.sha256).sort()).toEqual([sha256(a), sha256(b)].sort());
  });

  it('a file in the 1:1 chat takes its name from Content-Disposition', async () => {
    const single = { chattype: 'single', from: { userid: 'chenmin' } };
    expect(await send({ ...single, msgtype: 'text', text: { content: '进展 三.2.5 制度已修订' } })).toContain('已记录进展');
    const docx = await ooxml('word');
    const m = media.hold(docx, { fileName: '问责办法（修订稿）.docx' });
    const answer = await send({ ...single, msgtype: 'file', file: { url: m.url, aeskey: m.aeskey } });
    expect(answer).toContain('已为 **三.2.5** 添加佐证材料：问责办法（修订稿）.docx');
    const [rec] = await w.records('三.2.5');
    expect(rec).toMatchObject({ name: '问责办法（修订稿）.docx', kind: 'word', sha256: sha256(docx) });
  });

  it('an image without its own aeskey (webhook callbacks) is decrypted with the callback key', async () => {
    await send(text('wangjing', '进展 一.3.2 补充'));
    const m = media.hold(PDF_MIN, { key: aesKeyFrom(KEYS.encodingAesKey) });
    expect(m.aeskey).toBeUndefined();
    expect(await send({ ...inGroup('wangjing'), msgtype: 'file', file: { url: m.url } })).toContain('已为 **一.3.2** 添加佐证材料');
    expect((await w.records('一.3.2')).map((r) => r.sha256)).toEqual([sha256(PDF_MIN)]);
  });

  it('a 502 from the media host is retried; a repeated callback (same msgid) attaches once', async () => {
    await send(text('wangjing', '进展 一.3.3 补充'));
    const png = pngOfSize(4_000);
    const m = media.hold(png);
    media.fail502(1);
    const gets = media.gets.length;
    const msgid = uid('m');
    const msg = { ...inGroup('wangjing'), msgid, msgtype: 'image', image: { url: m.url, aeskey: m.aeskey } };
    expect(await send(msg)).toContain('已为 **一.3.3** 添加佐证材料');
    expect(media.gets.slice(gets).map((g) => g.status)).toEqual([502, 200]);
    // WeCom retries a callback it got no answer to: same msgid, same outcome, nothing new stored.
    expect(await send(msg)).toContain('已为 **一.3.3** 添加佐证材料');
    expect(media.gets.length - gets).toBe(2);
    expect((await w.records('一.3.3')).map((r) => r.sha256)).toEqual([sha256(png)]);
  });

  it('a media URL outside WECOM_DOWNLOAD_HOSTS is refused without a GET', async () => {
    await send(text('wangjing', '进展 一.3.4 补充'));
    media.urlHost = 'localhost';
    const m = media.hold(pngOfSize(1_000));
    const gets = media.gets.length;
    expect(await send({ ...inGroup('wangjing'), msgtype: 'image', image: { url: m.url, aeskey: m.aeskey } })).toContain('图片未保存：下载地址不在允许的范围内');
    expect(media.gets.length).toBe(gets);
    expect(await w.records('一.3.4')).toEqual([]);
  });

  it('an oversize image is refused with a reply and nothing stored', async () => {
    await send(text('wangjing', '进展 二.1.2 补充'));
    const m = media.hold(pngOfSize(LIMIT * 3));
    const stored = (await w.stored()).length;
    expect(await send({ ...inGroup('wangjing'), msgtype: 'image', image: { url: m.url, aeskey: m.aeskey } })).toContain('图片未保存：超过 128 KB 的上限');
    expect(await w.records('二.1.2')).toEqual([]);
    expect((await w.stored()).length).toBe(stored);
  });

  it('an image decrypted with the wrong key stores nothing and says so', async () => {
    await send(text('wangjing', '进展 二.2.1 补充'));
    // Fixed keys, so the outcome does not depend on what random garbage the wrong key yields.
    const m = media.hold(pngOfSize(1_000), { key: Buffer.alloc(32, 3), announce: true });
    const wrong = Buffer.alloc(32, 9).toString('base64');
    expect(await send({ ...inGroup('wangjing'), msgtype: 'image', image: { url: m.url, aeskey: wrong } })).toContain('图片未保存：文件无法解密或已损坏');
    expect(await w.records('二.2.1')).toEqual([]);
  });
});
