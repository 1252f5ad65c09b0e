import type { Mention, Reply, ReplyLink } from '../core/message.js';

/**
 * Builds a platform-free Reply: markdown lines (bold, headings, lists, light
 * emoji) and a plain-text twin. Callers pass user text through safeText.
 */
export class ReplyBuilder {
  private readonly lines: string[] = [];
  private readonly mentions: Mention[] = [];
  private link?: ReplyLink;
  private personal = false;

  constructor(private readonly title: string) {}

  heading(s: string): this {
    this.lines.push(`### ${s}`);
    return this;
  }

  line(s: string): this {
    this.lines.push(s);
    return this;
  }

  item(s: string): this {
    this.lines.push(`- ${s}`);
    return this;
  }

  blank(): this {
    if (this.lines.length && this.lines[this.lines.length - 1] !== '') this.lines.push('');
    return this;
  }

  mention(...m: Mention[]): this {
    for (const x of m) if (!this.mentions.some((y) => y.userId === x.userId)) this.mentions.push(x);
    return this;
  }

  withLink(link: ReplyLink | undefined): this {
    this.link = link;
    return this;
  }

  forSender(): this {
    this.personal = true;
    return this;
  }

  build(): Reply {
    while (this.lines.length && this.lines[this.lines.length - 1] === '') this.lines.pop();
    const markdown = this.lines.join('\n');
    const text = this.lines.map(plainLine).join('\n');
    return { title: this.title, markdown, text, mentions: this.mentions, personal: this.personal || undefined, link: this.link };
  }
}

/**
 * A markdown line as plain text: "### 标题" becomes "【标题】" and bold marks are dropped. It gives
 * what the former chain of three regexes gave (a heading mark to 【, then a closing 】 on a line
 * that starts with 【 and holds no line terminator, then every ** removed), without the regexes.
 */
export function plainLine(l: string): string {
  let t = l.startsWith('### ') ? `【${l.slice(4)}` : l;
  if (t.startsWith('【') && !/[\n\r\u2028\u2029]/.test(t)) t += '】';
  return t.includes('**') ? t.replaceAll('**', '') : t;
}

/** A one-paragraph reply. */
export function simpleReply(title: string, ...lines: string[]): Reply {
  const b = new ReplyBuilder(title);
  for (const l of lines) b.line(l);
  return b.build();
}
