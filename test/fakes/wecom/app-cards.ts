import { randomBytes } from 'node:crypto';
import type { FakeCallbacks } from './callbacks.js';
import { RESPONSE_CODE_TTL_MS, type Refusal, appCardUpdateRefusal, templateCardRefusal } from './rules.js';

/** One app template card as its recipients see it. */
export interface FakeAppCard {
  taskId: string;
  agentid: number;
  touser: string[];
  /** The card as sent, or as last replaced for everyone. */
  card: Record<string, any>;
  /** Faces replaced for some recipients only (update with userids). */
  perUser: Map<string, Record<string, any>>;
  /** Set by an update with button.replace_name: the buttons become one unclickable button of this text. */
  replaced: Map<string, string>;
  replacedAll?: string;
}

/** What a recipient sees of an app card. */
export interface AppCardView {
  card: Record<string, any>;
  /** The replace_name shown instead of the buttons (no button can be clicked then). */
  replacedBy?: string;
}

/**
 * The self-built app's template cards in the fake (D/90236 send, D/90240
 * click callback, D/94888 update_template_card): a send records the card per
 * task_id (unique per app) and answers a response_code; a click issues a fresh
 * one; each response_code updates once, within 72 hours on the fake's clock.
 */
export class FakeAppCards {
  readonly cards = new Map<string, FakeAppCard>();
  private readonly codes = new Map<string, { taskId: string; at: number }>();

  constructor(private readonly now: () => number) {}

  private issue(taskId: string): string {
    const code = randomBytes(12).toString('hex');
    this.codes.set(code, { taskId, at: this.now() });
    return code;
  }

  /** message/send with msgtype template_card; null: not a card send. */
  send(body: Record<string, any>): (Refusal & { response_code?: string }) | null {
    if (body.msgtype !== 'template_card') return null;
    const card = body.template_card;
    const bad = templateCardRefusal(card);
    if (bad) return bad;
    if (card.card_type !== 'button_interaction') return { errcode: 0, errmsg: 'ok' };
    if (typeof body.agentid !== 'number') return { errcode: 40056, errmsg: 'invalid agentid' };
    if ([...this.cards.values()].some((c) => c.taskId === card.task_id && c.agentid === body.agentid)) {
      return { errcode: 40058, errmsg: 'task_id exists, must be unique per app. invalid Request Parameter' };
    }
    const touser = String(body.touser).split('|').filter(Boolean);
    this.cards.set(card.task_id, { taskId: card.task_id, agentid: body.agentid, touser, card, perUser: new Map(), replaced: new Map() });
    return { errcode: 0, errmsg: 'ok', response_code: this.issue(card.task_id) };
  }

  /** message/update_template_card. */
  update(body: unknown): Refusal {
    const bad = appCardUpdateRefusal(body);
    if (bad) return bad;
    const b = body as Record<string, any>;
    const code = this.codes.get(b.response_code);
    if (!code || this.now() - code.at > RESPONSE_CODE_TTL_MS) return { errcode: 40058, errmsg: 'response_code used or expired. invalid Request Parameter' };
    const c = this.cards.get(code.taskId)!;
    if (c.agentid !== b.agentid) return { errcode: 40056, errmsg: 'invalid agentid' };
    if (b.template_card) {
      if (b.template_card.task_id !== undefined && b.template_card.task_id !== c.taskId) return { errcode: 40058, errmsg: 'template_card.task_id differs from the card\'s' };
      const bad2 = templateCardRefusal({ ...b.template_card, task_id: c.taskId });
      if (bad2) return bad2;
    }
    this.codes.delete(b.response_code);
    const users: string[] = b.atall === 1 ? c.touser : (b.userids ?? []).filter((u: string) => c.touser.includes(u));
    for (const u of users) {
      if (b.button) c.replaced.set(u, b.button.replace_name);
      else {
        c.replaced.delete(u);
        c.perUser.set(u, b.template_card);
      }
    }
    if (b.atall === 1 && b.button) c.replacedAll = b.button.replace_name;
    if (b.atall === 1 && b.template_card) {
      c.card = b.template_card;
      c.perUser.clear();
    }
    return { errcode: 0, errmsg: 'ok' };
  }

  /** What `userid` sees of card `taskId`. */
  view(taskId: string, userid: string): AppCardView {
    const c = this.cards.get(taskId);
    if (!c) throw new Error(`fake wecom: no app card ${taskId}`);
    if (!c.touser.includes(userid)) throw new Error(`fake wecom: app card ${taskId} was not sent to ${userid}`);
    const card = c.perUser.get(userid) ?? c.card;
    const replacedBy = c.replaced.get(userid);
    return { card, ...(replacedBy ? { replacedBy } : {}) };
  }

  /** Cards sent to `userid`. */
  sentTo(userid: string): FakeAppCard[] {
    return [...this.cards.values()].filter((c) => c.touser.includes(userid));
  }

  /**
   * The click callback WeCom posts to the app's URL (D/90240) when `userid`
   * clicks `key`: only a recipient, only a button the card shows, none after
   * a replace_name. Returns the signed callback and the click's response_code.
   */
  click(keys: FakeCallbacks, corpId: string, taskId: string, userid: string, key: string): { callback: ReturnType<FakeCallbacks['app']>; responseCode: string } {
    const v = this.view(taskId, userid);
    if (v.replacedBy) throw new Error(`fake wecom: card ${taskId} shows “${v.replacedBy}” to ${userid}: nothing to click`);
    if (!v.card.button_list.some((b: { key: string }) => b.key === key)) throw new Error(`fake wecom: card ${taskId} shows no button ${key} to ${userid}`);
    const responseCode = this.issue(taskId);
    const c = this.cards.get(taskId)!;
    const xml = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[${userid}]]></FromUserName>`
      + `<CreateTime>${Math.floor(this.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType>`
      + `<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[${key}]]></EventKey><TaskId><![CDATA[${taskId}]]></TaskId>`
      + `<CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[${responseCode}]]></ResponseCode>`
      + `<AgentID>${c.agentid}</AgentID></xml>`;
    return { callback: keys.app(xml), responseCode };
  }

  /** Posts a click to the service's app callback route; resolves with the HTTP status and body. */
  async press(url: string, keys: FakeCallbacks, corpId: string, taskId: string, userid: string, key: string, retryOf?: ReturnType<FakeCallbacks['app']>): Promise<{ status: number; body: string; callback: ReturnType<FakeCallbacks['app']> }> {
    const callback = retryOf ?? this.click(keys, corpId, taskId, userid, key).callback;
    const res = await fetch(`${url}/wecom/app/callback?${callback.query}`, { method: 'POST', body: callback.body, headers: { 'content-type': 'text/xml' } });
    return { status: res.status, body: await res.text(), callback };
  }
}
