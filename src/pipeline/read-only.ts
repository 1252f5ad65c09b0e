import { route } from '../commands/router.js';

/**
 * Chat commands that only read: a chat's consecutive reads may be applied
 * side by side by the inbound worker (their answers still go out in order);
 * anything else, and anything with files attached, waits for all that came
 * before it, and reads wait for the write before them.
 */
const READS = new Set(['进度', '查看', '逾期', '临期', '我的', '部门', '领导', '搜索', '待销号', '历史']);

/** True when a queued message is a read command (the queue's `msg`, not yet validated: anything odd is not). */
export function isReadOnly(msg: Record<string, unknown>): boolean {
  if (typeof msg.text !== 'string' || msg.text.length > 2000) return false;
  if (Array.isArray(msg.files) && msg.files.length) return false;
  const r = route(msg.text);
  return r.kind === 'command' && READS.has(r.spec.name);
}
