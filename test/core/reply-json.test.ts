import { describe, expect, it } from 'vitest';
import { doneRecordJson, replyJson, spreadWithOutcome } from '../../src/core/reply-json.js';
import { annotate } from '../../src/pipeline/approval.js';
import { ReplyBuilder } from '../../src/commands/reply.js';
import type { Reply } from '../../src/core/message.js';

// The stored record of an answer is exactly JSON.stringify's text, whether the answer was spread
// from a remembered (frozen) one or not.
const built = (title: string, over: Partial<Reply> = {}): Reply => ({ ...new ReplyBuilder(title).heading('标题 "引号" \\ 反斜杠').line('**加粗** 🔴 1 项').build(), ...over });

describe('replyJson and doneRecordJson', () => {
  it('give JSON.stringify’s text for spreads of frozen answers, plain answers and odd values', () => {
    const frozen = Object.freeze(built('整改进度'));
    const cases: unknown[] = [
      annotate(frozen, 'ok', { changes: [] }),
      annotate(frozen, 'ok', { changes: [], by: '王静' }),
      annotate(Object.freeze(built('有链接', { link: { title: '打开整改看板', url: 'https://x.cn/d?a=1&b=2' }, personal: true })), 'forbidden', { changes: [] }),
      annotate(built('未冻结'), 'ok', { changes: [] }),
      null, 'text', 0, { a: undefined, b: [1, null] },
    ];
    for (const c of cases) {
      expect(replyJson(c)).toBe(JSON.stringify(c));
      expect(doneRecordJson(c, 1796683666040)).toBe(JSON.stringify({ s: 'done', reply: c, at: 1796683666040 }));
    }
    expect(doneRecordJson(undefined, 5)).toBe(JSON.stringify({ s: 'done', reply: undefined, at: 5 }));
  });

  it('a spread changed after the fact is serialised afresh', () => {
    const frozen = Object.freeze(built('整改进度'));
    const out = annotate(frozen, 'ok', { changes: [] });
    const first = replyJson(out);
    (out as { actions?: unknown }).actions = { id: 'x', title: 't', subject: 's', fields: [], buttons: [] };
    expect(replyJson(out)).toBe(JSON.stringify(out));
    expect(replyJson(out)).not.toBe(first);
    // A base that already had an outcome is never composed.
    const had = Object.freeze({ ...built('已有结果'), outcome: { kind: 'ok' as const } });
    const spread = { ...had, outcome: { kind: 'other' as const } };
    spreadWithOutcome(spread, had);
    expect(replyJson(spread)).toBe(JSON.stringify(spread));
  });
});
