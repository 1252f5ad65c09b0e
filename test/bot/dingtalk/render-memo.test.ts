import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/core/message.js';
import { renderReply, webhookBody, webhookJson } from '../../../src/bot/dingtalk/render.js';

// renderReply remembers the messages of an answer it rendered (keyed by its markdown) and gives
// them again only for the same reply fields and options; what it gives cannot be changed.
const md = `### 整改进度\n🔴 逾期 **1** 项\n${'- 第一方面 ▓▓▓░ 75%\n'.repeat(30)}`;
const reply = (over: Partial<Reply> = {}): Reply => ({ title: '整改进度', markdown: md, text: '整改进度', mentions: [], ...over });
const wh = { maxBytes: 20_000, canMention: true, lightStyle: 'emoji' as const };

describe('renderReply remembers a rendering', () => {
  it('the same answer with the same options: the very same frozen messages and body', () => {
    const a = renderReply(reply(), wh);
    const b = renderReply(reply(), wh);
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a[0])).toBe(true);
    expect(() => { (a[0] as { text: string }).text = 'x'; }).toThrow();
    expect(webhookJson(a[0]!)).toBe(JSON.stringify(webhookBody(a[0]!)));
    expect(webhookJson(a[0]!)).toBe(webhookJson(b[0]!));
  });

  it('any other field or option renders afresh, as without the memory', () => {
    const base = renderReply(reply(), wh);
    const variants: Array<[Partial<Reply>, typeof wh & { personalUserId?: string }]> = [
      [{ title: '整改进度（复核）' }, wh],
      [{ mentions: [{ userId: 'u1', name: '陈敏' }] }, wh],
      [{ mentions: [{ userId: 'u2', name: '陈敏' }] }, wh],
      [{ personal: true }, { ...wh, personalUserId: 'u9' }],
      [{ link: { title: '打开整改看板', url: 'https://rb.example.cn/d/1' } }, wh],
      [{ link: { title: '打开整改看板', url: 'https://rb.example.cn/d/2' } }, wh],
      [{}, { ...wh, canMention: false }],
      [{}, { ...wh, lightStyle: 'font' as never }],
      [{}, { ...wh, maxBytes: 2_000 }],
    ];
    for (const [over, o] of variants) {
      const got = renderReply(reply(over), o);
      expect(got).not.toBe(base);
      // The same as a rendering of a reply with a markdown never seen (a copy of the string is another key only by content: add a space the renderer trims).
      const fresh = renderReply(reply({ ...over, markdown: `${md}   ` }), o);
      expect(got).toEqual(fresh);
    }
    // And the first rendering comes back for the first reply again.
    expect(renderReply(reply(), wh)).toEqual(base);
  });
});
