import path from 'node:path';
import type { Services } from '../commands/types.js';
import type { LedgerMeta } from '../reports/ledger-build.js';
import { describeLedgerDoc } from '../reports/ledger-import.js';
import type { NoticeParse } from '../notice/parse/index.js';
import { noticeSummary, noticeToDoc } from '../notice/parse/draft.js';

/**
 * `ledger import NOTICE.txt|.docx`: a published notice as a draft ledger.
 * Totals that disagree with what was read, and paragraphs that could not be
 * placed, are always printed; a file that is not a notice imports nothing.
 */
export async function importNotice(
  services: Pick<Services, 'ledgers'>, file: string, parse: NoticeParse, meta: LedgerMeta, today: string, o: { dryRun?: boolean; json?: boolean; exists?: boolean },
): Promise<void> {
  if (!parse.isNotice) {
    process.exitCode = 1;
    if (o.json) console.log(JSON.stringify({ notice: false, reason: parse.reason }, null, 2));
    console.error(`${parse.reason}未导入任何内容。`);
    return;
  }
  if (o.exists && !o.dryRun) {
    // A draft from a notice knows no owners, deadlines or chat history: it never overwrites a working ledger.
    process.exitCode = 1;
    console.error(`台账 ${meta.ledgerId} 已存在。由通报生成的台账草稿只能导入新的台账ID，请换一个 --ledger。`);
    return;
  }
  const { doc, warnings } = noticeToDoc(parse, meta, today);
  const summary = noticeSummary(parse, doc, warnings);
  if (o.json) console.log(JSON.stringify(summary, null, 2));
  else {
    for (const t of summary.totals) {
      const parsed = Object.entries(t.parsed).map(([k, v]) => `${k === 'total' ? '总数' : k}${v ?? '—'}`).join('、');
      const mark = t.match === true ? '一致' : t.match === false ? '不一致' : '无法核对（通报未逐项列出）';
      console.error(`总数核对（${mark}）：“${t.sentence}” 解析结果：${parsed}`);
    }
    for (const u of summary.unplaced) console.error(`未能归入任何问题的段落：${u.length > 60 ? `${u.slice(0, 60)}…` : u}`);
    for (const w of warnings) console.error(`提示：${w}`);
  }
  if (o.dryRun) {
    if (!o.json) console.log(`（试运行，未写入）${describeLedgerDoc(doc)}`);
    return;
  }
  await services.ledgers.saveDoc(doc, { actor: 'cli', note: `由通报导入 ${path.basename(file)}` }, { awaitCleanup: true });
  if (!o.json) console.log(`已导入台账草稿：${describeLedgerDoc(doc)}`);
}
