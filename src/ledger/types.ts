/** Pure domain types of the rectification ledger (整改台账). No I/O here. */

export const STATUSES = [
  '未启动', '推进中', '阶段性完成', '基本完成', '待销号', '已完成', '已完成并长期坚持', '已销号',
] as const;
export type Status = (typeof STATUSES)[number];

export const KINDS = ['反馈问题', '整改意见', '举一反三', '推动改革促进发展', '信访件', '问题线索'] as const;
export type Kind = (typeof KINDS)[number];

export type InspectionType = '巡视' | '巡察';
export type Light = 'red' | 'yellow' | 'green';

/** How a ledger numbers its problems: restarting in each aspect (seed 003) or straight through (seed 002). */
export type Numbering = 'per-aspect' | 'global';

export type Deadline =
  | { type: 'date'; date: string } // YYYY-MM-DD, Asia/Shanghai
  | { type: 'immediate'; date?: string } // 立行立改
  | { type: 'longterm' }; // 长期坚持

export interface Ledger {
  id: string;
  title: string;
  org: string;
  inspectionType: InspectionType;
  inspectionGroup: string;
  feedbackDate: string; // YYYY-MM-DD
  numbering: Numbering;
  /** Days before a deadline an open item turns yellow. */
  yellowDays: number;
  /** When true, 完成 goes to 待销号 and the office strikes it off; else straight to 已完成. */
  requireReview: boolean;
  /** What the ledger calls its measure level; "具体问题" keeps the seeds' headline over measures (see headline.ts). */
  measureNoun?: '具体问题' | '整改措施';
  /** Days after the feedback date a 立行立改 measure without its own date is due (default 30). */
  immediateDays?: number;
  createdAt: string;
}

export type ItemLevel = 'aspect' | 'problem' | 'measure';

interface ItemBase {
  /** Stable internal id: "1" (aspect), "1.3" (problem), "1.3.2" (measure). */
  id: string;
  /** Display code the way the ledger writes it: "二", "二.3" / "5", "二.3.2" / "5.2". */
  code: string;
  level: ItemLevel;
  title: string;
  /** Aspect ordinal (1-based). */
  aspect: number;
}

export interface Aspect extends ItemBase {
  level: 'aspect';
  /** The heading as the ledger writes it, numbering included ("（一）政治建设方面"); absent when the cell had no numbering of its own. */
  heading?: string;
}

export interface Problem extends ItemBase {
  level: 'problem';
  /** Problem number as the ledger writes it (restarting per aspect or global). */
  number: number;
  kind: Kind;
  status: Status; // rolled up from measures
  /** The heading as the ledger writes it ("（3）关于…问题"); absent when the cell had no numbering of its own. */
  heading?: string;
}

export interface Note {
  at: string; // ISO time
  by: string; // display name
  text: string;
  evidence?: boolean;
}

export interface Measure extends ItemBase {
  level: 'measure';
  problemId: string;
  number: number;
  kind: Kind;
  leaders: string[];
  departments: string[];
  owners: string[];
  deadline: Deadline;
  status: Status;
  /** Latest notes first, capped. */
  notes: Note[];
  /** The sheet's 备注 cell, kept as written (imports and exports only). */
  remark?: string;
  createdAt: string;
  updatedAt: string;
  /** Monotonic version for optimistic concurrency. */
  version: number;
  /** An open 申请延期 awaiting the office's decision. */
  extension?: ExtensionRequest;
  /** How many extensions the office has approved (the old deadlines are in the audit trail). */
  extended?: number;
}

/** A request to move a measure's deadline (申请延期). */
export interface ExtensionRequest {
  /** Requested new deadline, YYYY-MM-DD. */
  date: string;
  reason: string;
  by: string;
  at: string;
}

export type Item = Aspect | Problem | Measure;

/** A complete ledger in memory (import/export, digest, reports). */
export interface LedgerDoc {
  ledger: Ledger;
  aspects: Aspect[];
  problems: Problem[];
  measures: Measure[];
}

/** One audit event (what the store appends to the ledger's stream). */
export interface AuditEvent {
  id: string; // stream id
  at: string; // ISO
  actor: { platform: string; userId: string; name: string };
  itemId: string;
  code: string;
  action: string; // 进展 | 完成 | 销号 | 退回 | 改期 | 撤销 | 导入 …
  from: Status | '';
  to: Status | '';
  note: string;
  messageId: string;
}
