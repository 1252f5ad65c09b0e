import { randomBytes } from 'node:crypto';
import type { FakeCallbacks } from './callbacks.js';

/** WeCom drops a template_card_event whose callback is not answered within this (D/101027). */
export const CARD_EVENT_DEADLINE_MS = 5_000;

/** A card as the fake's group shows it: one face for everyone, and private faces per user. */
interface FakeCard {
  chatid?: string;
  shared: Record<string, any>;
  perUser: Map<string, Record<string, any>>;
}

/** The outcome of one press. */
export interface PressResult {
  ms: number;
  /** The decrypted update, or null for an empty answer (no update). */
  update: { response_type: string; userids?: string[]; template_card: Record<string, any> } | null;
}

/** A `template_card_event` as WeCom sends it to an AI bot (D/101027). */
export function aibotCardEvent(p: { msgid: string; userid: string; chatid?: string; taskId: string; eventKey: string; responseUrl?: string }): object {
  return {
    msgid: p.msgid,
    create_time: Math.floor(Date.now() / 1000),
    aibotid: 'AIBOTID',
    ...(p.chatid ? { chatid: p.chatid, chattype: 'group' } : { chattype: 'single' }),
    from: { userid: p.userid },
    response_url: p.responseUrl ?? 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=x',
    msgtype: 'event',
    event: {
      eventtype: 'template_card_event',
      template_card_event: { card_type: 'button_interaction', event_key: p.eventKey, task_id: p.taskId, selected_items: { selected_item: [] } },
    },
  };
}

/**
 * The card side of a fake WeCom client: keeps each card sent by passive reply
 * (per task_id), sends presses as encrypted callbacks, holds WeCom's 5-second
 * rule (a later answer is dropped) and applies update_template_card replies,
 * refusing one whose task_id is not the pressed card's.
 */
export class FakeCardClient {
  readonly cards = new Map<string, FakeCard>();

  constructor(private readonly bot: FakeCallbacks, private readonly url: string) {}

  /** Records the card a passive reply plaintext carries, if any; returns its task_id. */
  track(plain: string, chatid?: string): string | null {
    const body = JSON.parse(plain) as { msgtype?: string; template_card?: Record<string, any> };
    if (body.msgtype !== 'stream_with_template_card' && body.msgtype !== 'template_card') return null;
    const card = body.template_card!;
    if (this.cards.has(card.task_id)) throw new Error(`fake wecom: task_id ${card.task_id} is not unique per bot`);
    this.cards.set(card.task_id, { chatid, shared: card, perUser: new Map() });
    return card.task_id;
  }

  /** What `userid` sees of the card. */
  view(taskId: string, userid: string): Record<string, any> {
    const c = this.cards.get(taskId);
    if (!c) throw new Error(`fake wecom: no card ${taskId}`);
    return c.perUser.get(userid) ?? c.shared;
  }

  /** `userid` presses the button with `key` on card `taskId` (a fixed msgid makes a retry; responseUrl for a late answer). */
  async press(taskId: string, userid: string, key: string, o: { msgid?: string; responseUrl?: string } = {}): Promise<PressResult> {
    const c = this.cards.get(taskId);
    if (!c) throw new Error(`fake wecom: no card ${taskId}`);
    const shown = this.view(taskId, userid);
    if (!shown.button_list.some((b: { key: string }) => b.key === key)) throw new Error(`fake wecom: card ${taskId} shows no button ${key} to ${userid}`);
    const cb = this.bot.aibot(aibotCardEvent({ msgid: o.msgid ?? randomBytes(8).toString('hex'), userid, chatid: c.chatid, taskId, eventKey: key, responseUrl: o.responseUrl }));
    const started = Date.now();
    let res: Response;
    try {
      res = await fetch(`${this.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body, signal: AbortSignal.timeout(CARD_EVENT_DEADLINE_MS) });
    } catch (e) {
      throw new Error(`fake wecom: no answer to the card event within ${CARD_EVENT_DEADLINE_MS} ms (${(e as Error).message})`);
    }
    const text = await res.text();
    const ms = Date.now() - started;
    if (res.status !== 200) throw new Error(`fake wecom: card event answered ${res.status}`);
    if (!text) return { ms, update: null };
    const update = JSON.parse(this.bot.openJsonReply(text, cb.nonce).plain) as PressResult['update'] & object;
    if (update.response_type !== 'update_template_card') throw new Error(`fake wecom: a card event takes update_template_card, got ${JSON.stringify(update).slice(0, 80)}`);
    if (update.template_card.task_id !== taskId) throw new Error('fake wecom: update task_id differs from the callback\'s');
    if (update.template_card.card_type !== c.shared.card_type) throw new Error('fake wecom: update changes the card type');
    if (update.userids) for (const u of update.userids) c.perUser.set(u, update.template_card);
    else {
      c.shared = update.template_card;
      c.perUser.clear();
    }
    return { ms, update };
  }
}
