import type { CommandSpec } from './types.js';
import { progress, view, history } from './read.js';
import { overdue, dueSoon, mine, dept, leader, search, pending } from './lists.js';
import { progressNote, complete, strike, sendBack, reschedule, undo } from './write.js';
import { bind, unbind } from './admin.js';
import { requestExtension, approveExtension, rejectExtension, pendingApprovals } from './extensions.js';
import { scheduleCommands } from './schedule.js';
import { dashboard } from './dashboard.js';
import { notice } from './notice.js';
import { switchLedger } from './switch.js';
import { evidenceView } from './evidence.js';
import { evidenceRemove } from './evidence-remove.js';

/** Every chat command, in help order. */
export const COMMANDS: CommandSpec[] = [
  progress, view, overdue, dueSoon, mine, dept, leader, search, pending,
  progressNote, complete, strike, sendBack, reschedule, requestExtension, approveExtension, rejectExtension, pendingApprovals, undo, history, evidenceView, evidenceRemove,
  bind, unbind, switchLedger, notice, dashboard, ...scheduleCommands,
];

/** Registers more commands (e.g. the scheduler's 订阅/退订/推送记录). */
export function registerCommands(specs: CommandSpec[]): void {
  for (const s of specs) if (!COMMANDS.some((c) => c.name === s.name)) COMMANDS.push(s);
}
