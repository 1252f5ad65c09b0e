import { describe, expect, it } from 'vitest';
import { memoize } from '../../src/core/memo.js';
import { route } from '../../src/commands/router.js';
import { shortTitle } from '../../src/ledger/shorten.js';
import { plainLine } from '../../src/commands/reply.js';

describe('memoize', () => {
  it('computes each input once and returns the remembered result after', () => {
    const calls: string[] = [];
    const f = memoize((s: string) => { calls.push(s); return s.length; });
    expect([f('进度'), f('查看 二.3'), f('进度')]).toEqual([2, 6, 2]);
    expect(calls).toEqual(['进度', '查看 二.3']);
  });

  it('remembers undefined results too', () => {
    let n = 0;
    const f = memoize((_s: string): undefined => { n++; return undefined; });
    f('x');
    f('x');
    expect(n).toBe(1);
  });

  it('stays within its bound: when full the oldest input is forgotten', () => {
    let n = 0;
    const f = memoize((s: string) => { n++; return s; }, 3);
    for (const s of ['a', 'b', 'c', 'd']) f(s);
    expect(f.size).toBeLessThanOrEqual(3);
    n = 0;
    f('d');
    expect(n).toBe(0); // the newest is kept
  });
});

describe('memoized callers give what they gave before', () => {
  it('route: the same text routes to the same command, forgiving input included', () => {
    const a = route('３．２ 已完成，制度已印发');
    const b = route('３．２ 已完成，制度已印发');
    expect(b).toBe(a);
    expect(a.kind === 'command' && a.spec.name).toBe('完成');
    expect(a.kind === 'command' && a.args).toBe('3.2 制度已印发');
  });

  it('shortTitle: a cut title is the same on the second call, and different widths are kept apart', () => {
    const t = '深入学习贯彻习近平新时代中国特色社会主义思想，推动审判执行工作高质量发展';
    const first = shortTitle(t, 12);
    expect(shortTitle(t, 12)).toBe(first);
    expect(first.endsWith('…')).toBe(true);
    expect(shortTitle(t, 30)).not.toBe(first);
    expect(shortTitle('短标题', 12)).toBe('短标题');
  });
});

describe('plainLine', () => {
  const chain = (l: string) => l.replace(/^### /, '【').replace(/^【(.*)$/, '【$1】').replace(/\*\*/g, '');
  it('gives what the regex chain gave, on every shape of line', () => {
    const lines = ['### 整改进度', '**问题类别**：反馈问题 3个', '- **1.1** 已完成', '【已有括号', '### 两行\n标题', '', '### ', '普通一行', '***', '【x\u2028y'];
    for (const l of lines) expect(plainLine(l)).toBe(chain(l));
  });
});
