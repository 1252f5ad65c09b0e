import type { Reply } from '../core/message.js';
import type { CardRecord, CardStatePort } from '../core/ports.js';

/** The next state of a card after a press, for every platform. */
export type CardNext =
  | { kind: 'decided'; rec: CardRecord }
  /** Shown to the presser only: the card unchanged, with a hint (仅限整改办, a refusal). */
  | { kind: 'main'; hint: string }
  /** Shown to the presser only: pick a reason for button `button`. */
  | { kind: 'reasons'; button: number };

export const ONLY_OFFICE = '仅限整改办操作，您的点击未生效。';

/**
 * Turns the core's verdict on a press (the reply's `outcome`) into the card's
 * next state, recording the decision once when the press changed the item.
 * A press refused because another press (or a typed command) decided first
 * shows the decision, or the refusal's first line, to the presser.
 */
export async function cardOutcome(
  cards: CardStatePort, rec: CardRecord, press: { button: number; reason?: string; senderId: string }, reply: Reply, now: Date,
): Promise<CardNext> {
  const button = rec.actions.buttons[press.button];
  const o = reply.outcome;
  if (o?.kind === 'changed' && button) {
    const c = o.changes?.[0];
    const decided = await cards.decide(rec.platform, rec.id, {
      label: button.label, by: o.by ?? press.senderId, at: now.toISOString(),
      ...(c ? { change: `${c.from} → ${c.to}` } : {}), ...(press.reason ? { reason: press.reason } : {}),
    });
    if (decided?.decided) return { kind: 'decided', rec: decided };
  }
  const fresh = await cards.get(rec.platform, rec.id);
  if (fresh?.decided) return { kind: 'decided', rec: fresh };
  if (o?.kind === 'forbidden') return { kind: 'main', hint: ONLY_OFFICE };
  if (o?.kind === 'bad_args' && button?.reasons?.length) return { kind: 'reasons', button: press.button };
  const why = reply.text.split('\n').map((l) => l.trim()).find(Boolean) ?? '未能完成。';
  return { kind: 'main', hint: why };
}

/** A button press, decoded from its key (WeCom event_key, DingTalk actionId). */
export type CardPress =
  | { press: 'button'; button: number }
  | { press: 'reason'; button: number; reason: number }
  | { press: 'other'; button: number }
  | { press: 'back' }
  | { press: 'none' };

/** Keys are ours: a1 (button), r1.2 (preset reason), o1 (other reason), back, done. */
export function decodeKey(key: string): CardPress {
  let m = /^a(\d)$/.exec(key);
  if (m) return { press: 'button', button: Number(m[1]) };
  m = /^r(\d)\.(\d)$/.exec(key);
  if (m) return { press: 'reason', button: Number(m[1]), reason: Number(m[2]) };
  m = /^o(\d)$/.exec(key);
  if (m) return { press: 'other', button: Number(m[1]) };
  return key === 'back' ? { press: 'back' } : { press: 'none' };
}
