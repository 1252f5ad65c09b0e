/**
 * 删除佐证 <编号> <序号…|最后一份|文件名>: removes evidence files softly (the
 * record leaves the list, keeps its 序号, the bytes stay; 撤销 within 10
 * minutes restores it). The office removes any file; the uploader may
 * withdraw their own file on the day it was sent, before the measure is 销号.
 */
import type { EvidenceRecord } from '../evidence/types.js';
import { KIND_LABEL, formatSize } from '../evidence/kinds.js';
import { parseNumeral } from '../ledger/numerals.js';
import { formatMonthDayCn, shanghaiDate } from '../ledger/dates.js';
import { DomainError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';
import { defineCommand, type CommandContext, type ParseFailure } from './types.js';
import { ReplyBuilder } from './reply.js';
import { measureOf, requireEvidence } from './evidence.js';

/** Which file: its 序号, the last one, or its name. */
export type EvidenceRef = { n: number } | { last: true } | { name: string };

const NUM = '[0-9〇零一二两三四五六七八九十百]+';
const NUM_TOKEN = new RegExp(`^第?(${NUM})[个份张项号件]?$`);
const LAST = /^第?(?:最后|最新|最近)[一1]?[个份张项号件]?$/;

/** "3.2 1", "3.2 第一份", "３．２，第2个", "3.2 1 2", "3.2 最后一份", "3.2 现场照片.png" → the code and the files. */
export function parseRemoval(args: string): { code: string; refs: EvidenceRef[] } | ParseFailure {
  const t = args.trim();
  if (!t) return { error: '请写上编号和要删除的是第几份，如：删除佐证 3.2 1。' };
  const m = t.match(/^(.+?)(?:\s*[,，、:：]\s*|\s+|(?=第|最后|最新))(.+)$/s);
  if (!m) return { error: '请在编号后写上要删除的是第几份佐证材料（发送“佐证 编号”可看序号）。' };
  const code = m[1].trim();
  const rest = m[2].trim().replace(/第\s+/g, '第');
  if (LAST.test(rest)) return { code, refs: [{ last: true }] };
  const tokens = rest.split(/\s*[\s,，、;；]\s*|\s*(?:和|及)\s*/).filter(Boolean);
  if (tokens.length && tokens.every((x) => NUM_TOKEN.test(x))) {
    const refs: EvidenceRef[] = [];
    for (const x of tokens) {
      const n = parseNumeral(x.match(NUM_TOKEN)![1]);
      if (!n || n < 1) return { error: `“${safeText(x)}”不是有效的序号，请写 1、2、3…（发送“佐证 编号”可看序号）。` };
      if (!refs.some((r) => 'n' in r && r.n === n)) refs.push({ n });
    }
    return { code, refs };
  }
  const name = rest.replace(/^[“"'‘《]+|[”"'’》]+$/g, '').trim();
  return name ? { code, refs: [{ name }] } : { error: '请在编号后写上要删除的是第几份佐证材料（发送“佐证 编号”可看序号）。' };
}

const line = (r: EvidenceRecord) => `第${r.n}份：${safeText(r.name)}（${KIND_LABEL[r.kind]}，${formatSize(r.size)}）`;
const when = (iso: string) => formatMonthDayCn(shanghaiDate(new Date(iso)));

export const evidenceRemove = defineCommand<{ code: string; refs: EvidenceRef[] }>({
  name: '删除佐证',
  aliases: ['删佐证', '移除佐证', '删除佐证材料', '撤回佐证'],
  summary: '删除佐证材料（整改办；上传人当天、销号前可撤回自己上传的），10分钟内可“撤销”',
  usage: '删除佐证 <编号> <序号>，如：删除佐证 3.2 1（序号见“佐证 3.2”；可写几个序号、“最后一份”或文件名）',
  roles: ['office', 'leader', 'owner'],
  writes: true,
  parse: parseRemoval,
  async run(ctx, { code, refs }) {
    const ev = requireEvidence(ctx);
    const m = await measureOf(ctx, code);
    const L = ctx.ledger.id;
    const [live, gone] = await Promise.all([ev.list(L, m.id), ev.removed(L, m.id)]);
    if (!live.length && !gone.length) throw new DomainError('no_such_evidence', `${m.code} 还没有佐证材料，无需删除。`);
    const picked: EvidenceRecord[] = [];
    const notes: string[] = [];
    const numbers = live.map((r) => r.n).join('、');
    for (const ref of refs) {
      let hit: EvidenceRecord | undefined;
      if ('n' in ref) {
        hit = live.find((r) => r.n === ref.n);
        const was = hit ? undefined : gone.find((r) => r.n === ref.n);
        if (was) { notes.push(`第${ref.n}份已删除（${safeText(was.removed?.by.name ?? '')}于${when(was.removed?.at ?? was.at)}删除），未作改动。`); continue; }
        if (!hit) { notes.push(`${m.code} 没有第${ref.n}份佐证材料${numbers ? `（现有序号：${numbers}）` : ''}。`); continue; }
      } else if ('last' in ref) {
        hit = live[live.length - 1];
        if (!hit) { notes.push(`${m.code} 的佐证材料都已删除。`); continue; }
      } else {
        const same = live.filter((r) => r.name === ref.name);
        const like = same.length ? same : live.filter((r) => r.name.includes(ref.name));
        if (like.length > 1) { notes.push(`有${like.length}份名为“${safeText(ref.name)}”的材料（序号 ${like.map((r) => r.n).join('、')}），请写序号。`); continue; }
        hit = like[0];
        if (!hit) {
          const was = gone.find((r) => r.name === ref.name);
          notes.push(was ? `“${safeText(ref.name)}”（第${was.n}份）已删除，未作改动。` : `${m.code} 没有名为“${safeText(ref.name)}”的佐证材料${numbers ? `（现有序号：${numbers}）` : ''}。`);
          continue;
        }
      }
      if (!picked.includes(hit)) picked.push(hit);
    }
    const s = ctx.speaker;
    if (s.role !== 'office') {
      const notMine = picked.filter((r) => !(r.by.platform === s.platform && r.by.userId === s.userId && shanghaiDate(new Date(r.at)) === ctx.today));
      if (notMine.length) {
        throw new DomainError('not_allowed', `${notMine.map((r) => `第${r.n}份`).join('、')}不是您今天上传的：只能撤回自己当天上传的佐证材料，其他的请联系整改办删除。`);
      }
      if (picked.length && m.status === '已销号') throw new DomainError('not_allowed', `${m.code} 已销号，佐证材料不能再撤回；如有错误请联系整改办。`);
    }
    const b = new ReplyBuilder('删除佐证');
    if (picked.length) {
      const r = await ev.removeEvidence(L, m, picked.map((x) => x.id), { platform: s.platform, userId: s.userId, name: s.name }, ctx.msg.messageId, { undoable: true });
      if (!r.ok) throw new DomainError('no_such_evidence', r.reason);
      b.line(`🗑️ 已删除 **${m.code}** 的佐证材料：`);
      for (const x of r.records) b.item(line(x));
      b.line(`已记入变更记录（发送“历史 ${m.code}”可查）；10分钟内发送“撤销”可恢复。其余材料序号不变。`);
    }
    for (const n of notes) b.line(n);
    return b.forSender().build();
  },
});
