import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { DomainError } from '../core/errors.js';
import { parseAliasPairs } from '../ledger/departments.js';
import { decodeText, stripBom } from '../reports/csv.js';
import { withServices } from './open.js';

/**
 * `rectify departments alias --ledger L 审管办=审判管理办公室 …` (or `--file` with
 * one pair a line / two CSV columns 简称,全称; `--remove 审管办`), and
 * `rectify departments list --ledger L`. 部门 and permissions read the aliases.
 */
export function registerDepartmentsCli(program: Command): void {
  const dep = program.command('departments').description('各台账的部门简称（如 审管办=审判管理办公室）');
  dep.command('alias')
    .description('登记部门简称：写成 简称=全称，或用 --file 给出文件，每行一组（也可读两列的CSV：简称,全称）')
    .requiredOption('--ledger <id>', '台账ID')
    .option('--file <文件>', '简称文件（文本或CSV）')
    // commander only sees `<word...>` as variadic when an ASCII letter precedes the dots, so say it outright.
    .addOption(Object.assign(new Option('--remove <简称...>', '要删除的简称'), { variadic: true }))
    .argument('[简称=全称...]', '一组或多组 简称=全称')
    .action((pairs: string[], o) => withServices(undefined, async ({ services }) => {
      if (!(await services.ledgers.getLedger(o.ledger))) throw new DomainError('no_ledger', `台账 ${o.ledger} 不存在。`);
      const lines = [...pairs];
      if (o.file) lines.push(...stripBom(decodeText(readFileSync(o.file))).split(/\r?\n/));
      const r = parseAliasPairs(lines);
      if (!r.ok) throw new DomainError('bad_alias', r.error);
      const known = new Set(await services.ledgers.departments(o.ledger));
      const unknown = [...new Set(Object.values(r.aliases))].filter((f) => !known.has(f));
      const removed: string[] = o.remove ?? [];
      if (!Object.keys(r.aliases).length && !removed.length) throw new DomainError('no_alias', '请写上至少一组 简称=全称，如：审管办=审判管理办公室。');
      await services.ledgers.setDepartmentAliases(o.ledger, { ...r.aliases, ...Object.fromEntries(removed.map((a) => [a, ''])) });
      const n = Object.keys(r.aliases).length;
      console.log(`已登记部门简称${n}个${removed.length ? `，删除${removed.length}个` : ''}。`);
      if (unknown.length) console.log(`提示：台账中没有以下部门：${unknown.join('、')}，请核对全称。`);
    }));
  dep.command('list')
    .description('列出台账中的部门及其简称')
    .requiredOption('--ledger <id>', '台账ID')
    .action((o) => withServices(undefined, async ({ services }) => {
      const [all, aliases] = await Promise.all([services.ledgers.departments(o.ledger), services.ledgers.departmentAliases(o.ledger)]);
      for (const d of all) {
        const short = Object.entries(aliases).filter(([, f]) => f === d).map(([a]) => a);
        console.log(short.length ? `${d}（简称：${short.join('、')}）` : d);
      }
    }));
}
