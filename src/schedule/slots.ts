import { nextSlot, prevSlot, type CronSpec } from './cron.js';

/** Slots just behind the handled one are still sent in order within this span (small stalls, not downtime). */
export const IN_ORDER_MS = 60_000;

export interface PickedSlot {
  slot: number;
  /** Older than the grace window: to be skipped and logged, never sent. */
  stale: boolean;
}

/**
 * Which slot of a schedule is due at `now`, given the last handled one.
 * Normally the slot right after the handled one; after downtime only the
 * latest slot counts (never a burst of old ones), sent if it is within the
 * grace window, else marked stale.
 */
export function pickSlot(spec: CronSpec, lastHandled: number | null, now: Date, graceMs: number): PickedSlot | null {
  const latest = prevSlot(spec, now);
  if (!latest) return null;
  const l = latest.getTime();
  if (lastHandled !== null && l <= lastHandled) return null;
  if (lastHandled !== null) {
    const n = nextSlot(spec, new Date(lastHandled));
    if (n && n.getTime() < l && now.getTime() - n.getTime() <= Math.min(IN_ORDER_MS, graceMs)) {
      return { slot: n.getTime(), stale: false };
    }
  }
  return { slot: l, stale: now.getTime() - l > graceMs };
}
