import type { Reply } from '../core/message.js';
import { safeText } from '../core/safe-text.js';
import type { Role } from '../ledger/roles.js';
import { COMMANDS } from './index.js';
import type { CommandSpec, Services } from './types.js';
import type { Measure } from '../ledger/types.js';
import { personKey } from '../ledger/people.js';
import { ReplyBuilder } from './reply.js';

const ROLE_NAMES: Record<Role, string> = { office: '整改办', leader: '责任领导', owner: '责任人', supervisor: '纪检监督', viewer: '成员（只读）' };

function allowed(c: CommandSpec, role: Role): boolean {
  return !c.roles || c.roles.includes(role);
}

/** Real names from the chat's ledger, so help examples read like this office's own work. */
export interface HelpExamples {
  code: string;
  dept?: string;
  leader?: string;
}

/** An open measure of the ledger (the earliest due), with its department and leader; undefined for an empty ledger. */
export async function helpExamples(services: Pick<Services, 'ledgers'>, ledgerId: string): Promise<HelpExamples | undefined> {
  const [id] = await services.ledgers.dueIds(ledgerId, '-inf', Number.MAX_SAFE_INTEGER, 1);
  const m = id ? ((await services.ledgers.getItem(ledgerId, id)) as Measure | null) : null;
  if (!m || m.level !== 'measure') return undefined;
  return { code: m.code, dept: m.departments[0] || undefined, leader: m.leaders[0] ? personKey(m.leaders[0]) : undefined };
}

/** A usage line with the static examples (3.2, 政治部, 罗拥军) replaced by the ledger's own. */
function localize(usage: string, ex?: HelpExamples): string {
  if (!ex) return usage;
  let u = usage.replace(/(?<![\d.])3\.2(?![\d.])/g, safeText(ex.code));
  if (ex.dept) u = u.replace(/政治部/g, safeText(ex.dept));
  if (ex.leader) u = u.replace(/罗拥军/g, safeText(ex.leader));
  return u;
}

/** The full command list for this role (the speaker's role on this chat's ledger). */
export function helpReply(role: Role, topic?: string, ex?: HelpExamples): Reply {
  if (topic) {
    const c = COMMANDS.find((x) => x.name === topic || x.aliases.includes(topic));
    if (c) {
      const b = new ReplyBuilder(`帮助：${c.name}`);
      b.line(`**${c.name}**　${c.summary}`).line(`用法：${localize(c.usage, ex)}`);
      if (c.aliases.length) b.line(`也可以说：${c.aliases.join('、')}`);
      return b.build();
    }
  }
  const b = new ReplyBuilder('使用帮助');
  b.heading('整改督办机器人 · 使用帮助');
  b.line('**查询**');
  // The summary, then the usage in parentheses (no "usage：summary" with two colons in a row).
  const line = (c: CommandSpec) => `${c.summary}（${localize(c.usage, ex)}）`;
  for (const c of COMMANDS.filter((x) => !x.writes && allowed(x, role))) b.item(line(c));
  const writes = COMMANDS.filter((x) => x.writes && allowed(x, role));
  if (writes.length) {
    b.line('**更新**');
    for (const c of writes) b.item(line(c));
  }
  b.blank();
  const code = ex?.code ?? '3.2';
  b.line(`编号可写成 二.3、(二)3、3.2、第3项；也可以直接说“${safeText(code)} 已完成，制度已印发”。`);
  b.line(`佐证材料：报告“进展”或“完成”时附上图片、PDF、Word 或 Excel 文件（或随后单独发送），即附在该项上；“佐证 ${safeText(code)}”或“查看 ${safeText(code)}”可见已附的材料（只发“佐证”看说明）。`);
  b.line(`您在本台账的身份：${ROLE_NAMES[role]}。身份按台账登记，如需调整请联系该台账的整改办。`);
  return b.build();
}

/** A short help after input we did not understand, with the nearest command. */
export function missReply(input: string, suggestion?: CommandSpec, hint?: string): Reply {
  const b = new ReplyBuilder('没看懂');
  const shown = safeText(input.length > 20 ? `${input.slice(0, 20)}…` : input);
  b.line(`没有看懂“${shown}”。`);
  if (hint) b.line(safeText(hint));
  else if (suggestion) b.line(`您是不是想用：**${suggestion.name}**（${suggestion.usage}）`);
  b.line('常用：进度 · 逾期 · 临期 · 我的 · 查看 编号 · 进展 编号 说明 · 完成 编号 说明。发送“帮助”查看全部。');
  return b.build();
}
