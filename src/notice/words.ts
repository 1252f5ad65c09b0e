import type { Kind, Status } from '../ledger/types.js';
import { parseStatus, statusPrefix } from '../ledger/status.js';

/** How a notice words each status ("整改完成进度：已完成整改"), as the seeds and the digest headline do. */
export const NOTICE_STATUS_WORD: Record<Status, string> = {
  已销号: '已销号',
  已完成: '已完成整改',
  已完成并长期坚持: '已完成整改并长期坚持',
  待销号: '已申报完成待销号',
  基本完成: '基本完成整改',
  阶段性完成: '阶段性完成',
  推进中: '正在推进',
  未启动: '尚未启动',
};

const BY_WORD = new Map(Object.entries(NOTICE_STATUS_WORD).map(([s, w]) => [w, s as Status]));

/** A status as a notice writes it (our own words first, then every synonym the ledger knows, then a leading status word). */
export function noticeStatus(word: string): Status | null {
  const w = word.trim().replace(/[。.；;]$/, '');
  return BY_WORD.get(w) ?? parseStatus(w) ?? statusPrefix(w)?.status ?? null;
}

/** Marker that a sentence still needs the office's own words. */
export const PLACEHOLDER = '【待补充】';
export const placeholder = (what: string) => `【待补充：${what}】`;

/** Heading of a non-feedback problem, in the seeds' phrasing (001: 针对“举一反三”整改事项“…”问题). */
export function problemHeading(kind: Kind, title: string): string {
  const t = title.replace(/[。.；;]+$/, '');
  switch (kind) {
    case '举一反三': return `针对“举一反三”整改事项“${t}”问题。`;
    case '整改意见': return `落实“${t}”整改意见。`;
    case '推动改革促进发展': return `推动改革、促进发展事项“${t}”。`;
    case '信访件': return `信访件“${t}”办理情况。`;
    case '问题线索': return `问题线索“${t}”处置情况。`;
    default: return `${t}。`;
  }
}

/** Ends a sentence with 。 unless it already ends with closing punctuation. */
export function sentence(s: string): string {
  const t = s.trim();
  return /[。！？；;.!?]$/.test(t) ? t.replace(/[；;.]$/, '。') : `${t}。`;
}
