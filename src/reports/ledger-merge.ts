/**
 * Re-importing a sheet into a ledger that already exists: a merge by item
 * code, never a silent replacement. The sheet is the authority on texts
 * (problem, measure, people, deadline); the bot is the authority on what was
 * done in chat after the sheet was made (status moves, extensions, notes,
 * evidence). Pure: the caller reads the current ledger and its audit events.
 */
import type { AuditEvent, Aspect, Ledger, LedgerDoc, Measure, Note, Problem, Status } from '../ledger/types.js';
import { formatDeadline } from '../ledger/dates.js';
import { rollUp } from '../ledger/status.js';

/** Which measures chat moved after the sheet was made. */
export interface ChatWork {
  statusMoved: Set<string>;
  deadlineMoved: Set<string>;
}

/** Chat actions that move a status even when from/to were not recorded. */
const STATUS_ACTIONS = new Set(['完成', '销号', '退回', '撤销']);
/** Whole-ledger events (imports, restores): not chat work. */
const LEDGER_ACTIONS = new Set(['导入', '恢复']);

/**
 * Chat work from audit events: events after `since` (ISO; every event when
 * unknown, the safe side) that moved an item's status or deadline.
 */
export function chatWorkFrom(events: AuditEvent[], since?: string): ChatWork {
  const w: ChatWork = { statusMoved: new Set(), deadlineMoved: new Set() };
  for (const e of events) {
    if (!e.itemId || LEDGER_ACTIONS.has(e.action) || (since && e.at <= since)) continue;
    if ((e.from && e.to && e.from !== e.to) || STATUS_ACTIONS.has(e.action)) w.statusMoved.add(e.itemId);
    if (e.action === '改期' || e.action === '撤销') w.deadlineMoved.add(e.itemId);
  }
  return w;
}

/** What a re-import does to one item. */
export type ItemChange =
  | { kind: 'new'; id: string; code: string; title: string }
  | { kind: 'removed'; id: string; code: string; title: string; removed: boolean }
  | { kind: 'text'; id: string; code: string; fields: string[] }
  | { kind: 'status'; id: string; code: string; sheet: Status; bot: Status; kept: 'sheet' | 'bot'; chat: boolean }
  | { kind: 'deadline'; id: string; code: string; sheet: string; bot: string };

/** Every change of one re-import, in document order, with counts. */
export interface LedgerDiff {
  changes: ItemChange[];
  counts: { new: number; removed: number; kept: number; text: number; status: number; statusKept: number; deadlineKept: number };
}

export interface MergeOptions {
  /** Take the sheet's status even where chat moved it. */
  takeSheetStatus?: boolean;
  /** Delete items the sheet no longer has (else they are kept). */
  allowRemove?: boolean;
  /** ISO time for updatedAt of changed measures. */
  now: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const byId = <T extends { id: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x]));
const order = (id: string) => id.split('.').map(Number);
const docOrder = (x: { id: string }, y: { id: string }) => {
  const [a, b] = [order(x.id), order(y.id)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

/** Bot notes plus the sheet's notes not yet there (same text), latest first. */
function mergeNotes(bot: Note[], sheet: Note[]): Note[] {
  const have = new Set(bot.map((n) => `${n.evidence ? 'e' : 'n'}:${n.text}`));
  const added = sheet.filter((n) => !have.has(`${n.evidence ? 'e' : 'n'}:${n.text}`));
  return added.length ? [...bot, ...added].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)) : bot;
}

const MEASURE_FIELDS: Array<[keyof Measure, string]> = [
  ['title', '整改措施'], ['kind', '类别'], ['leaders', '责任领导'], ['departments', '责任部门'], ['owners', '责任人'], ['deadline', '完成时限'], ['remark', '备注'],
];

function mergeMeasure(bot: Measure, sheet: Measure, chat: ChatWork, o: MergeOptions, changes: ItemChange[]): Measure {
  const out: Measure = { ...bot, title: sheet.title, kind: sheet.kind, leaders: sheet.leaders, departments: sheet.departments, owners: sheet.owners };
  if (sheet.remark) out.remark = sheet.remark;
  else delete out.remark;
  const fields: string[] = [];
  for (const [f, label] of MEASURE_FIELDS) if (f !== 'deadline' && !same(bot[f], sheet[f])) fields.push(label);
  if (!same(bot.deadline, sheet.deadline)) {
    if (chat.deadlineMoved.has(bot.id)) {
      changes.push({ kind: 'deadline', id: bot.id, code: bot.code, sheet: formatDeadline(sheet.deadline), bot: formatDeadline(bot.deadline) });
    } else {
      out.deadline = sheet.deadline;
      fields.push('完成时限');
    }
  }
  if (fields.length) changes.push({ kind: 'text', id: bot.id, code: bot.code, fields });
  if (bot.status !== sheet.status) {
    const chatMoved = chat.statusMoved.has(bot.id);
    const kept = chatMoved && !o.takeSheetStatus ? 'bot' : 'sheet';
    if (kept === 'sheet') out.status = sheet.status;
    changes.push({ kind: 'status', id: bot.id, code: bot.code, sheet: sheet.status, bot: bot.status, kept, chat: chatMoved });
  }
  out.notes = mergeNotes(bot.notes, sheet.notes);
  if (!same(out, bot)) out.updatedAt = o.now;
  return out;
}

/**
 * The sheet's aspects or problems merged with the stored ones by id (titles merged by mergeTitled,
 * a new one noted); a stored one the sheet dropped is noted as removed and stays while `alive`.
 */
function mergeLevel<T extends Aspect | Problem>(cur: T[], sheet: T[], label: string, changes: ItemChange[], alive: (b: T) => boolean): T[] {
  const curById = byId(cur);
  const sheetById = byId(sheet);
  const out: T[] = [];
  for (const s of sheet) {
    const b = curById.get(s.id);
    if (!b) changes.push({ kind: 'new', id: s.id, code: s.code, title: s.title });
    out.push(b ? mergeTitled(b, s, label, changes) : s);
  }
  for (const b of cur) {
    if (sheetById.has(b.id)) continue;
    const keep = alive(b);
    changes.push({ kind: 'removed', id: b.id, code: b.code, title: b.title, removed: !keep });
    if (keep) out.push(b);
  }
  return out;
}

/** Titles of aspects/problems: the sheet's text wins; a change is listed. */
function mergeTitled<T extends Aspect | Problem>(bot: T, sheet: T, label: string, changes: ItemChange[]): T {
  if (bot.title !== sheet.title) changes.push({ kind: 'text', id: bot.id, code: bot.code, fields: [label] });
  const out = { ...bot, ...sheet };
  // The sheet's heading as written wins, also when it now has none.
  if (!sheet.heading) delete out.heading;
  return out;
}

/**
 * Merges a freshly read sheet into the current ledger by item id (the item's
 * code). The sheet must have been built with the current ledger's numbering,
 * so that equal codes mean equal ids.
 */
export function mergeLedgerDocs(current: LedgerDoc, sheet: LedgerDoc, chat: ChatWork, o: MergeOptions): { doc: LedgerDoc; diff: LedgerDiff } {
  const m = new LedgerMerger(sheet, chat, o);
  m.add(current.aspects);
  m.add(current.problems);
  m.add(current.measures);
  return m.finish(current.ledger);
}

/**
 * {@link mergeLedgerDocs} fed the current ledger a batch at a time (a stored
 * ledger read back in slices), so the current ledger is never held whole:
 * each current measure is merged as it comes and only the merged one (or a
 * measure the sheet lacks) is kept; aspects and problems are few and kept
 * until the end. The outcome is the same as merging the whole docs. The
 * sheet is not changed (an import redone after a stale switch merges it again).
 */
export class LedgerMerger {
  private readonly measures: Measure[];
  /** Sheet position of each measure id's first occurrence, and the next position with the same id (-1: none). */
  private readonly at = new Map<string, number>();
  private readonly next: Int32Array;
  private readonly matched: Uint8Array;
  /** Changes found merging the measure at a sheet position (the last current measure of its id wins, as by id). */
  private readonly changesAt = new Map<number, ItemChange[]>();
  private readonly removed: ItemChange[] = [];
  private readonly kept: Measure[] = [];
  private readonly curAspects: Aspect[] = [];
  private readonly curProblems: Problem[] = [];

  constructor(private readonly sheet: LedgerDoc, private readonly chat: ChatWork, private readonly o: MergeOptions) {
    const n = sheet.measures.length;
    this.measures = sheet.measures.slice();
    this.next = new Int32Array(n);
    this.matched = new Uint8Array(n);
    for (let i = n - 1; i >= 0; i--) {
      const id = sheet.measures[i].id;
      this.next[i] = this.at.get(id) ?? -1;
      this.at.set(id, i);
    }
  }

  /** The next items of the current ledger (any levels; measures in the current ledger's order). */
  add(items: Array<Aspect | Problem | Measure>): void {
    for (const b of items) {
      if (b.level === 'aspect') this.curAspects.push(b);
      else if (b.level === 'problem') this.curProblems.push(b);
      else this.addMeasure(b);
    }
  }

  private addMeasure(b: Measure): void {
    let i = this.at.get(b.id) ?? -1;
    if (i < 0) {
      this.removed.push({ kind: 'removed', id: b.id, code: b.code, title: b.title, removed: !!this.o.allowRemove });
      if (!this.o.allowRemove) this.kept.push(b);
      return;
    }
    for (; i >= 0; i = this.next[i]) {
      const changes: ItemChange[] = [];
      this.measures[i] = mergeMeasure(b, this.sheet.measures[i], this.chat, this.o, changes);
      this.matched[i] = 1;
      if (changes.length) this.changesAt.set(i, changes);
      else this.changesAt.delete(i);
    }
  }

  /** The merged ledger and its diff, once every current item was added. */
  finish(currentLedger: Ledger): { doc: LedgerDoc; diff: LedgerDiff } {
    const { sheet, o } = this;
    const changes: ItemChange[] = [];
    sheet.measures.forEach((s, i) => {
      if (!this.matched[i]) changes.push({ kind: 'new', id: s.id, code: s.code, title: s.title });
      else for (const c of this.changesAt.get(i) ?? []) changes.push(c);
    });
    for (const c of this.removed) changes.push(c);
    const measures = this.measures;
    for (const b of this.kept) measures.push(b);
    measures.sort(docOrder);
    const live = new Set(measures.map((m) => m.problemId));

    // A problem the sheet dropped stays as long as one of its measures does.
    const problems = mergeLevel(this.curProblems, sheet.problems, '问题', changes, (b) => live.has(b.id));
    const statuses = new Map<string, Status[]>();
    for (const m of measures) statuses.set(m.problemId, [...(statuses.get(m.problemId) ?? []), m.status]);
    const rolled = problems.sort(docOrder).map((p) => ({ ...p, status: rollUp(statuses.get(p.id) ?? [p.status]) }));
    const liveAspects = new Set(rolled.map((p) => p.aspect));

    const aspects = mergeLevel(this.curAspects, sheet.aspects, '方面', changes, (b) => liveAspects.has(b.aspect));
    aspects.sort(docOrder);

    changes.sort(docOrder);
    const count = (f: (c: ItemChange) => boolean) => changes.filter(f).length;
    const diff: LedgerDiff = {
      changes,
      counts: {
        new: count((c) => c.kind === 'new'),
        removed: count((c) => c.kind === 'removed' && c.removed),
        kept: count((c) => c.kind === 'removed' && !c.removed),
        text: count((c) => c.kind === 'text'),
        status: count((c) => c.kind === 'status' && c.kept === 'sheet'),
        statusKept: count((c) => c.kind === 'status' && c.kept === 'bot'),
        deadlineKept: count((c) => c.kind === 'deadline'),
      },
    };
    const ledger = { ...sheet.ledger, createdAt: currentLedger.createdAt, numbering: currentLedger.numbering };
    return { doc: { ledger, aspects, problems: rolled, measures }, diff };
  }
}

/** One line per change (Chinese, for the dry run and the audit note), at most `limit` lines plus a tail. */
export function describeDiff(diff: LedgerDiff, limit = 200): string[] {
  const line = (c: ItemChange): string => {
    switch (c.kind) {
      case 'new': return `新增 ${c.code}：${c.title}`;
      case 'removed': return c.removed ? `删除 ${c.code}：${c.title}` : `表中没有 ${c.code}：${c.title}（保留；加 --allow-remove 才删除）`;
      case 'text': return `文字变更 ${c.code}：${c.fields.join('、')}（以表为准）`;
      case 'status':
        if (c.kept === 'bot') return `状态不同 ${c.code}：表中“${c.sheet}”，机器人“${c.bot}”（聊天中已更新，保留“${c.bot}”；加 --take-sheet-status 以表为准）`;
        return `状态不同 ${c.code}：表中“${c.sheet}”，机器人“${c.bot}”（改为“${c.sheet}”${c.chat ? '，按 --take-sheet-status' : ''}）`;
      case 'deadline': return `时限不同 ${c.code}：表中“${c.sheet}”，机器人“${c.bot}”（聊天中已改期，保留“${c.bot}”）`;
    }
  };
  const lines = diff.changes.slice(0, limit).map(line);
  if (diff.changes.length > limit) lines.push(`……另有${diff.changes.length - limit}处差异未列出。`);
  return lines;
}

/** The counts as one sentence: "新增2项、删除0项……". */
export function summarizeDiff(diff: LedgerDiff): string {
  const c = diff.counts;
  if (!diff.changes.length) return '与机器人台账相比没有差异。';
  const parts = [
    c.new && `新增${c.new}项`, c.removed && `删除${c.removed}项`, c.kept && `表中缺少${c.kept}项（保留）`,
    c.text && `文字变更${c.text}项`, c.status && `状态按表更新${c.status}项`, c.statusKept && `保留聊天中的状态${c.statusKept}项`,
    c.deadlineKept && `保留聊天中的改期${c.deadlineKept}项`,
  ].filter(Boolean);
  return `${parts.join('、')}。`;
}
