import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DomainError } from '../core/errors.js';
import { shanghaiDate } from '../ledger/dates.js';
import { loadNotice } from '../notice/load.js';
import { renderNoticeMarkdown, renderNoticeText } from '../notice/text.js';
import { FONT_SETS, renderNoticeDocx } from '../notice/docx.js';
import { withServices } from './open.js';

/** `rectify notice`: the progress notice (整改进展情况的通报) of a ledger at a date. */
export function registerNoticeCli(program: Command): void {
  program.command('notice')
    .description('the progress notice (整改进展情况的通报) as Markdown, text, Word (GB/T 9704) or a PDF preview; figures equal `rectify status --json` for the same date')
    .requiredOption('--ledger <id>', 'ledger id')
    .option('--as-of <date>', 'date of the figures (default today, Asia/Shanghai)')
    .option('--format <format>', 'md | txt | docx | pdf', 'md')
    .option('--out <file>', 'write to a file (required for docx and pdf); default stdout')
    .option('--fonts <set>', 'typeface names in the docx: gb2312 (方正小标宋简体, 仿宋_GB2312…) or gbk (方正…_GBK)', 'gb2312')
    .option('--period <text>', 'inspection period, e.g. 2020年11月5日至12月4日')
    .option('--group-leader <text>', 'head of the leading group, e.g. 党组书记、院长杜波')
    .option('--contact <text>', 'contact line, e.g. 0731-28519200')
    .option('--signature <text>', 'signing organisation (default the ledger org)')
    .action((o) => withServices(o.asOf, async ({ services }) => {
      const asOf = shanghaiDate(services.clock.now());
      const fonts = FONT_SETS[String(o.fonts).toLowerCase()];
      if (!fonts) throw new DomainError('bad_fonts', '--fonts 须为 gb2312 或 gbk');
      if (!['md', 'txt', 'docx', 'pdf'].includes(o.format)) throw new DomainError('bad_format', '--format 须为 md、txt、docx 或 pdf');
      if ((o.format === 'docx' || o.format === 'pdf') && !o.out) throw new DomainError('needs_out', `${o.format} 格式请用 --out 指定输出文件。`);
      const n = await loadNotice(services, o.ledger, asOf, { period: o.period, groupLeader: o.groupLeader, contact: o.contact, signature: o.signature });
      let data: string | Buffer;
      if (o.format === 'md') data = renderNoticeMarkdown(n);
      else if (o.format === 'txt') data = renderNoticeText(n);
      else {
        const docx = await renderNoticeDocx(n, fonts);
        if (o.format === 'docx') data = docx;
        else {
          const { docxToPdf } = await import('../notice/pdf.js');
          data = await docxToPdf(docx);
        }
      }
      if (o.out) {
        writeFileSync(o.out, data);
        console.error(`已生成 / written: ${o.out}${n.placeholders ? `（另有${n.placeholders}处【待补充】需整改办补充）` : ''}`);
      } else process.stdout.write(data);
    }));
}
