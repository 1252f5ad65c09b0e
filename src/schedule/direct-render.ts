import type { Reply } from '../core/message.js';
import type { Ledger } from '../ledger/types.js';
import { deadlineDate, formatMonthDayCn } from '../ledger/dates.js';
import { safeText } from '../core/safe-text.js';
import { ReplyBuilder } from '../commands/reply.js';
import type { DirectItem, DirectRole } from './reach-plan.js';

const WHOSE: Record<DirectRole, string> = { owner: '您负责的', leader: '您分管的', office: '需整改办督办的' };
/** What each role is asked to do: [due soon, overdue]. */
const URGE: Record<DirectRole, [string, string]> = {
  owner: ['请及时报送进展', '请抓紧整改并报送整改情况'],
  leader: ['请督促推进', '请督促尽快整改到位'],
  office: ['请跟踪督办', '请督促责任单位尽快整改并报送情况'],
};

function clip(title: string, n = 24): string {
  const t = [...title];
  return safeText(t.length > n ? `${t.slice(0, n).join('')}…` : title);
}

/** "将于12月10日到期（还剩3天）" / "今天（12月10日）到期" / "已于12月10日到期（已逾期2天）". */
function whenText(i: DirectItem): string {
  const h = i.hit!;
  const due = formatMonthDayCn(deadlineDate(i.measure.deadline)!);
  if (h.daysLeft < 0) return `已于${due}到期（已逾期${-h.daysLeft}天）`;
  if (h.daysLeft === 0) return `今天（${due}）到期`;
  return `将于${due}到期（还剩${h.daysLeft}天）`;
}

/** Overdue first, then the nearest deadline. */
function order(a: DirectItem, b: DirectItem): number {
  return a.hit!.daysLeft - b.hit!.daysLeft;
}

/**
 * One person's 1:1 reminder for one run: every item of theirs that reached a
 * step, then their 回头看 prompts. The person may answer right in this 1:1 chat:
 * it works on their ledger, the one of the last 1:1 message they got (src/pipeline/private-chat.ts).
 */
export function renderDirect(ledger: Ledger, name: string, items: DirectItem[]): Reply | null {
  const due = items.filter((i) => i.hit).sort(order);
  const looks = items.filter((i) => !i.hit);
  if (!due.length && !looks.length) return null;
  const b = new ReplyBuilder('整改时限提醒');
  b.heading(`⏰ ${safeText(ledger.title)} · 整改时限提醒`);
  b.line(`${safeText(name)}，您好：`);
  if (due.length === 1) {
    const i = due[0]!;
    const urge = URGE[i.role][i.hit!.daysLeft < 0 ? 1 : 0];
    b.line(`${WHOSE[i.role]}整改措施 **${i.measure.code}**「${clip(i.measure.title)}」${whenText(i)}，${urge}。`);
  } else if (due.length > 1) {
    const late = due.filter((i) => i.hit!.daysLeft < 0).length;
    b.line(`您有${due.length}项整改措施${late ? `临近到期或已逾期（其中逾期${late}项）` : '临近到期'}，请及时报送进展：`);
    for (const i of due) b.item(`**${i.measure.code}**「${clip(i.measure.title)}」${whenText(i)}${i.role === 'owner' ? '' : `（${WHOSE[i.role].replace(/^您|的$/g, '')}）`}`);
  }
  if (looks.length) {
    b.blank().line(`本月请对${looks.length === 1 ? '' : `以下${looks.length}项`}长期坚持事项开展“回头看”，巩固整改成果、防止问题反弹：`);
    for (const i of looks) b.item(`**${i.measure.code}**「${clip(i.measure.title)}」`);
  }
  const code = (due[0] ?? looks[0])!.measure.code;
  b.blank().line(`可直接在这里回复我：发送“进展 ${code} 说明”报送进展，完成后发送“完成 ${code} 佐证说明”。`);
  return { ...b.build(), personal: true };
}
