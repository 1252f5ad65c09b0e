/**
 * 佐证材料 in chat: the numbered list under 查看 <编号>, and the office's
 * 删除佐证 <编号> <序号>. Files arrive through the platform intake
 * (src/pipeline/evidence.ts); this module only reads and removes. There is no
 * separate "佐证" command on purpose: a picture captioned "佐证材料" must stay
 * a caption (a miss for the router), not become a command.
 */
import type { Measure } from '../ledger/types.js';
import type { EvidenceRecord } from '../evidence/types.js';
import { KIND_LABEL, formatSize } from '../evidence/kinds.js';
import { parseNumeral } from '../ledger/numerals.js';
import { formatMonthDayCn, shanghaiDate } from '../ledger/dates.js';
import { DomainError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';
import { defineCommand, type CommandContext, type ParseFailure } from './types.js';
import { ReplyBuilder } from './reply.js';
import { resolveItem } from './resolve.js';

/** How many files 查看 lists (the dashboard item page shows every one). */
const VIEW_MAX = 20;

/** "1. 现场照片.jpg（图片，1.2 MB）李明 12月3日" */
export function evidenceLine(r: EvidenceRecord, n: number): string {
  const when = formatMonthDayCn(shanghaiDate(new Date(r.at)));
  return `${n}. ${safeText(r.name)}（${KIND_LABEL[r.kind]}，${formatSize(r.size)}）${safeText(r.by.name)} ${when}`;
}

/** The 佐证材料 block of a measure's 查看 reply (nothing when it has none or evidence is not wired). */
export async function evidenceBlock(ctx: CommandContext, m: Measure, b: ReplyBuilder): Promise<void> {
  const ev = ctx.services.evidence;
  if (!ev) return;
  const list = await ev.list(ctx.ledger.id, m.id);
  if (!list.length) return;
  b.blank();
  b.line(`**佐证材料（${list.length}份）**`);
  list.slice(0, VIEW_MAX).forEach((r, i) => b.item(evidenceLine(r, i + 1)));
  if (list.length > VIEW_MAX) b.line(`……另有${list.length - VIEW_MAX}份，请在整改看板的事项页查看全部。`);
}

async function measureOf(ctx: CommandContext, code: string): Promise<Measure> {
  const item = await resolveItem(ctx, code);
  if (item.level !== 'measure') {
    throw new DomainError('not_measure', `${item.code} 不是具体的整改措施；佐证材料附在整改措施上，请写到措施一级，如 ${item.code}.1。`);
  }
  return item as Measure;
}

function requireEvidence(ctx: CommandContext) {
  const ev = ctx.services.evidence;
  if (!ev) throw new DomainError('no_evidence', '本服务未启用佐证材料功能。');
  return ev;
}

/** "3.2 1", "3.2 第一份", "３．２，第2个", "3.2第3张" → code and 1-based number. */
export function parseRemoval(args: string): { code: string; n: number } | ParseFailure {
  const t = args.trim();
  if (!t) return { error: '请写上编号和要删除的是第几份，如：删除佐证 3.2 1。' };
  const m = t.match(/^(.+?)(?:\s*[,，、:：]\s*|\s+|(?=第))第?\s*([0-9〇零一二两三四五六七八九十]+)\s*[个份张项号件]?$/);
  if (!m) return { error: '请在编号后写上要删除的是第几份佐证材料（发送“查看 编号”可看序号）。' };
  const n = parseNumeral(m[2]);
  if (!n || n < 1) return { error: `“${safeText(m[2])}”不是有效的序号，请写 1、2、3…（发送“查看 编号”可看序号）。` };
  return { code: m[1].trim(), n };
}

export const evidenceRemove = defineCommand<{ code: string; n: number }>({
  name: '删除佐证',
  aliases: ['删佐证', '移除佐证', '删除佐证材料', '撤回佐证'],
  summary: '删除一份佐证材料（仅限整改办，记入变更记录）',
  usage: '删除佐证 <编号> <序号>，如：删除佐证 3.2 1（序号见“查看 3.2”）',
  roles: ['office'],
  writes: true,
  parse: parseRemoval,
  async run(ctx, { code, n }) {
    const ev = requireEvidence(ctx);
    const m = await measureOf(ctx, code);
    const list = await ev.list(ctx.ledger.id, m.id);
    if (!list.length) throw new DomainError('no_such_evidence', `${m.code} 还没有佐证材料，无需删除。`);
    const rec = list[n - 1];
    if (!rec) throw new DomainError('no_such_evidence', `${m.code} 只有${list.length}份佐证材料，没有第${n}份。`, `发送“查看 ${m.code}”查看序号。`);
    const s = ctx.speaker;
    const r = await ev.removeEvidence(ctx.ledger.id, m, rec.id, { platform: s.platform, userId: s.userId, name: s.name }, ctx.msg.messageId);
    if (!r.ok) throw new DomainError('no_such_evidence', r.reason);
    const b = new ReplyBuilder('删除佐证');
    b.line(`🗑️ 已删除 **${m.code}** 的第${n}份佐证材料：${safeText(r.record.name)}（${KIND_LABEL[r.record.kind]}，${formatSize(r.record.size)}）`);
    b.line(`已记入变更记录（发送“历史 ${m.code}”可查）。`);
    return b.build();
  },
});
