import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DomainError } from '../core/errors.js';
import { shanghaiDate, parseDate } from '../ledger/dates.js';
import type { LedgerDoc } from '../ledger/types.js';
import { describeLedgerDoc, formatImportErrors, placeOf, type LedgerMeta } from '../reports/ledger-import.js';
import { readLedgerFile } from '../reports/ledger-file.js';
import { exportLedgerXlsx } from '../reports/ledger-xlsx.js';
import { exportLedgerCsv, exportLedgerJson } from '../reports/ledger-export.js';
import { parseUsersCsv } from '../reports/users-import.js';
import { describeDiff, summarizeDiff } from '../reports/ledger-merge.js';
import { LedgerImports } from '../store/ledger-merge.js';
import type { Ledger } from '../ledger/types.js';
import { withServices } from './open.js';
import { readNoticeFile } from '../notice/parse/file.js';
import { importNotice } from './notice-import.js';

/** How `ledger imports` names each kind of import. */
const MODE_WORDS: Record<string, string> = { new: '新建', merge: '合并', replace: '替换', restore: '恢复' };

/** `ledger import|export` and `users import`. */
export function registerLedgerCli(program: Command): void {
  const ledger = program.command('ledger').description('导入或导出台账（中文表头的CSV、XLSX或JSON）');

  ledger.command('import')
    .description('导入台账；导入已有台账时按编号合并，保留群里已办理的内容；只要有一行出错就整份拒收（列出出错的行），不写入任何内容')
    .argument('<文件>', '台账文件 FILE.csv | FILE.xlsx | FILE.json，或已印发的通报 NOTICE.txt | NOTICE.docx（生成台账草稿）')
    .requiredOption('--ledger <id>', '台账ID（字母、数字、- _ .）')
    .option('--dry-run', '试运行：只检查文件并逐项列出将有哪些变化，不写入')
    .option('--json', '导入通报时以JSON输出解析结果')
    .option('--take-sheet-status', '以表格中的状态为准，即使表格日期之后群里改过状态')
    .option('--allow-remove', '删除表格中已没有的事项（默认保留）')
    .option('--replace', '用表格整体替换台账，不合并（原台账仍可恢复）')
    .option('--sheet-date <日期>', '表格的制表日期：此后群里的改动予以保留（默认取表中“截至……”一行，没有则保留群里的全部改动）')
    .option('--title <标题>', '台账标题（默认取表格标题行，没有则沿用原标题，再没有则用台账ID）')
    .option('--org <单位>', '被巡视（巡察）单位')
    .option('--type <类型>', '巡视 | 巡察（默认按标题行判断）')
    .option('--group <巡察组>', '巡视（巡察）组，如 区委第一巡察组')
    .option('--feedback-date <日期>', '反馈意见日期')
    .option('--yellow-days <n>', '距整改时限多少天亮黄灯（默认10天）')
    .option('--no-review', '办结后直接记为“已完成”，不经“待销号”')
    .action((file: string, o) => withServices(undefined, async ({ services, redis }) => {
      if (!/^[\w.-]{1,64}$/.test(o.ledger)) throw new DomainError('bad_id', '台账ID只能包含字母、数字、短横线、下划线和点，最长64个字符。');
      const today = shanghaiDate(services.clock.now());
      const prev = await services.ledgers.getLedger(o.ledger);
      const meta = importMeta(o, prev, today, services.clock.now().toISOString());
      const given = o.sheetDate ? parseDate(o.sheetDate, today) : null;
      if (o.sheetDate && !given) throw new DomainError('bad_date', `无法识别表格日期：${o.sheetDate}`);
      const notice = await readNoticeFile(file);
      if (notice) return importNotice(services, file, notice, meta, today, { dryRun: o.dryRun, json: o.json, exists: !!prev });
      const r = await readLedgerFile(file, meta, today);
      if (!r.ok) {
        process.exitCode = 1;
        console.error(`${formatImportErrors(r.errors)}\n（已拒收，未写入任何内容）`);
        return;
      }
      for (const w of r.warnings) console.error(`提示：${w}`);
      // The sheet's own "截至…" date, unless one is given.
      const sheetDate = given ?? r.sheetDate;
      const imports = new LedgerImports(redis);
      // Written in chunks under a new generation and switched atomically; the old one is deleted before exit.
      const out = await imports.importDoc(r.doc, {
        dryRun: o.dryRun, replace: o.replace, takeSheetStatus: o.takeSheetStatus, allowRemove: o.allowRemove,
        // The start of the sheet's day, Shanghai time: a change made that day may postdate the sheet, so it is kept (the safe side).
        sheetDate: sheetDate ? new Date(`${sheetDate}T00:00:00+08:00`).toISOString() : undefined,
        actor: 'cli', file: path.basename(file), now: services.clock.now(), save: { awaitCleanup: true, onProgress: progressBar('写入台账') },
      });
      const head = o.dryRun ? '（试运行，未写入）' : '已导入：';
      console.log(`${head}${describeLedgerDoc(out.doc)}`);
      if (out.diff) {
        const how = out.mode === 'replace' ? '整表替换（--replace）' : '按编号合并';
        console.log(`${how}，与机器人台账相比：${summarizeDiff(out.diff)}`);
        for (const line of describeDiff(out.diff)) console.log(`  ${line}`);
      }
      if (r.confirm?.length) {
        console.log(`需要确认（${r.confirm.length}项，状态已按默认或较低的理解导入）：`);
        for (const c of r.confirm.slice(0, 200)) console.log(`  ${c.code}（${placeOf(c)}）：${c.reason}`);
        if (r.confirm.length > 200) console.log(`  ……另有${r.confirm.length - 200}项。`);
      }
      if (out.importId) console.log(`导入编号 ${out.importId}${out.mode === 'new' ? '' : `（恢复导入前的台账：rectify ledger restore --ledger ${o.ledger} --to ${out.importId}）`}`);
    }));

  ledger.command('imports')
    .description('列出台账的导入记录（最新的在前），或某次导入的全部差异')
    .requiredOption('--ledger <id>', '台账ID')
    .option('--show <导入编号>', '逐项列出该次导入的差异')
    .action((o) => withServices(undefined, async ({ redis }) => {
      const imports = new LedgerImports(redis);
      if (o.show) {
        const lines = await imports.diffLines(o.ledger, o.show);
        if (!lines) throw new DomainError('no_import', `没有导入编号为 ${o.show} 的差异记录。`);
        for (const l of lines) console.log(l);
        return;
      }
      for (const rec of await imports.list(o.ledger)) console.log(`${rec.id}\t${rec.at}\t${MODE_WORDS[rec.mode] ?? rec.mode}\t${rec.file}\t${rec.summary}`);
    }));

  ledger.command('restore')
    .description('把台账恢复到某次导入之前的状态（导入编号见 rectify ledger imports）')
    .requiredOption('--ledger <id>', '台账ID')
    .requiredOption('--to <导入编号>', '要撤销的导入（该次导入及其后的导入和群里改动一并撤销）')
    .action((o) => withServices(undefined, async ({ services, redis }) => {
      const r = await new LedgerImports(redis).restore(o.ledger, o.to, 'cli', services.clock.now(), { awaitCleanup: true });
      console.log(`已恢复：${describeLedgerDoc(r.doc)}（恢复编号 ${r.importId}，可再用 --to ${r.importId} 撤销这次恢复）`);
    }));

  ledger.command('export')
    .description('按台账顺序导出（导出的文件可原样再导入）')
    .requiredOption('--ledger <id>', '台账ID')
    .requiredOption('--format <格式>', 'csv | json | xlsx')
    .option('--out <文件>', '写入文件（xlsx 格式必须指定）；默认输出到屏幕')
    .action((o) => withServices(undefined, async ({ services }) => {
      const doc: LedgerDoc | null = await services.ledgers.loadDoc(o.ledger);
      if (!doc) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
      let data: string | Buffer;
      if (o.format === 'csv') data = exportLedgerCsv(doc);
      else if (o.format === 'json') data = exportLedgerJson(doc);
      else if (o.format === 'xlsx') {
        if (!o.out) throw new DomainError('needs_out', 'xlsx 格式请用 --out 指定输出文件。');
        const evidenceFiles = await services.evidence?.counts(doc.ledger.id, doc.measures.map((m) => m.id));
        data = await exportLedgerXlsx(doc, { asOf: shanghaiDate(services.clock.now()), onRow: progressBar('生成表格'), evidenceFiles });
      } else throw new DomainError('bad_format', '--format 须为 csv、json 或 xlsx');
      if (o.out) {
        writeFileSync(o.out, data);
        console.error(`已导出：${o.out}`);
      } else process.stdout.write(data);
    }));

  const users = program.command('users').description('用户名册');
  users.command('import')
    .description('导入用户，CSV列为 平台,用户ID,姓名,部门,角色[,台账]（也可用英文表头 platform,userId,name,department,role[,ledger]）；每个台账一行，台账留空表示全部台账，角色为“管理员”即全局管理员')
    .argument('<文件>', '用户名册 FILE.csv')
    .action((file: string) => withServices(undefined, async ({ services }) => {
      const r = parseUsersCsv(readFileSync(file));
      if (!r.ok) {
        process.exitCode = 1;
        console.error(`${formatImportErrors(r.errors)}\n（已拒收，未写入任何内容）`);
        return;
      }
      await services.directory.putUsers(r.users);
      console.log(`已导入 ${r.users.length} 位用户。`);
      for (const w of r.warnings) console.error(w);
      // A role on a ledger not imported yet is kept; say so, since a typo would otherwise go unnoticed.
      const known = new Set(await services.ledgers.listLedgers());
      const unknown = [...new Set(r.users.flatMap((u) => Object.keys(u.ledgers ?? {})))].filter((L) => !known.has(L));
      if (unknown.length) console.error(`提示：台账 ${unknown.join('、')} 尚不存在；相应角色已记下，导入该台账后生效。`);
    }));
  users.command('list')
    .description('以JSON列出用户名册')
    .action(() => withServices(undefined, async ({ services }) => {
      console.log(JSON.stringify(await services.directory.listUsers(), null, 2));
    }));
}

/** Import metadata from the options, falling back to the existing ledger's; a merge keeps its numbering (equal codes, equal ids). */
function importMeta(o: Record<string, string | boolean | undefined>, prev: Ledger | null, today: string, now: string): LedgerMeta {
  const fd = typeof o.feedbackDate === 'string' ? o.feedbackDate : undefined;
  const feedbackDate = fd ? parseDate(fd, today) : prev?.feedbackDate;
  if (fd && !feedbackDate) throw new DomainError('bad_date', `无法识别反馈日期：${fd}`);
  if (o.type && !['巡视', '巡察'].includes(o.type as string)) throw new DomainError('bad_type', '--type 须为 巡视 或 巡察');
  const yellowDays = o.yellowDays !== undefined ? Number(o.yellowDays) : prev?.yellowDays;
  if (yellowDays !== undefined && !(Number.isInteger(yellowDays) && yellowDays >= 0 && yellowDays <= 365)) throw new DomainError('bad_days', '--yellow-days 须为 0 到 365 的整数');
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    ledgerId: o.ledger as string, title: str(o.title), defaultTitle: prev?.title, org: str(o.org) ?? prev?.org,
    inspectionType: (str(o.type) as LedgerMeta['inspectionType']) ?? prev?.inspectionType,
    inspectionGroup: str(o.group) ?? prev?.inspectionGroup, feedbackDate: feedbackDate ?? undefined, yellowDays,
    requireReview: o.review === false ? false : prev?.requireReview ?? true, now,
    numbering: prev && !o.replace ? prev.numbering : undefined,
  };
}

/** A one-line progress bar on stderr, only when stderr is a terminal (pipes and logs get nothing). */
function progressBar(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = -1;
  return (done, total) => {
    const pct = total ? Math.floor((done / total) * 100) : 100;
    if (pct === last) return;
    last = pct;
    const fill = Math.round(pct * 0.3);
    process.stderr.write(`\r${label} [${'#'.repeat(fill)}${'-'.repeat(30 - fill)}] ${pct}% ${done}/${total}`);
    if (done >= total) process.stderr.write('\n');
  };
}
