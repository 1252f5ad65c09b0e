import type { Services } from '../commands/types.js';
import type { Mention, Platform, Reply } from '../core/message.js';
import type { AuditEvent, LedgerDoc } from '../ledger/types.js';
import { shanghaiDate } from '../ledger/dates.js';
import type { ScheduleStore } from '../store/schedule-store.js';
import type { User } from '../store/directory.js';
import { isOfficeOf } from '../ledger/roles.js';
import { buildDigestModel, type DigestModel } from './digest-model.js';
import { renderDigest } from './digest-render.js';
import { DEFAULT_LADDER, lookbackItems, parseLadder, reachedSteps, type LadderStep } from './reminders.js';
import { renderReminders } from './reminder-render.js';
import { isReachMode, type ReachSettings } from './reach.js';
import { byPerson, planReach } from './reach-plan.js';
import { renderDirect } from './direct-render.js';
import { personKey } from '../ledger/people.js';

/** A chat the scheduler serves. */
export interface ChatRef {
  platform: Platform;
  chatId: string;
  ledgerId: string;
}

/**
 * Per-run read cache: chats bound to the same ledger share one load of the
 * ledger, its recent events and the people lookups.
 */
export class RunCache {
  private readonly docs = new Map<string, Promise<LedgerDoc | null>>();
  private readonly events = new Map<string, Promise<AuditEvent[]>>();
  private readonly accounts = new Map<string, Promise<Array<{ platform: Platform; userId: string }>>>();
  private users?: Promise<User[]>;

  constructor(private readonly services: Services) {}

  doc(L: string): Promise<LedgerDoc | null> {
    return memo(this.docs, L, () => this.services.ledgers.loadDoc(L));
  }

  recent(L: string): Promise<AuditEvent[]> {
    return memo(this.events, L, () => this.services.ledgers.recentEvents(L));
  }

  /** A lookup function (sync, as renderers want) for the names in `names` on one platform. */
  async people(platform: Platform, names: Iterable<string>): Promise<(name: string) => Mention[]> {
    const found = new Map<string, Mention[]>();
    for (const n of new Set(names)) {
      // A cell may carry a title ("孙海燕（纪检组长）"); the directory knows the bare name.
      const key = personKey(n);
      const acc = await memo(this.accounts, key, () => this.services.directory.accountsByName(key));
      found.set(n, acc.filter((a) => a.platform === platform).map((a) => ({ userId: a.userId, name: key })));
    }
    return (name) => found.get(name) ?? [];
  }

  /** The office of ledger `L` on one platform (roles are per ledger). */
  async office(platform: Platform, L: string): Promise<Mention[]> {
    this.users ??= this.services.directory.listUsers();
    return (await this.users).filter((u) => u.platform === platform && isOfficeOf(u, L)).map((u) => ({ userId: u.userId, name: u.name }));
  }
}

function memo<T>(m: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = m.get(key);
  if (!p) {
    p = load();
    m.set(key, p);
  }
  return p;
}

/** The digest for a chat at `now`, covering events since `since`. Null when the ledger is gone. */
export async function composeDigest(
  services: Services, cache: RunCache, chat: ChatRef, now: Date, since: Date,
): Promise<{ reply: Reply; model: DigestModel } | null> {
  const doc = await cache.doc(chat.ledgerId);
  if (!doc) return null;
  const model = buildDigestModel(doc, await cache.recent(chat.ledgerId), since, now);
  const names = model.red.flatMap((m) => (m.owners.length ? m.owners : m.leaders));
  const people = await cache.people(chat.platform, names);
  const feedbackOnly = doc.problems.every((p) => p.kind === '反馈问题');
  return { reply: renderDigest(doc.ledger, model, { dashboardUrl: await services.dashboardLink?.(chat.ledgerId), people, feedbackOnly }), model };
}

/** The ledger's reminder ladder (stored per ledger; the default otherwise). */
export async function ladderOf(sched: ScheduleStore, ledgerId: string): Promise<LadderStep[]> {
  const raw = await sched.getLadder(ledgerId);
  if (!raw) return DEFAULT_LADDER;
  const l = parseLadder(raw);
  return 'error' in l ? DEFAULT_LADDER : l;
}

/** A ledger's reach settings (the defaults: group reminders, no 1:1 approval copy). */
export async function reachOf(sched: ScheduleStore, ledgerId: string): Promise<ReachSettings> {
  const h = await sched.getReach(ledgerId);
  return {
    mode: isReachMode(h.mode) ? h.mode : 'group',
    approvalDirect: h.approvalDirect === '1',
    ...(h.by ? { by: h.by } : {}),
    ...(h.at ? { at: h.at } : {}),
  };
}

/** A 1:1 reminder for one person in one run. */
export interface DirectMessage {
  userId: string;
  name: string;
  reply: Reply;
}

/** What one reminder run of a chat sends: the group message, the 1:1 ones, and who fell back to the group. */
export interface ReminderRun {
  group: Reply | null;
  direct: DirectMessage[];
  fallback: string[];
}

/**
 * The reminders a chat gets in run `slot`: ladder steps reached and the
 * monthly 回头看, each claimed once per item and step. By the ledger's reach
 * mode a step goes to the group (@) or 1:1; 1:1 claims are per ledger, item,
 * step and person, so a person bound to the ledger through two groups hears
 * once (a platform that cannot send 1:1 here keeps the group). Every field is claimed on behalf of this chat's run, so a re-run of a
 * crashed slot sends what the crash lost and nothing twice.
 */
export async function composeReminders(
  services: Services, sched: ScheduleStore, cache: RunCache, chat: ChatRef, now: Date, slot: number, canDirect = true,
): Promise<ReminderRun | null> {
  const doc = await cache.doc(chat.ledgerId);
  if (!doc) return null;
  const hits = reachedSteps(doc.measures, shanghaiDate(now), await ladderOf(sched, chat.ledgerId));
  const looks = lookbackItems(doc.measures, now);
  if (!hits.length && !looks.length) return null;
  // A platform without 1:1 sends here (no app credentials) keeps reminding in the group.
  const mode = canDirect ? (await reachOf(sched, chat.ledgerId)).mode : 'group';
  const names = [...hits.flatMap((h) => [...h.measure.owners, ...h.measure.leaders]), ...looks.flatMap((l) => l.measure.owners)];
  const people = await cache.people(chat.platform, names);
  const office = await cache.office(chat.platform, chat.ledgerId);
  const plan = planReach(mode, hits, looks, people, office);
  const owned = new Set(await sched.claimOnce(chat.ledgerId, chat.platform, chat.chatId, String(slot),
    [...plan.groupHits.map((h) => h.field), ...plan.groupLooks.map((l) => l.field)]));
  const mine = plan.groupHits.filter((h) => owned.has(h.field));
  const lookback = plan.groupLooks.filter((l) => owned.has(l.field));
  const fallback = [...new Set([...mine, ...lookback].flatMap((x) => plan.fallback.get(x.field) ?? []))];
  const group = renderReminders(doc.ledger, {
    hits: mine, lookback: lookback.map((l) => l.measure), quiet: plan.quiet, fallback,
    lookbackFields: new Map(lookback.map((l) => [l.measure.id, l.field])),
  }, people, office);
  const directOwned = new Set(await sched.claimOnce(chat.ledgerId, chat.platform, DIRECT_CHAT, `${slot}|${chat.chatId}`, plan.wants.map((w) => w.field)));
  const direct: DirectMessage[] = [];
  for (const p of byPerson(plan.wants.filter((w) => directOwned.has(w.field)))) {
    const reply = renderDirect(doc.ledger, p.name, p.items);
    if (reply) direct.push({ userId: p.userId, name: p.name, reply });
  }
  return group || direct.length || fallback.length ? { group, direct, fallback } : null;
}

/** The claim space of 1:1 reminders: one per ledger and platform, whatever group a run serves. */
export const DIRECT_CHAT = '@direct';
