import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRef, IncomingMessage } from '../../src/core/message.js';
import { recentItemKey } from '../../src/store/recent-item.js';
import { PNG_1X1, plainZip } from '../evidence/samples.js';
import { makeEvidenceWorld, sha256, type EvidenceWorld } from '../bot/evidence-world.js';

/**
 * The association rule on the console platform, whose "download" is a lookup
 * in this test's own table (the FileFetcher port an adapter registers); the
 * pipeline, the recent-item keys in Redis and the evidence service are real.
 */
describe('evidence association rule', () => {
  let w: EvidenceWorld;
  const held = new Map<string, Buffer>();
  const fetched: string[] = [];
  let chat: string;

  beforeAll(async () => {
    w = await makeEvidenceWorld();
    chat = `chat-${w.ledgerId}`;
    await w.open.services.directory.bind({ platform: 'console', chatId: chat, ledgerId: w.ledgerId, channel: {}, boundAt: new Date().toISOString() });
    w.files.register('console', async (ref) => {
      fetched.push(ref.ref);
      return { bytes: held.get(ref.ref)!, ...(ref.name ? { name: ref.name } : {}) };
    });
  });
  afterAll(() => w.close());

  const file = (bytes: Buffer, name?: string): FileRef => {
    const ref = randomUUID();
    held.set(ref, bytes);
    return { type: name ? 'file' : 'image', ref, ...(name ? { name } : {}) };
  };
  const say = async (who: string, text: string, files?: FileRef[], o: Partial<IncomingMessage> = {}) =>
    (await w.pipeline.run({ platform: 'console', chatId: chat, chatType: 'group', messageId: randomUUID(), senderId: who, text, ...(files ? { files } : {}), ...o }))!.markdown;

  it('a 进展 makes its measure the sender\'s recent item for 10 minutes, for that sender only', async () => {
    await say('office', '进展 一.3.1 补充');
    const key = recentItemKey(w.ledgerId, 'console', chat, 'office');
    const ttl = await w.open.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    expect(JSON.parse((await w.open.redis.get(key))!)).toMatchObject({ code: '一.3.1' });
    // Another sender in the same chat has no recent item: nothing is downloaded.
    const f = file(PNG_1X1);
    expect(await say('owner', '', [f])).toContain('还不知道它属于哪一项整改');
    expect(fetched).not.toContain(f.ref);
  });

  it('"进展 <编号>" or "完成 <编号>" with a file and no words takes the file as its description', async () => {
    const png = Buffer.concat([PNG_1X1, Buffer.from('bare')]);
    const md = await say('office', '进展 三.1.1', [file(png)]);
    expect(md).toContain('已记录进展');
    expect(md).toContain('说明：（见所附图片）');
    expect((await w.records('三.1.1')).map((r) => r.sha256)).toEqual([sha256(png)]);
    // Without a file the same text still asks for the words.
    expect(await say('office', '进展 三.1.1')).toContain('请在编号后写上进展说明');
  });

  it('a bare code with a file is a 进展 of that measure (with its role check)', async () => {
    const png = Buffer.concat([PNG_1X1, Buffer.from('code')]);
    const md = await say('office', '三.2.1', [file(png)]);
    expect(md).toContain('已记录进展');
    expect(md).toContain('已为 **三.2.1** 添加佐证材料');
    expect((await w.records('三.2.1')).map((r) => r.sha256)).toEqual([sha256(png)]);
    const f = file(PNG_1X1);
    expect(await say('viewer', '三.2.1', [f])).toContain('图片未保存：这条指令未能完成');
    expect(fetched).not.toContain(f.ref);
    // Without a file a bare code still shows the measure.
    expect(await say('office', '三.2.1')).not.toContain('已记录进展');
  });

  it('a caption that is not a command counts as a picture sent alone', async () => {
    await say('office', '进展 一.3.2 补充');
    const png = Buffer.concat([PNG_1X1, Buffer.from('caption')]);
    expect(await say('office', '现场照片', [file(png)])).toContain('已为 **一.3.2** 添加佐证材料');
    expect((await w.records('一.3.2')).map((r) => r.sha256)).toEqual([sha256(png)]);
  });

  it('a refused command with a file stores nothing and says why; the recent item stays as it was', async () => {
    await say('office', '进展 一.3.3 补充');
    const f = file(PNG_1X1);
    const md = await say('viewer', '进展 一.3.4 补充', [f]);
    expect(md).toContain('图片未保存：这条指令未能完成');
    expect(fetched).not.toContain(f.ref);
    expect(await w.records('一.3.4')).toEqual([]);
  });

  it('a file of a type the evidence store refuses (a ZIP) is answered with its reason, nothing stored', async () => {
    await say('office', '进展 二.1.2 补充');
    const md = await say('office', '', [file(await plainZip(), '材料.zip')]);
    expect(md).toContain('“材料.zip”未保存：佐证材料只接受');
    expect(await w.records('二.1.2')).toEqual([]);
    // A name that hides the type is caught by the content sniffing of the evidence store.
    const md2 = await say('office', '', [file(await plainZip(), '材料.pdf')]);
    expect(md2).toContain('未保存');
    expect(await w.records('二.1.2')).toEqual([]);
  });

  it('every attachment restarts the window, so several pictures in a row attach to the same measure', async () => {
    await say('office', '进展 二.2.1 补充');
    const a = Buffer.concat([PNG_1X1, Buffer.from('a')]);
    const b = Buffer.concat([PNG_1X1, Buffer.from('b')]);
    await say('office', '', [file(a)]);
    await w.open.redis.pexpire(recentItemKey(w.ledgerId, 'console', chat, 'office'), 5_000);
    await say('office', '', [file(b)]);
    expect(await w.open.redis.pttl(recentItemKey(w.ledgerId, 'console', chat, 'office'))).toBeGreaterThan(5_000);
    expect((await w.records('二.2.1')).map((r) => r.sha256)).toEqual([sha256(a), sha256(b)]);
  });

  it('撤销 of a 进展 that carried a photo withdraws the photo (softly) and closes the recent-item window', async () => {
    const png = Buffer.concat([PNG_1X1, Buffer.from('undo')]);
    const alone = Buffer.concat([PNG_1X1, Buffer.from('undo-alone')]);
    expect(await say('office', '进展 二.3.1 已整改', [file(png)])).toContain('已为 **二.3.1** 添加佐证材料');
    expect(await say('office', '', [file(alone)])).toContain('已为 **二.3.1** 添加佐证材料');
    expect(await w.records('二.3.1')).toHaveLength(2);
    const md = await say('office', '撤销');
    expect(md).toContain('已撤销');
    expect(md).toContain('佐证材料一并撤下');
    expect(await w.records('二.3.1')).toEqual([]);
    const gone = await w.open.services.evidence!.removed(w.ledgerId, await w.itemId('二.3.1'));
    expect(gone.map((r) => r.sha256)).toEqual([sha256(png), sha256(alone)]);
    expect(gone.every((r) => r.removed?.why === '撤销')).toBe(true);
    expect(await w.open.redis.exists(recentItemKey(w.ledgerId, 'console', chat, 'office'))).toBe(0);
    const hist = await w.open.services.ledgers.history(w.ledgerId, await w.itemId('二.3.1'));
    expect(hist.map((e) => e.action)).toEqual(['进展', '佐证', '佐证', '撤销', '删除佐证', '删除佐证']);
    // The next picture attaches to nothing.
    const f = file(Buffer.concat([PNG_1X1, Buffer.from('after-undo')]));
    expect(await say('office', '', [f])).toContain('还不知道它属于哪一项整改');
    expect(fetched).not.toContain(f.ref);
  });

  it('"佐证材料" with a picture stays a caption; "佐证 <编号>" with a picture is a 进展 carrying it; "佐证" as text is help', async () => {
    await say('office', '进展 二.3.2 补充');
    const a = Buffer.concat([PNG_1X1, Buffer.from('cap-a')]);
    expect(await say('office', '佐证材料', [file(a)])).toContain('已为 **二.3.2** 添加佐证材料');
    const b = Buffer.concat([PNG_1X1, Buffer.from('cap-b')]);
    const md = await say('office', '佐证 三.2.2', [file(b)]);
    expect(md).toContain('已记录进展');
    expect(md).toContain('已为 **三.2.2** 添加佐证材料');
    expect((await w.records('二.3.2')).map((r) => r.sha256)).toEqual([sha256(a)]);
    expect((await w.records('三.2.2')).map((r) => r.sha256)).toEqual([sha256(b)]);
    expect(await say('office', '佐证')).toContain('佐证材料怎么发、怎么看');
    expect(await say('office', '佐证 二.3.2')).toContain('第1份');
  });

  it('完成 with a photo on a measure already 待销号 attaches the photo to it and says so', async () => {
    await say('office', '完成 二.1.1 材料齐全');
    const png = Buffer.concat([PNG_1X1, Buffer.from('pending')]);
    const md = await say('office', '完成 二.1.1 材料已补齐', [file(png)]);
    expect(md).toContain('已申报完成，正在等待整改办审核销号');
    expect(md).toContain('作为这次完成的佐证材料附在 二.1.1 上');
    expect(md).not.toContain('请按提示修改后连同');
    expect((await w.records('二.1.1')).map((r) => r.sha256)).toEqual([sha256(png)]);
    // A viewer's refused 完成 stays refused, with nothing stored.
    const f = file(Buffer.concat([PNG_1X1, Buffer.from('viewer')]));
    expect(await say('viewer', '完成 二.1.1 材料', [f])).toContain('未保存');
    expect(fetched).not.toContain(f.ref);
    expect(await w.records('二.1.1')).toHaveLength(1);
  });

  it('the same bytes sent again to the same measure are not stored twice', async () => {
    const png = Buffer.concat([PNG_1X1, Buffer.from('twice')]);
    await say('office', '进展 二.2.2 补充', [file(png)]);
    const files = (await w.stored()).length;
    const md = await say('office', '', [file(png)]);
    expect(md).toContain('该文件已作为第1份佐证材料上传过');
    expect(md).not.toContain('添加佐证材料');
    expect((await w.records('二.2.2')).map((r) => r.sha256)).toEqual([sha256(png)]);
    expect((await w.stored()).length).toBe(files);
  });

  it('查看 <编号> with a photo explains how to attach it, with that code', async () => {
    const md = await say('office', '查看 一.1.1', [file(PNG_1X1)]);
    expect(md).toContain('图片未保存');
    expect(md).toContain('进展 一.1.1 说明');
    expect(md).not.toContain('3.2');
  });
});
