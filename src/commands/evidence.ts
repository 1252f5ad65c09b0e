/**
 * 佐证材料 in chat: the numbered list under 查看 <编号> and 佐证 <编号>, and the
 * help of a bare 佐证. Files arrive through the platform intake
 * (src/pipeline/evidence.ts); removal is src/commands/evidence-remove.ts.
 *
 * 佐证 is a command only as text: a picture captioned "佐证材料" (or
 * "佐证") stays a caption of the file (src/pipeline/evidence-step.ts), and
 * "佐证 3.2" with a picture is a 进展 of 3.2 carrying it.
 */
import type { Measure } from '../ledger/types.js';
import type { EvidenceRecord } from '../evidence/types.js';
import type { EvidenceRead } from '../store/evidence-store.js';
import { KIND_LABEL, formatSize } from '../evidence/kinds.js';
import { formatMonthDayCn, shanghaiDate } from '../ledger/dates.js';
import { DomainError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';
import { defineCommand, type CommandContext } from './types.js';
import { ReplyBuilder } from './reply.js';
import { resolveItem } from './resolve.js';

/** How many files 查看 lists (佐证 <编号> and the dashboard item page show more). */
const VIEW_MAX = 20;
const LIST_MAX = 50;

/** "第1份 现场照片.jpg（图片，1.2 MB）李明 12月3日" — the number is the file's own 序号 (gaps stay after removals). */
export function evidenceLine(r: EvidenceRecord): string {
  const when = formatMonthDayCn(shanghaiDate(new Date(r.at)));
  return `第${r.n ?? '?'}份 ${safeText(r.name)}（${KIND_LABEL[r.kind]}，${formatSize(r.size)}）${safeText(r.by.name)} ${when}`;
}

/** Viewers of a sensitive ledger see no file names or uploaders (as on the dashboard's viewer links). */
export async function evidenceHidden(ctx: CommandContext): Promise<boolean> {
  const ev = ctx.services.evidence;
  return !!ev && ctx.speaker.role === 'viewer' && await ev.sensitive(ctx.ledger.id);
}

const HIDDEN = '本台账为敏感台账，佐证材料仅对整改办、责任领导、责任人和监督人员显示。';

/** The 佐证材料 block of a measure's 查看 reply (nothing when it has none or evidence is not wired). */
export async function evidenceBlock(
  ctx: CommandContext, m: Measure, b: ReplyBuilder, hidden?: boolean, read?: EvidenceRead,
): Promise<void> {
  const ev = ctx.services.evidence;
  if (!ev) return;
  const list = await ev.list(ctx.ledger.id, m.id, read);
  if (!list.length) return;
  b.blank();
  if (hidden ?? await evidenceHidden(ctx)) {
    b.line(`**佐证材料**：${HIDDEN}`);
    return;
  }
  b.line(`**佐证材料（${list.length}份）**`);
  list.slice(0, VIEW_MAX).forEach((r) => b.item(evidenceLine(r)));
  if (list.length > VIEW_MAX) b.line(`……另有${list.length - VIEW_MAX}份，请发送“佐证 ${m.code}”或在整改看板的事项页查看全部。`);
}

/** The measure a code names, or a sentence saying evidence lives on measures. */
export async function measureOf(ctx: CommandContext, code: string): Promise<Measure> {
  const item = await resolveItem(ctx, code);
  if (item.level !== 'measure') {
    throw new DomainError('not_measure', `${item.code} 不是具体的整改措施；佐证材料附在整改措施上，请写到措施一级，如 ${item.code}.1。`);
  }
  return item as Measure;
}

export function requireEvidence(ctx: CommandContext) {
  const ev = ctx.services.evidence;
  if (!ev) throw new DomainError('no_evidence', '本服务未启用佐证材料功能。');
  return ev;
}

/** How to send and view evidence (a bare 佐证, and the foot of an empty list). */
export function howToEvidence(b: ReplyBuilder, code = '3.2'): ReplyBuilder {
  b.line(`**发送**：报告“进展 ${code} …”或“完成 ${code} …”时附上图片、PDF、Word 或 Excel 文件；或在报告后10分钟内单独发送，即附在 ${code} 上。`);
  b.line(`只发“${code}”加图片（不写文字）也可以，图片就是这次进展的说明。`);
  b.line(`**查看**：发送“佐证 ${code}”或“查看 ${code}”。`);
  b.line(`**删除**：整改办发送“删除佐证 ${code} 1”（序号见列表）；上传人当天、销号前可撤回自己上传的；删除后10分钟内发送“撤销”可恢复。`);
  b.line('在本地控制台和 rectify chat 中不能附文件；整改办可用命令行“rectify evidence add”附上扫描件。');
  return b;
}

/** 佐证 <编号>: the measure's evidence, read-only, under the same rules as 查看. */
export async function evidenceList(ctx: CommandContext, code: string) {
  const ev = requireEvidence(ctx);
  const m = await measureOf(ctx, code);
  const list = await ev.list(ctx.ledger.id, m.id);
  const b = new ReplyBuilder(`${m.code} 佐证材料`);
  b.heading(`${m.code} 佐证材料`);
  if (!list.length) {
    b.line(`${m.code} 还没有佐证材料。`);
    return howToEvidence(b, m.code).build();
  }
  if (await evidenceHidden(ctx)) return b.line(`共${list.length}份。${HIDDEN}`).build();
  b.line(`共${list.length}份：`);
  list.slice(0, LIST_MAX).forEach((r) => b.item(evidenceLine(r)));
  if (list.length > LIST_MAX) b.line(`……另有${list.length - LIST_MAX}份，请在整改看板的事项页查看全部。`);
  return b.build();
}

export const evidenceView = defineCommand<string>({
  name: '佐证',
  aliases: ['佐证材料', '查看佐证', '看佐证', '佐证清单'],
  summary: '查看一项措施的佐证材料；只发“佐证”看怎样发送佐证材料',
  usage: '佐证 <编号>，如：佐证 3.2（也可“查看 3.2 佐证”）',
  parse: (args) => args.replace(/^[\s,，:：]+/, '').trim(),
  async run(ctx, code) {
    if (code) return evidenceList(ctx, code);
    return howToEvidence(new ReplyBuilder('佐证材料').heading('佐证材料怎么发、怎么看')).build();
  },
});
