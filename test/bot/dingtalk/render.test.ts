import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/core/message.js';
import { safeText } from '../../../src/core/safe-text.js';
import { openApiMessage, renderReply, safeUrl, toDingtalkMarkdown, webhookBody } from '../../../src/bot/dingtalk/render.js';
import { splitBlocks } from '../../../src/bot/dingtalk/split.js';

const reply = (over: Partial<Reply> = {}): Reply => ({
  title: '整改进度',
  markdown: '**整改进度**\n🔴 逾期 1 项\n🟡 临期 2 项\n🟢 正常 9 项',
  text: '整改进度',
  mentions: [],
  ...over,
});
const wh = { maxBytes: 20_000, canMention: true, lightStyle: 'emoji' as const };

describe('toDingtalkMarkdown', () => {
  it('turns every line break into a blank line (single newlines do not render)', () => {
    expect(toDingtalkMarkdown('a\nb\n\n\nc', 'emoji')).toBe('a\n\nb\n\nc');
  });
  it('keeps the light emoji, or draws them with <font color> on request', () => {
    expect(toDingtalkMarkdown('🔴 逾期', 'emoji')).toBe('🔴 逾期');
    expect(toDingtalkMarkdown('🔴 a\n🟡 b\n🟢 c', 'font')).toBe(
      '<font color=#D93026>●</font> a\n\n<font color=#E6A23C>●</font> b\n\n<font color=#1E8E3E>●</font> c',
    );
  });
  it('flattens tables and drops code fences (not in the DingTalk subset)', () => {
    expect(toDingtalkMarkdown('| 项 | 状态 |\n|---|---|\n| 二.3 | 完成 |\n```\nx\n```', 'emoji')).toBe('项 · 状态\n\n二.3 · 完成\n\nx');
  });
  it('neutralises raw HTML', () => {
    expect(toDingtalkMarkdown('<a href="x">y</a>', 'emoji')).not.toContain('<');
  });
});

describe('renderReply', () => {
  it('renders a markdown message with @ for a personal reply', () => {
    const [m, ...rest] = renderReply(reply({ personal: true }), { ...wh, personalUserId: '166501234698' });
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ kind: 'markdown', title: '整改进度', atUserIds: ['166501234698'] });
    expect(m!.text.endsWith('@166501234698')).toBe(true);
    expect(webhookBody(m!)).toMatchObject({ msgtype: 'markdown', at: { atUserIds: ['166501234698'], isAtAll: false } });
  });
  it('@-mentions everyone in Reply.mentions, dropping ids that are not plain ids', () => {
    const [m] = renderReply(reply({ mentions: [{ userId: 'zhangsan01' }, { userId: 'all' }, { userId: 'x)[evil](http://a' }] }), wh);
    expect(m).toMatchObject({ atUserIds: ['zhangsan01'] });
    expect(m!.text).not.toContain('@all');
    expect(JSON.stringify(webhookBody(m!))).toContain('"isAtAll":false');
    expect(m!.text).not.toContain('evil');
  });
  it('cannot @ on the OpenAPI: names are listed as escaped text instead', () => {
    const [m] = renderReply(reply({ mentions: [{ userId: 'u1', name: '[张三](http://x)' }] }), { ...wh, canMention: false });
    expect(m).toMatchObject({ kind: 'markdown', atUserIds: [] });
    expect(m!.text).toContain(`提醒：${safeText('[张三](http://x)')}`);
    expect(m!.text).not.toMatch(/\]\(/);
  });
  it('uses an actionCard with a link button when nobody is @-mentioned', () => {
    const [m] = renderReply(reply({ link: { title: '查看台账', url: 'https://example.org/l/1?a=(b)' } }), wh);
    expect(m).toMatchObject({ kind: 'actionCard', singleTitle: '查看台账', singleURL: 'https://example.org/l/1?a=%28b%29' });
    expect(openApiMessage(m!).msgKey).toBe('sampleActionCard');
  });
  it('falls back to a markdown link when someone must be @-mentioned', () => {
    const [m] = renderReply(reply({ personal: true, link: { title: '查看', url: 'https://example.org/x' } }), { ...wh, personalUserId: 'u1' });
    expect(m).toMatchObject({ kind: 'markdown' });
    expect(m!.text).toContain('[查看](https://example.org/x)');
  });
  it('drops links that are not http(s)', () => {
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('dingtalk://dingtalkclient/page/link?url=x')).toBeNull();
    const [m] = renderReply(reply({ link: { title: 't', url: 'javascript:alert(1)' } }), wh);
    expect(m!.kind).toBe('markdown');
    expect(m!.text).not.toContain('javascript');
  });
  it('keeps titles plain and short', () => {
    const [m] = renderReply(reply({ title: '**粗**\n[链接](http://x)' + '长'.repeat(100) }), wh);
    expect(m!.title).not.toMatch(/[*[\]\n]/);
    expect([...m!.title].length).toBeLessThanOrEqual(60);
  });
  it.each([
    ['webhook', 20_000, (m: ReturnType<typeof renderReply>[number]) => JSON.stringify(webhookBody(m))],
    ['OpenAPI msgParam', 15_000, (m: ReturnType<typeof renderReply>[number]) => openApiMessage(m).msgParam],
  ])('splits a long reply under the %s limit at item boundaries', (_n, limit, measure) => {
    const items = Array.from({ length: 400 }, (_, i) => `- 第${i + 1}项 🔴 逾期：${'整改措施落实情况说明'.repeat(3)}`);
    const parts = renderReply(reply({ markdown: items.join('\n'), personal: true, link: { title: '台账', url: 'https://e.org/' } }), {
      maxBytes: limit,
      canMention: limit === 20_000,
      personalUserId: 'u1',
      lightStyle: 'emoji',
    });
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(measure(p))).toBeLessThanOrEqual(limit);
    const all = parts.map((p) => p.text).join('\n\n');
    for (const it of items) expect(all).toContain(it); // no item cut in two
    expect(parts[0]!.title).toBe(`整改进度（1/${parts.length}）`);
    expect(parts.filter((p) => p.kind === 'markdown' && p.atUserIds.length)).toHaveLength(limit === 20_000 ? 1 : 0);
  });
  it('hard-splits a single line longer than the limit without breaking characters', () => {
    const parts = renderReply(reply({ markdown: '整'.repeat(12_000) }), { ...wh, maxBytes: 15_000 });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.text.replace(/^（续 \d+\/\d+）\n\n/, '')).join('')).toBe('整'.repeat(12_000));
  });
});

/** toDingtalkMarkdown as it was written before the one-pass loop (the reference its output must equal). */
function chainedMarkdown(md: string, lightStyle: 'emoji' | 'font'): string {
  const LIGHT: Record<string, string> = { '🔴': '<font color=#D93026>●</font>', '🟡': '<font color=#E6A23C>●</font>', '🟢': '<font color=#1E8E3E>●</font>' };
  const lines = md
    .replace(/\r\n?/g, '\n')
    .replace(/</g, '＜')
    .split('\n')
    .filter((l) => !/^\s*(```|~~~)/.test(l) && !/^\s*\|?\s*:?-{3,}/.test(l))
    .map((l) => (/^\s*\|/.test(l) ? l.replace(/^\s*\||\|\s*$/g, '').split('|').map((c) => c.trim()).join(' · ') : l))
    .map((l) => l.replace(/\s+$/, ''));
  const out: string[] = [];
  for (const l of lines) {
    if (l === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(l);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  let text = out.filter((l) => l !== '').join('\n\n');
  if (lightStyle === 'font') text = text.replace(/🔴|🟡|🟢/gu, (m) => LIGHT[m] ?? m);
  return text;
}

describe('rendering shortcuts give the same messages', () => {
  it('toDingtalkMarkdown equals the chained-regex version on 20,000 markdown-like texts', () => {
    // Every kind of white space JavaScript knows (\s and trimEnd must agree on all), markup starts, lights, CR/LF.
    const atoms = ['\n', '\n', '\r\n', '\r', ' ', '\t', '\u00a0', '\u3000', '\u2028', '\u2029', '\ufeff', '\u200b', '\u1680', '\u2007', '\u000b',
      '|', '| a | b |', '|---|', ':--', '---', '--', '-', '- 项', '```', '~~~', '``', '~', ':', '<', '<font>', '＜', '🔴', '🟡', '🟢', '**粗**', '整改', 'x', '二.3', '#', '> '];
    let seed = 11; // xorshift32: the same texts on every run
    const rnd = (n: number) => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; };
    for (let i = 0; i < 20_000; i++) {
      let md = '';
      for (let k = rnd(24); k >= 0; k--) md += atoms[rnd(atoms.length)];
      for (const style of ['emoji', 'font'] as const) expect([md, toDingtalkMarkdown(md, style)]).toEqual([md, chainedMarkdown(md, style)]);
    }
  });

  it('cuts titles at 60 characters, counting a surrogate pair as one', () => {
    const title = (t: string) => renderReply(reply({ title: t }), wh)[0]!.title;
    expect(title('长'.repeat(60))).toBe('长'.repeat(60));
    expect(title('长'.repeat(61))).toBe('长'.repeat(60));
    expect(title('🔴'.repeat(31))).toBe('🔴'.repeat(31)); // 62 UTF-16 units, 31 characters: kept whole
    expect(title('🔴'.repeat(61))).toBe('🔴'.repeat(60));
    expect(title('  \n ')).toBe('整改督办');
  });

  it('a text within 6 JSON bytes per UTF-16 unit is one chunk; the bound is exact for \\u escapes', () => {
    const ctl = '\u0001'.repeat(100); // JSON.stringify writes each as \u0001: 6 bytes
    expect(Buffer.byteLength(JSON.stringify(ctl))).toBe(602);
    expect(splitBlocks(ctl, 602)).toEqual([ctl]);
    expect(splitBlocks(ctl, 601).length).toBe(2);
    const zh = '整'.repeat(100); // 3 bytes each: over the 6-byte bound at 500, still measured and kept whole
    expect(splitBlocks(zh, 500)).toEqual([zh]);
    expect(splitBlocks(zh, 301).length).toBe(2);
  });
});
