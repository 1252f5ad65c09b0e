import { describe, expect, it } from 'vitest';
import { parseRobotMessage, plainRobotMessage, robotMessageSchema, toIncoming } from '../../../src/bot/dingtalk/payload.js';
import { fixture } from './context.js';

const parse = (o: Record<string, unknown>) => {
  const m = parseRobotMessage(JSON.stringify(o));
  if (!m) throw new Error('fixture did not parse');
  return m;
};

describe('toIncoming', () => {
  it('maps a group text message (protocol example)', () => {
    const f = fixture('group-text', { msgId: 'msgLICYeFakeHgY4JtMQw==' });
    expect(toIncoming(parse(f))).toEqual({
      platform: 'dingtalk',
      chatId: 'cidAsXSBLnA9fake0000000==',
      chatType: 'group',
      messageId: 'msgLICYeFakeHgY4JtMQw==',
      senderId: '166501234698',
      senderName: '王科长',
      text: '进度',
    });
  });
  it('maps a private chat and keeps the text', () => {
    const m = toIncoming(parse(fixture('private-text')));
    expect(m).toMatchObject({ chatType: 'private', senderId: 'manager0042', text: '我的' });
  });
  it('lists other @-mentioned users by staffId and excludes the bot', () => {
    const m = toIncoming(parse(fixture('group-mentions')));
    expect(m?.mentions).toEqual([{ userId: 'zhangsan01' }]);
    expect(m?.text).toBe('二.3 进展 @张三 已提交材料');
  });
  it('strips a leading @bot text when the bot is the only mention', () => {
    expect(toIncoming(parse(fixture('group-text', { text: { content: '@整改督办 绑定 L-2024-01' } })))?.text).toBe('绑定 L-2024-01');
    expect(toIncoming(parse(fixture('group-text', { text: { content: '\u3000 绑定 L-2024-01 ' } })))?.text).toBe('绑定 L-2024-01');
  });
  it('keeps a leading @ when other users are mentioned (it may not be the bot)', () => {
    expect(toIncoming(parse(fixture('group-mentions', { text: { content: '@张三 3 完成' } })))?.text).toBe('@张三 3 完成');
  });
  it('joins richText parts and reads voice transcripts', () => {
    expect(toIncoming(parse(fixture('group-richtext')))?.text).toBe('3 完成 附整改材料');
    const audio = fixture('group-text', { msgtype: 'audio', text: undefined, content: { downloadCode: 'x', recognition: '进度' } });
    expect(toIncoming(parse(audio))?.text).toBe('进度');
  });
  it.each([
    ['a null part', [null, { text: '进度' }], '进度'],
    ['a number, a string and an array as parts', [3, 'x', [{ text: 'no' }], { text: '进度' }], '进度'],
    ['a part whose text is not a string', [{ text: 42 }, { text: { a: 1 } }, { text: '进度' }], '进度'],
    ['only pictures', [{ type: 'picture', downloadCode: 'd' }], ''],
  ])('reads a signed but odd richText (%s) without throwing', (_n, richText, text) => {
    const m = parse(fixture('group-richtext', { content: { richText } }));
    expect(m).not.toBeNull();
    expect(toIncoming(m!)?.text).toBe(text);
  });
  it('reads richText without a parts array, or with null content, as unreadable', () => {
    expect(toIncoming(parse(fixture('group-richtext', { content: { richText: null } })))).toBeNull();
    expect(toIncoming(parse(fixture('group-richtext', { content: null })))).toBeNull();
  });
  it('reads a picture as a file reference without text, and skips a picture without a download code or a video', () => {
    expect(toIncoming(parse(fixture('group-text', { msgtype: 'picture', content: { downloadCode: 'x' } })))).toMatchObject({ text: '', files: [{ type: 'image', ref: 'x' }] });
    expect(toIncoming(parse(fixture('group-text', { msgtype: 'picture', content: {} })))).toBeNull();
    expect(toIncoming(parse(fixture('group-text', { msgtype: 'video', content: { downloadCode: 'v', duration: 3 } })))).toBeNull();
  });
  it('falls back to the encrypted senderId for users outside the org', () => {
    expect(toIncoming(parse(fixture('group-text', { senderStaffId: undefined })))?.senderId).toBe('$:LWCP_v1:$fakeSenderjqTgIfhRX9Q==');
  });
  it('rejects malformed payloads', () => {
    expect(parseRobotMessage('{')).toBeNull();
    expect(parseRobotMessage('[]')).toBeNull();
    expect(parseRobotMessage(JSON.stringify({ msgId: 'x' }))).toBeNull();
    expect(parseRobotMessage(JSON.stringify(fixture('group-text', { conversationType: '3' })))).toBeNull();
  });
});

describe('parseRobotMessage without zod for the usual payload', () => {
  // Every field of every fixture set to each of these in turn (undefined: the field left out).
  const values: unknown[] = [undefined, null, 0, 7, -1.5, '', 'x', '1', '2', 'x'.repeat(256), 'x'.repeat(257), true, [], [{}], [null], [{ dingtalkId: 3 }], [{ staffId: 's', extra: 1 }], {}, { content: 'hi' }, { content: 3 }];
  const fields = ['msgId', 'msgtype', 'conversationId', 'conversationType', 'conversationTitle', 'senderId', 'senderStaffId', 'senderNick',
    'chatbotUserId', 'robotCode', 'createAt', 'atUsers', 'sessionWebhook', 'sessionWebhookExpiredTime', 'text', 'content', 'somethingNew'];
  const variants = ['group-text', 'private-text', 'group-mentions', 'group-richtext'].flatMap((name) => [
    fixture(name),
    ...fields.flatMap((f) => values.map((v) => fixture(name, { [f]: v }))),
  ]).map((o) => JSON.parse(JSON.stringify(o)) as unknown);

  it('takes the shortcut only for payloads the schema passes unchanged, and gives the schema\'s answer for every variant', () => {
    let plain = 0;
    let refused = 0;
    for (const v of variants) {
      const r = robotMessageSchema.safeParse(v);
      if (plainRobotMessage(v)) {
        plain++;
        expect(r.success).toBe(true);
        expect(v).toEqual(r.data);
      } else {
        refused++;
        // Only what the schema refuses, or changes (a numeric conversationType), goes to it.
        if (r.success) expect(typeof (v as { conversationType: unknown }).conversationType).toBe('number');
      }
      expect(parseRobotMessage(JSON.stringify(v))).toEqual(r.success ? r.data : null);
    }
    expect(plain).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('leaves a numeric conversationType to the schema, which reads it as text', () => {
    const v = JSON.parse(JSON.stringify(fixture('group-text', { conversationType: 2 }))) as unknown;
    expect(plainRobotMessage(v)).toBe(false);
    expect(parseRobotMessage(JSON.stringify(v))?.conversationType).toBe('2');
  });
});
