import { normalizeInput } from '../ledger/normalize.js';
import { shanghaiDate } from '../ledger/dates.js';
import type { LadderStep } from './reminders.js';

/**
 * How reminders reach people, per ledger:
 * - `group`: the bound group, with @-mentions (the default);
 * - `direct`: 1:1 to each person named by the step (group only for people without an account);
 * - `direct-then-group`: 1:1 at the early steps, the group @ once overdue (the escalation step).
 */
export type ReachMode = 'group' | 'direct' | 'direct-then-group';
export const REACH_MODES: readonly ReachMode[] = ['group', 'direct', 'direct-then-group'];

export const REACH_LABEL: Record<ReachMode, string> = {
  group: '群内@提醒',
  direct: '私信提醒',
  'direct-then-group': '先私信、逾期后群内@提醒',
};

/** The words the office types, as shown in help. */
export const REACH_WORDS: Record<ReachMode, string> = { group: '群内', direct: '私信', 'direct-then-group': '先私信后群内' };

export const REACH_CHOICES = '提醒方式 私信 | 群内 | 先私信后群内';
export const REACH_USAGE = `${REACH_CHOICES}（不带参数查看当前设置）`;

/**
 * Reads the office's phrase: "私信", "单聊", "1对1", "群内", "群里@", "先私信后群内",
 * "私信+群", English codes too. Null when unknown.
 */
export function parseReachMode(input: string): ReachMode | null {
  const t = normalizeInput(input).replace(/[\s，,、。.“”"'：:（）()@＠]/g, '').toLowerCase();
  if (!t) return null;
  if (/^(group|群|群内|群里|群聊|群内提醒|在群里|群内at|群at)$/.test(t)) return 'group';
  if (/^(direct|私信|私聊|单聊|1对1|一对一|1:1|11|私信提醒|只私信|仅私信)$/.test(t)) return 'direct';
  if (/^(directthengroup|direct-then-group|先私信后群内|先私信后群|先私信再群内|先私信再群|先私聊后群内|先单聊后群内|私信加群内|私信\+群内|私信\+群|先私信逾期群内|私信后群内)$/.test(t)) {
    return 'direct-then-group';
  }
  return null;
}

export function isReachMode(s: string | null | undefined): s is ReachMode {
  return (REACH_MODES as readonly string[]).includes(s ?? '');
}

/** Whether a step's reminder goes 1:1 under `mode` (回头看 prompts count as an early step). */
export function goesDirect(mode: ReachMode, step: LadderStep | 'lookback'): boolean {
  if (mode === 'group') return false;
  if (mode === 'direct') return true;
  return step === 'lookback' || step.days !== 'overdue';
}

/** Reads "开/关/打开/关闭/是/否/on/off", with colons, spaces and quotes around (审批私信：开). */
export function parseOnOff(input: string): boolean | null {
  const t = normalizeInput(input).replace(/[\s：:，,。.、；;！!“”"'（）()]/g, '').toLowerCase();
  if (/^(开|开启|打开|启用|启动|是|对|要|需要|好|可以|on|yes|y|true|1)$/.test(t)) return true;
  if (/^(关|关闭|关掉|停用|停止|取消|否|不|不要|不用|不需要|off|no|n|false|0)$/.test(t)) return false;
  return null;
}

/** Who the CLI records as the setter when no --by name is given. */
export const CLI_SETTER = '命令行';

/** A ledger's delivery settings as stored (who changed them last, and when). */
export interface ReachSettings {
  mode: ReachMode;
  /** The office also gets the approval card (销号/退回) 1:1 on a completion report. */
  approvalDirect: boolean;
  by?: string;
  at?: string;
}

/** One line for replies and the CLI. */
export function describeReach(s: ReachSettings): string {
  // Settings made before the CLI wrote 命令行 carry "cli".
  const by = s.by === 'cli' ? CLI_SETTER : s.by;
  const day = s.at && !Number.isNaN(Date.parse(s.at)) ? shanghaiDate(new Date(s.at)) : '';
  const who = by ? `（${by}${day ? `于${day}` : ''}设置）` : '';
  return `提醒方式：${REACH_LABEL[s.mode]}；完成申报私信整改办：${s.approvalDirect ? '开' : '关'}${who}`;
}
