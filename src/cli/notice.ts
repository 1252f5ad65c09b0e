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
    .description('生成整改进展情况的通报：Markdown、纯文本、Word（GB/T 9704 公文格式）或PDF预览；数字与同一日期的 rectify status --json 一致')
    .requiredOption('--ledger <id>', '台账ID')
    .option('--as-of <日期>', '统计截至日期（默认今天，北京时间）')
    .option('--format <格式>', 'md | txt | docx | pdf', 'md')
    .option('--out <文件>', '写入文件（docx 和 pdf 格式必须指定）；默认输出到屏幕')
    .option('--fonts <字体>', 'Word 文档所用字体：gb2312（方正小标宋简体、仿宋_GB2312等）或 gbk（方正……_GBK）', 'gb2312')
    .option('--period <文字>', '巡视（巡察）期间，如 2020年11月5日至12月4日')
    .option('--group-leader <文字>', '整改领导小组组长，如 党组书记、院长杜波')
    .option('--contact <文字>', '联系电话，如 0731-28519200')
    .option('--signature <文字>', '落款单位（默认取台账的单位）')
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
        console.error(`已生成：${o.out}${n.placeholders ? `（另有${n.placeholders}处【待补充】需整改办补充）` : ''}`);
      } else process.stdout.write(data);
    }));
}
