import type { DomainError } from '../core/errors.js';
import { createHash } from 'node:crypto';
import { spreadWithOutcome } from '../core/reply-json.js';
import type { Reply, ReplyActions, ReplyOutcome } from '../core/message.js';
import type { Services } from '../commands/types.js';
import type { AlsoSet, ApplyOptions, ChangeResult } from '../store/item-changes.js';

/** What one message did, gathered while its command runs. */
export interface DispatchTrace {
  by?: string;
  ledgerId?: string;
  /** The command's canonical name, once routed (e.g. 进展). */
  command?: string;
  changes: ChangeResult[];
  /** The domain error the command was refused with, if it was (the evidence step reads it). */
  refused?: DomainError;
  /**
   * The sender's recent item (evidence.ts), written by the command's change itself when it is the
   * message's first: `entry` builds it (absent: no evidence intake, nothing to write); `written`
   * once a change carried it, so the evidence step does not write it again.
   */
  recent?: { entry: (ledgerId: string) => AlsoSet | undefined; written?: boolean };
}

/** Preset reasons offered on a card's 退回 (the office may also type its own). */
export const SEND_BACK_REASONS = ['佐证材料不足', '整改措施未落实到位', '材料与问题不对应'];

/**
 * The services a command sees, with every applied change recorded in `trace`
 * (commands stay unaware: a change is a change whoever asks for a card).
 */
export function tracedServices(services: Services, trace: DispatchTrace): Services {
  const changes = services.changes;
  // Every applied change is recorded; 'duplicate' and 'unresolved' applied nothing.
  // The message's first change also writes the sender's recent item, when the evidence step would.
  const alsoSet = (): AlsoSet | undefined => (trace.recent && !trace.changes.length && trace.ledgerId ? trace.recent.entry(trace.ledgerId) : undefined);
  const traced = <R extends ChangeResult | string>(r: R, also: AlsoSet | undefined): R => {
    if (typeof r !== 'string') {
      if (also && !trace.changes.length) trace.recent!.written = true;
      trace.changes.push(r);
    }
    return r;
  };
  type Apply = typeof changes.apply;
  type ApplyByAlias = typeof changes.applyByAlias;
  return {
    ...services,
    changes: {
      apply: async (L, id, actor, messageId, decide, opts: ApplyOptions = {}) => {
        const also = opts.alsoSet ? undefined : alsoSet();
        return traced(await changes.apply(L, id, actor, messageId, decide, also ? { ...opts, alsoSet: also } : opts), also);
      },
      applyByAlias: async (L, alias, actor, messageId, decide, check, opts = {}) => {
        const also = opts.alsoSet ? undefined : alsoSet();
        return traced(await changes.applyByAlias(L, alias, actor, messageId, decide, check, also ? { ...opts, alsoSet: also } : opts), also);
      },
      undo: (...args: Parameters<typeof changes.undo>) => changes.undo(...args),
    } satisfies { apply: Apply; applyByAlias: ApplyByAlias; undo: typeof changes.undo },
  };
}

const OUTCOMES: Record<string, ReplyOutcome['kind']> = {
  ok: 'ok', forbidden: 'forbidden', bad_args: 'bad_args', rejected: 'rejected',
};

/**
 * Adds the platform-free outcome to a reply and, when the message moved a
 * measure into 待销号 (a completion report awaiting review), the approval card's
 * buttons: 销号, and 退回 with preset reasons.
 */
export function annotate(reply: Reply, outcome: string, trace: DispatchTrace): Reply {
  const kind = outcome === 'ok' && trace.changes.length ? 'changed' : OUTCOMES[outcome] ?? 'other';
  const out: Reply = {
    ...reply,
    outcome: {
      kind,
      ...(trace.by ? { by: trace.by } : {}),
      ...(trace.changes.length ? { changes: trace.changes.map((c) => ({ code: c.after.code, from: c.before.status, to: c.after.status })) } : {}),
    },
  };
  const pending = trace.changes.find((c) => c.after.status === '待销号' && c.before.status !== '待销号');
  if (pending && trace.ledgerId) out.actions = approvalActions(trace.ledgerId, pending, trace.by ?? '');
  else spreadWithOutcome(out, reply);
  return out;
}

/** The approval card for a completion report. */
export function approvalActions(ledgerId: string, r: ChangeResult, reporter: string): ReplyActions {
  const m = r.after;
  const id = `ap${createHash('sha256').update(`${ledgerId}\n${m.id}\n${r.eventId}`).digest('hex').slice(0, 30)}`;
  const owners = m.owners.length ? m.owners.join('、') : m.departments.join('、');
  const note = m.notes[0]?.text;
  return {
    id,
    title: '待销号审核',
    subject: `${m.code} ${m.title}`,
    fields: [
      { label: '编号', value: m.code },
      ...(owners ? [{ label: '责任人', value: owners }] : []),
      ...(reporter ? [{ label: '申报人', value: reporter }] : []),
    ],
    ...(note ? { note } : {}),
    buttons: [
      { label: '销号', command: `销号 ${m.code}`, style: 'primary' },
      { label: '退回', command: `退回 ${m.code}`, style: 'danger', reasons: SEND_BACK_REASONS },
    ],
  };
}
