import type { NoticeModel } from './model.js';

/** Markdown: title as #, 一、 as ##, （一） as ###, 1. as ####, signature and date right-aligned by convention. */
export function renderNoticeMarkdown(n: NoticeModel): string {
  const out = [`# ${n.titleLines.join('<br>')}`, ''];
  for (const b of n.blocks) {
    if (b.kind === 'h1') out.push(`## ${b.text}`, '');
    else if (b.kind === 'h2') out.push(`### ${b.text}`, '');
    // A heading like "1.…" would start a Markdown list; escape the dot.
    else if (b.kind === 'h3') out.push(`#### ${b.text.replace(/^(\d+)\./, '$1\\.')}`, '');
    else out.push(b.text, '');
  }
  out.push(`<p align="right">${n.signature}<br>${n.date}</p>`, '');
  return out.join('\n');
}

const INDENT = '\u3000\u3000';

/**
 * Plain text as the seeds are published: title lines, then each paragraph and
 * heading indented two full-width spaces, the signature and date at the end.
 */
export function renderNoticeText(n: NoticeModel): string {
  const out = [...n.titleLines, ''];
  for (const b of n.blocks) out.push(`${INDENT}${b.text}`);
  out.push('', `${INDENT.repeat(8)}${n.signature}`, `${INDENT.repeat(8)}${n.date}`, '');
  return out.join('\n');
}
