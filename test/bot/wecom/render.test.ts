import { describe, expect, it } from 'vitest';
import { isMentionableId, renderMarkdown, renderText } from '../../../src/bot/wecom/render.js';
import { safeText } from '../../../src/core/safe-text.js';
import { splitByBytes, truncateBytes } from '../../../src/bot/wecom/split.js';
import { reply } from './harness.js';

describe('wecom rendering', () => {
  it.each([
    ['robot', '🔴 a 🟡 b 🟢 c', '<font color="warning">●</font> a <font color="comment">●</font> b <font color="info">●</font> c'],
    ['app', '🔴 a', '<font color="warning">●</font> a'],
    ['aibot', '🔴 a', '🔴 a'],
  ] as const)('%s: lights', (flavour, md, out) => {
    expect(renderMarkdown(reply(md), flavour, [])).toBe(out);
  });

  it('nothing in the markdown can open a tag, even if a raw < slipped through', () => {
    const md = `## 进度\n${safeText('<font color="info">假</font> <@all> [x](http://evil)')}\n<@all> <font color=info>x</font> &lt;@all&gt;`;
    for (const f of ['robot', 'app', 'aibot'] as const) {
      const out = renderMarkdown(reply(md), f, []);
      expect(out).not.toMatch(/<(?!font color="(warning|comment|info)">●<\/font>)/);
      expect(out).not.toContain('&lt;');
    }
  });

  it('only safe user ids become <@userid>; never @all', () => {
    const r = reply('x', { mentions: [{ userId: 'zhang.san' }, { userId: '@all' }, { userId: 'all' }, { userId: 'a>b' }, { userId: 'zhang.san' }] });
    expect(renderMarkdown(r, 'robot')).toBe('x\n\n<@zhang.san>');
    expect(isMentionableId('ALL')).toBe(false);
  });

  it('mentions on channels without @ become a 提醒 line with escaped names', () => {
    const r = reply('x', { mentions: [{ userId: 'u1', name: '张三' }, { userId: 'u2', name: '[李四](http://x)' }] });
    expect(renderMarkdown(r, 'aibot')).toBe('x\n\n提醒：张三、［李四］（http：//x）');
  });

  it('links: only http(s), title escaped, url cannot break out of the link', () => {
    const r = reply('x', { link: { title: '明细 [全部]', url: 'https://example.com/a(b)<c>' } });
    expect(renderMarkdown(r, 'robot')).toBe('x\n\n[明细 ［全部］](https://example.com/a%28b%29%3Cc%3E)');
    expect(renderMarkdown(reply('x', { link: { title: 't', url: 'https://e.com/a b' } }), 'robot')).toBe('x');
    expect(renderMarkdown(reply('x', { link: { title: 't', url: 'javascript:alert(1)' } }), 'robot')).toBe('x');
    expect(renderText(reply('x', { link: { title: 't', url: 'https://e.com/' } }))).toBe('x\nhttps://e.com/');
  });
});

describe('wecom splitting', () => {
  it('keeps short content whole', () => {
    expect(splitByBytes('a\n\nb', 100)).toEqual(['a\n\nb']);
  });

  it('splits at paragraphs first, then lines, marks continuations, and stays under the limit', () => {
    const paras = Array.from({ length: 6 }, (_, i) => `## 第${i}部分\n${'条目内容。'.repeat(20)}\n${'补充说明。'.repeat(10)}`);
    const parts = splitByBytes(paras.join('\n\n'), 1024);
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((p, i) => {
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(1024);
      if (i > 0) expect(p).toMatch(new RegExp(`^（续 ${i + 1}/${parts.length}）\\n`));
    });
    expect(parts[0]!.startsWith('## 第0部分')).toBe(true);
    const rejoined = parts.map((p) => p.replace(/^（续 \d+\/\d+）\n/, '')).join('\n\n');
    expect(rejoined.replace(/\n+/g, '\n')).toBe(paras.join('\n'));
  });

  it('cuts a single over-long line at character boundaries (no broken UTF-8)', () => {
    const parts = splitByBytes('整'.repeat(1000), 512);
    for (const p of parts) {
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(512);
      expect(p).not.toContain('\uFFFD');
    }
    expect(parts.map((p) => p.replace(/^（续 \d+\/\d+）\n/, '')).join('')).toBe('整'.repeat(1000));
  });

  it('truncates with a marker', () => {
    const t = truncateBytes('行\n'.repeat(2000), 300);
    expect(Buffer.byteLength(t)).toBeLessThanOrEqual(300);
    expect(t.endsWith('…（内容过长，已截断）')).toBe(true);
  });
});
