import type { Logger } from 'pino';
import type { Services } from '../commands/types.js';
import { sendsDirect, type SenderRegistry } from '../core/sender.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import type { ScheduleStore, ScheduledChat, SlotKind } from '../store/schedule-store.js';
import { composeDigest, composeReminders, RunCache, type ChatRef } from './compose.js';
import type { ScheduleConfig } from './config.js';
import { compileCron, cronOf, nextSlot, type CronSpec } from './cron.js';
import type { Outbox } from './outbox.js';
import { pickSlot } from './slots.js';

export interface SchedulerDeps {
  services: Services;
  sched: ScheduleStore;
  outbox: Outbox;
  log: DeliveryLog;
  senders: SenderRegistry;
  logger: Logger;
  config: ScheduleConfig;
  /** This instance's name, stored with its claims (diagnostics only). */
  owner: string;
}

/** A first digest covers the week before it. */
const FIRST_WINDOW_MS = 7 * 86_400_000;
/** A claimer that has not queued its slot within this time is presumed dead. */
export const LEASE_MS = 60_000;
const PARALLEL = 16;
/** How soon to look again at a slot another instance is working on. */
const RECHECK_MS = 5_000;

export interface TickResult {
  queued: string[];
  skipped: string[];
}

/**
 * Decides, on every tick, which (chat, slot) pairs are due and turns each into
 * one outbox message. Every instance runs the same ticks; the slot claim in
 * Redis lets exactly one of them render and enqueue each pair.
 */
export class Scheduler {
  private chats: ScheduledChat[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  /** Per (kind, chat): the next slot worth looking at — a cache; Redis decides. */
  private readonly nextDue = new Map<string, number>();
  private readonly specs = new Map<string, CronSpec | null>();
  private readonly reminderSpec: CronSpec;

  constructor(private readonly d: SchedulerDeps) {
    this.reminderSpec = cronOf(d.config.reminderCron);
  }

  /** Re-reads subscribed chats at the next tick (after 订阅/退订 on this instance). */
  invalidate(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  async tick(): Promise<TickResult> {
    const now = this.d.services.clock.now();
    if (now.getTime() - this.loadedAt >= this.d.config.refreshMs || now.getTime() < this.loadedAt) {
      this.chats = await this.d.sched.scheduledChats();
      this.loadedAt = now.getTime();
    }
    const cache = new RunCache(this.d.services);
    const out: TickResult = { queued: [], skipped: [] };
    const work: Array<() => Promise<void>> = [];
    for (const chat of this.chats) {
      const spec = this.spec(chat.cron);
      if (!spec) continue;
      work.push(() => this.runChat(chat, 'digest', spec, now, cache, out));
      work.push(() => this.runChat(chat, 'remind', this.reminderSpec, now, cache, out));
    }
    await runLimited(work, PARALLEL, (err) => this.d.logger.error({ err: (err as Error).message }, 'schedule: chat run failed'));
    return out;
  }

  private spec(cron: string): CronSpec | null {
    if (!this.specs.has(cron)) {
      const c = compileCron(cron);
      if ('error' in c) this.d.logger.warn({ cron }, 'schedule: unusable cron expression ignored');
      this.specs.set(cron, 'error' in c ? null : c);
    }
    return this.specs.get(cron)!;
  }

  private async runChat(chat: ScheduledChat, kind: SlotKind, spec: CronSpec, now: Date, cache: RunCache, out: TickResult): Promise<void> {
    const key = `${kind}|${spec.expr}|${chat.platform}:${chat.chatId}`;
    if ((this.nextDue.get(key) ?? 0) > now.getTime()) return;
    const { sched, config } = this.d;
    const mark = await sched.slotMark(chat.platform, chat.chatId, kind);
    // A slot left 'claimed' was taken by an instance that may have died before
    // queueing it: retry that one (the claim succeeds once its lease ran out).
    const pick = mark?.state === 'claimed'
      ? { slot: mark.slot, stale: now.getTime() - mark.slot > config.graceMs }
      : pickSlot(spec, mark ? mark.slot : null, now, config.graceMs);
    if (!pick) {
      this.remember(key, spec, mark?.slot ?? now.getTime());
      return;
    }
    if (!(await sched.claimSlot(chat.platform, chat.chatId, kind, pick.slot, now.getTime(), LEASE_MS, this.d.owner))) {
      const again = await sched.slotMark(chat.platform, chat.chatId, kind);
      if (again?.state === 'claimed') this.nextDue.set(key, now.getTime() + RECHECK_MS);
      else this.remember(key, spec, pick.slot);
      return;
    }
    const label = `${kind}:${chat.platform}:${chat.chatId}@${new Date(pick.slot).toISOString()}`;
    if (pick.stale) {
      await sched.finishSlot(chat.platform, chat.chatId, kind, pick.slot, 'skipped');
      // Only a chat that was served before missed something; a fresh one just starts.
      if (mark && kind === 'digest') {
        await this.d.log.add({
          at: now.toISOString(), platform: chat.platform, chatId: chat.chatId, ledgerId: chat.ledgerId, kind,
          slot: new Date(pick.slot).toISOString(), status: 'skipped', code: 'stale',
          reason: `服务停机错过了推送时间，超过${Math.round(config.graceMs / 3600_000)}小时宽限期，本次不再补发`,
        });
      }
      this.d.logger.warn({ slot: label }, 'schedule: slot older than the grace window skipped');
      out.skipped.push(label);
      this.remember(key, spec, pick.slot);
      return;
    }
    const queued = await this.render(chat, kind, pick.slot, now, mark?.rendered || now.getTime() - FIRST_WINDOW_MS, cache);
    await sched.finishSlot(chat.platform, chat.chatId, kind, pick.slot, queued ? 'queued' : 'skipped', kind === 'digest' && queued ? now.getTime() : undefined);
    if (queued) out.queued.push(label);
    this.remember(key, spec, pick.slot);
  }

  private async render(chat: ChatRef, kind: SlotKind, slot: number, now: Date, since: number, cache: RunCache): Promise<boolean> {
    const binding = await this.d.services.directory.getBinding(chat.platform, chat.chatId);
    if (!binding || binding.ledgerId !== chat.ledgerId) return false;
    const { services, sched } = this.d;
    const sender = this.d.senders.get(chat.platform);
    if (kind === 'digest') {
      const reply = (await composeDigest(services, cache, chat, now, new Date(since)))?.reply;
      if (!reply) return false;
      await this.d.outbox.enqueue(chat, binding.channel, kind, slot, reply, sender, now.getTime());
      return true;
    }
    const run = await composeReminders(services, sched, cache, chat, now, slot, sendsDirect(sender));
    if (!run) return false;
    if (run.group) await this.d.outbox.enqueue(chat, binding.channel, kind, slot, run.group, sender, now.getTime());
    for (const d of run.direct) {
      await this.d.outbox.enqueueDirect(chat, 'direct', d, String(slot), slot, d.reply, sender, now.getTime());
    }
    if (run.fallback.length) {
      await this.d.log.add({
        at: now.toISOString(), platform: chat.platform, chatId: chat.chatId, ledgerId: chat.ledgerId, kind: 'direct',
        slot: new Date(slot).toISOString(), status: 'skipped', code: 'no_account',
        reason: `${run.fallback.join('、')}未登记本平台账号，无法私信，已改在群内提醒`,
      });
    }
    return Boolean(run.group || run.direct.length);
  }

  private remember(key: string, spec: CronSpec, handled: number): void {
    const n = nextSlot(spec, new Date(handled));
    this.nextDue.set(key, n ? n.getTime() : Number.MAX_SAFE_INTEGER);
  }
}

/** Runs thunks with at most `n` in flight; failures are reported, not fatal. */
export async function runLimited(work: Array<() => Promise<void>>, n: number, onError: (e: unknown) => void): Promise<void> {
  let i = 0;
  const lane = async () => {
    while (i < work.length) {
      const w = work[i++];
      try {
        await w();
      } catch (e) {
        onError(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, work.length) }, lane));
}
