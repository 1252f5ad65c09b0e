import type { ChatBinding } from '../core/binding.js';
import type { Clock } from '../core/clock.js';
import type { IncomingMessage, Reply } from '../core/message.js';
import type { Ledger } from '../ledger/types.js';
import type { Role } from '../ledger/roles.js';
import type { LinkRole } from '../core/signed-link.js';
import type { ChangesPort, DirectoryPort, LedgerPort } from './ports.js';
import type { EvidenceService } from '../evidence/service.js';
import type { VersionMemo } from '../core/memo.js';

/** Who is speaking, resolved once before any command runs. */
export interface Speaker {
  platform: IncomingMessage['platform'];
  userId: string;
  name: string;
  department: string;
  role: Role;
  /** False when the sender is not in the user directory (treated as a viewer). */
  known: boolean;
}

/** Everything a command handler may use. No platform, Koa or ioredis types here. */
export interface Services {
  ledgers: LedgerPort;
  changes: ChangesPort;
  directory: DirectoryPort;
  clock: Clock;
  /** A signed link to a ledger's dashboard for a role (default viewer; present when PUBLIC_URL is set). */
  dashboardLink?: (ledgerId: string, opts?: { role?: LinkRole; days?: number }) => Promise<string>;
  /** Evidence files (佐证材料): attach, list, remove; see src/evidence/index.ts. Present when built by openServices. */
  evidence?: EvidenceService;
  /** Digest/reminder scheduling, present when the schedule module is wired in. */
  schedule?: ScheduleCommands;
  /**
   * Answers of read commands remembered with the ledger version they were read at (used only
   * after the store confirms that version is still current); absent: nothing is remembered.
   */
  answers?: VersionMemo<Reply>;
}

/** What chat commands need from the scheduler (implemented in src/schedule/). */
export interface ScheduleCommands {
  /** Reads a schedule phrase ("周一 9:00", "每天 8:30", "工作日 9:00", a cron line; empty = the default). */
  parseSchedule(phrase: string): { cron: string } | { error: string };
  subscribe(binding: ChatBinding, cron: string, by: Speaker): Promise<Reply>;
  unsubscribe(binding: ChatBinding, by: Speaker): Promise<Reply>;
  deliveryLog(binding: ChatBinding): Promise<Reply>;
  /** 提醒方式 [私信|群内|先私信后群内]: shows, or with a phrase sets, how reminders reach people (office). */
  reach(binding: ChatBinding, phrase: string, by: Speaker): Promise<Reply>;
  /** 审批私信 [开|关]: shows, or sets, whether the office also gets approval cards 1:1. */
  approvalDirect(binding: ChatBinding, phrase: string, by: Speaker): Promise<Reply>;
  /**
   * After a completion report (a reply with `actions`): queues the office's 1:1
   * copies when the ledger asks for them; returns how many were queued.
   */
  approvalCopies?(chat: { platform: ChatBinding['platform']; chatId: string; ledgerId: string }, reply: Reply, senderId: string): Promise<number>;
}

export interface CommandContext {
  msg: IncomingMessage;
  speaker: Speaker;
  binding: ChatBinding | null;
  /** The bound ledger (non-null for every command with needsLedger !== false). */
  ledger: Ledger;
  services: Services;
  now: Date;
  /** Shanghai calendar date of `now`. */
  today: string;
}

/** A parse failure: the user gets `message` plus the command's usage. */
export interface ParseFailure {
  error: string;
}

export function isParseFailure(x: unknown): x is ParseFailure {
  return typeof x === 'object' && x !== null && 'error' in x;
}

export interface CommandSpec<A = unknown> {
  /** Canonical Chinese keyword, e.g. 进度. */
  name: string;
  aliases: string[];
  /** One line for the help list. */
  summary: string;
  usage: string;
  /** Roles allowed to run it (default: everyone). */
  roles?: Role[];
  /** A setting of the group chat itself (绑定, 订阅…): refused in a 1:1 chat with the robot. */
  groupOnly?: boolean;
  /** Sent without arguments it only shows (e.g. 提醒方式): anyone may; `roles` then guards setting. */
  openWhenBare?: boolean;
  /** Whether the chat must be bound to a ledger (default true). */
  needsLedger?: boolean;
  /** Whether it writes (used for metrics and for the unavailable message). */
  writes?: boolean;
  parse(args: string): A | ParseFailure;
  run(ctx: CommandContext, args: A): Promise<Reply>;
}

/** Helper so each command file keeps its argument type. */
export function defineCommand<A>(spec: CommandSpec<A>): CommandSpec<unknown> {
  return spec as unknown as CommandSpec<unknown>;
}
