/** The inbound worker's own answers (when a message cannot be applied) and its run timeout. */
import type { Reply } from '../core/message.js';

const personal = (text: string): Reply => ({ title: '整改督办', markdown: text, text, mentions: [], personal: true });

/** A message whose apply failed with an unexpected error (it is retried; this answers a user-visible failure). */
export const APOLOGY: Reply = personal('抱歉，处理这条消息时出了点问题，请稍后再试或联系整改办。');

/** A message that failed every attempt: finished unapplied, and the sender is told so. */
export const GAVE_UP: Reply = personal('抱歉，这条消息多次处理未能完成，未被记录，请稍后重新发送或联系整改办。');

/** `p`, or a rejection with "run timed out" after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => { t = setTimeout(() => reject(new Error('run timed out')), ms); })])
    .finally(() => clearTimeout(t));
}
