import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { DomainError } from '../core/errors.js';
import { aliasOf, parseCode } from '../ledger/codes.js';
import { describeRecord } from '../evidence/service.js';
import { formatSize } from '../evidence/kinds.js';
import type { Services } from '../commands/types.js';
import { withServices } from './open.js';

/**
 * `rectify evidence add --ledger L --item 3.2 --file PATH [--by 姓名]`: the
 * office attaches a scanned document from the desk, through the same
 * attachEvidence as the chat intake (size and type checks, per-item sha256
 * dedupe, a 佐证 audit event in the item's history). `rectify evidence list`
 * prints a measure's files with their 序号.
 */
async function measureId(services: Services, L: string, code: string): Promise<string> {
  if (!(await services.ledgers.getLedger(L))) throw new DomainError('no_ledger', `台账 ${L} 不存在。`);
  const q = parseCode(code);
  if (!q) throw new DomainError('bad_code', `“${code}”不是有效的编号。`, '编号示例：二.1.1、3.2。');
  const ids = await services.ledgers.resolveAlias(L, aliasOf(q));
  if (ids.length !== 1) throw new DomainError('unknown_code', ids.length ? `编号“${code}”对应多个事项，请带上方面序号。` : `未找到编号“${code}”。`);
  return ids[0]!;
}

const evidenceOf = (services: Services) => {
  if (!services.evidence) throw new DomainError('no_evidence', '本服务未启用佐证材料功能。');
  return services.evidence;
};

export function registerEvidenceCli(program: Command): void {
  const ev = program.command('evidence').description('佐证材料：在本机为整改措施附上文件（如扫描件），或列出已附的文件');

  ev.command('add')
    .description('为一条整改措施附上佐证材料文件（图片、PDF、Word、Excel），记入办理记录')
    .requiredOption('--ledger <id>', '台账ID')
    .requiredOption('--item <编号>', '整改措施编号，如 二.1.1 或 3.2')
    .requiredOption('--file <路径>', '要附上的文件')
    .option('--by <姓名>', '记在谁的名下（办理记录中显示）', '整改办')
    .option('--name <文件名>', '显示的文件名（默认取文件本身的名字）')
    .action((o) => withServices(undefined, async ({ services }) => {
      const e = evidenceOf(services);
      const itemId = await measureId(services, o.ledger, o.item);
      const st = await stat(o.file).catch(() => null);
      if (!st?.isFile()) throw new DomainError('no_file', `找不到文件：${o.file}`);
      if (st.size > e.limits.maxBytes) throw new DomainError('too_large', `文件 ${formatSize(st.size)}，超过佐证材料 ${formatSize(e.limits.maxBytes)} 的上限，未保存。`);
      const bytes = await readFile(o.file);
      const r = await e.attachEvidence({
        ledgerId: o.ledger, itemId, file: { bytes, name: o.name ?? path.basename(o.file) },
        actor: { platform: 'console', userId: 'cli', name: o.by }, messageId: `cli-${randomUUID()}`,
      });
      if (!r.ok) throw new DomainError(r.code, r.reason);
      const item = await services.ledgers.getItem(o.ledger, itemId);
      if (r.same) console.log(`该文件已作为 ${item?.code ?? o.item} 的第${r.record.n}份佐证材料上传过（${r.record.name}），未重复保存。`);
      else console.log(`已为 ${item?.code ?? o.item} 附上第${r.record.n}份佐证材料：${describeRecord(r.record)}`);
    }));

  ev.command('list')
    .description('列出一条整改措施的佐证材料（序号、文件名、类型、大小、提交人、时间）')
    .requiredOption('--ledger <id>', '台账ID')
    .requiredOption('--item <编号>', '整改措施编号')
    .option('--json', '输出JSON')
    .action((o) => withServices(undefined, async ({ services }) => {
      const e = evidenceOf(services);
      const list = await e.list(o.ledger, await measureId(services, o.ledger, o.item));
      if (o.json) { console.log(JSON.stringify(list.map(({ key: _key, ...r }) => r), null, 2)); return; }
      if (!list.length) { console.log('还没有佐证材料。'); return; }
      for (const r of list) console.log(`第${r.n}份 ${describeRecord(r)} ${r.by.name} ${r.at}`);
    }));
}
