import type { Mention } from '../core/message.js';
import type { Measure } from '../ledger/types.js';
import { personKey } from '../ledger/people.js';
import type { PeopleLookup } from './digest-render.js';
import { goesDirect, type ReachMode } from './reach.js';
import type { StepHit } from './reminders.js';

/** In what capacity a person gets an item 1:1. */
export type DirectRole = 'owner' | 'leader' | 'office';

/** One item in a person's 1:1 reminder. */
export interface DirectItem {
  measure: Measure;
  /** The ladder step reached; absent for a 回头看 prompt. */
  hit?: StepHit;
  role: DirectRole;
}

/** A 1:1 candidate: claimed once per (item, step, deadline, person). */
export interface DirectWant {
  field: string;
  userId: string;
  name: string;
  item: DirectItem;
}

/** How one run's reminders split between the group and 1:1 messages. */
export interface ReachPlan {
  groupHits: StepHit[];
  groupLooks: Array<{ measure: Measure; field: string }>;
  /** Group fields listed without @: their people were reached 1:1 (only some named people lack an account). */
  quiet: Set<string>;
  /** Per group field: the named people with no account on this platform (they fall back to the group). */
  fallback: Map<string, string[]>;
  wants: DirectWant[];
}

/**
 * Splits reached steps and 回头看 prompts by the ledger's reach mode. A step
 * going 1:1 reaches every named person with an account on the platform, and
 * the office when the step names it; an item whose people include one with
 * no account, or that names nobody, stays in the group for them.
 */
export function planReach(
  mode: ReachMode, hits: StepHit[], looks: Array<{ measure: Measure; field: string }>, people: PeopleLookup, office: Mention[],
): ReachPlan {
  const plan: ReachPlan = { groupHits: [], groupLooks: [], quiet: new Set(), fallback: new Map(), wants: [] };
  const reach = (field: string, named: Array<[string, DirectRole]>, officeToo: boolean, item: Omit<DirectItem, 'role'>): boolean => {
    const missing: string[] = [];
    const before = plan.wants.length;
    const seen = new Set<string>();
    const add = (m: Mention, name: string, role: DirectRole) => {
      if (seen.has(m.userId)) return;
      seen.add(m.userId);
      plan.wants.push({ field: `${field}|${m.userId}`, userId: m.userId, name, item: { ...item, role } });
    };
    for (const [n, role] of named) {
      const acc = people(n);
      if (!acc.length) missing.push(personKey(n));
      for (const m of acc) add(m, personKey(n), role);
    }
    if (officeToo) for (const m of office) add(m, m.name ?? m.userId, 'office');
    if (missing.length) plan.fallback.set(field, [...new Set(missing)]);
    // Nobody reachable 1:1 at all: the group reminder as before.
    return missing.length > 0 || plan.wants.length === before;
  };
  for (const h of hits) {
    if (!goesDirect(mode, h.step)) {
      plan.groupHits.push(h);
      continue;
    }
    const named: Array<[string, DirectRole]> = [
      ...(h.step.notify.includes('owner') ? h.measure.owners.map((n): [string, DirectRole] => [n, 'owner']) : []),
      ...(h.step.notify.includes('leader') ? h.measure.leaders.map((n): [string, DirectRole] => [n, 'leader']) : []),
    ];
    const sentAny = plan.wants.length;
    if (reach(h.field, named, h.step.notify.includes('office'), { measure: h.measure, hit: h })) {
      plan.groupHits.push(h);
      if (plan.wants.length > sentAny) plan.quiet.add(h.field);
    }
  }
  for (const l of looks) {
    if (!goesDirect(mode, 'lookback')) {
      plan.groupLooks.push(l);
      continue;
    }
    const sentAny = plan.wants.length;
    if (reach(l.field, l.measure.owners.map((n): [string, DirectRole] => [n, 'owner']), false, { measure: l.measure })) {
      plan.groupLooks.push(l);
      if (plan.wants.length > sentAny) plan.quiet.add(l.field);
    }
  }
  return plan;
}

/** Owned 1:1 candidates grouped into one entry per person, in first-seen order. */
export function byPerson(wants: DirectWant[]): Array<{ userId: string; name: string; items: DirectItem[] }> {
  const out = new Map<string, { userId: string; name: string; items: DirectItem[] }>();
  for (const w of wants) {
    const p = out.get(w.userId) ?? { userId: w.userId, name: w.name, items: [] };
    if (!p.items.some((i) => i.measure.id === w.item.measure.id && !!i.hit === !!w.item.hit)) p.items.push(w.item);
    out.set(w.userId, p);
  }
  return [...out.values()];
}
