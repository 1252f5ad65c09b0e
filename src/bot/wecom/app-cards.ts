import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { IncomingMessage, Reply } from '../../core/message.js';
import type { CardDecision, CardRecord, CardStatePort } from '../../core/ports.js';
import type { DirectTarget } from '../../core/sender.js';
import type { AdapterContext } from '../context.js';
import { cardOutcome, decodeKey } from '../card-outcome.js';
import { templateCard, type CardFace } from './card-view.js';
import type { InboundAppCardEvent } from './inbound.js';
import type { WecomSender } from './sender.js';

/**
 * The office's 1:1 approval copies on WeCom, as self-built app template cards
 * (message/send, msgtype template_card, D/90236). A click arrives on the app
 * callback (template_card_event, D/90240) and is submitted to the durable
 * inbound queue as the button's command typed by the clicker in the bound
 * group, so authorization, idempotency and audit are the typed command's. The
 * answer goes out through the adapter's deliverer (late): the card is updated
 * with the click's response_code (update_template_card, D/94888; once, 72 h)
 * and the answer text goes to the clicker 1:1 (a refusal, "仅限整改办").
 */

/** Route data of a click, kept with the queued message. */
export interface AppCardRoute {
  kind: 'app-card';
  cardId: string;
  key: string;
  senderId: string;
  responseCode?: string;
}

/** What a 1:1 copy needs (a subset of the adapter's answer deps). */
export interface AppCardDeps {
  ctx: AdapterContext;
  sender: WecomSender;
}

/** The copy's own task_id: the group card's id and a hash of the user (a task_id is unique per app, ≤128 bytes of [0-9a-zA-Z_-@]). */
export function copyIdOf(cardId: string, userId: string): string {
  return `${cardId}_${createHash('sha256').update(userId).digest('hex').slice(0, 10)}`;
}

/** The message id of a click: the same click (a callback retry, a second tap) is applied once. */
export function clickMessageId(taskId: string, userId: string, key: string): string {
  return `tc.${taskId}.${createHash('sha256').update(`${userId}\n${key}`).digest('hex').slice(0, 16)}`;
}

/** The 1:1 card's face: "other reason" asks for a typed reply here, in the chat with the app. */
function face(rec: CardRecord, f: CardFace): Record<string, unknown> {
  const card = templateCard(rec, f);
  if (f.face === 'other') {
    const cmd = rec.actions.buttons[f.button]?.command ?? '退回 编号';
    return { ...card, main_title: { ...(card.main_title as object), title: '请回复退回原因' }, sub_title_text: `请在这里回复：${cmd} 原因（例如：${cmd} 缺少印发文件）` };
  }
  if (f.face === 'stale') return { ...card, sub_title_text: '请直接发送命令，例如：销号 编号。' };
  return card;
}

const text = (t: string): Reply => ({ title: '审核卡片', markdown: t, text: t, mentions: [] });

export class WecomAppCards {
  constructor(private readonly d: AppCardDeps, private readonly logger: Logger) {}

  private get cards(): CardStatePort {
    return this.d.ctx.cards!;
  }

  /** Sends the office member's copy once (a retried delivery of a created copy sends nothing). */
  async createDirect(to: DirectTarget, reply: Reply): Promise<void> {
    const actions = reply.actions;
    if (!actions) return;
    const id = copyIdOf(actions.id, to.userId);
    const existing = await this.cards.get('wecom', id);
    if (existing?.created) return;
    const rec: CardRecord = existing ?? {
      id, platform: 'wecom', chatId: to.chatId, chatType: 'group', actions: { ...actions, id },
      createdAt: this.d.ctx.clock.now().toISOString(), deliverTo: to.userId, linked: actions.id,
    };
    if (!existing) {
      await this.cards.save(rec);
      await this.cards.addCopy?.('wecom', actions.id, id);
      // A 销号 / 退回 typed in the group or in this 1:1 chat finds the copies by the item's code.
      const code = actions.fields.find((f) => f.label === '编号')?.value;
      if (code) {
        await this.cards.markOpen?.('wecom', to.chatId, code, actions.id);
        await this.cards.markOpen?.('wecom', to.userId, code, id);
      }
    }
    const shown = await this.inherit(rec);
    const responseCode = await this.d.sender.sendAppCard(to.chatId, to.userId, face(shown, shown.decided ? { face: 'decided' } : { face: 'main' }));
    await this.cards.save({ ...rec, created: true, ...(responseCode && !shown.decided ? { responseCode } : {}) });
    this.logger.info({ taskId: id }, 'wecom: 1:1 approval card sent');
  }

  /** A copy whose group card (or a sibling copy) was decided first takes that decision. */
  private async inherit(rec: CardRecord): Promise<CardRecord> {
    if (rec.decided || !rec.linked) return rec;
    const group = await this.cards.get('wecom', rec.linked);
    return group?.decided ? (await this.cards.decide('wecom', rec.id, group.decided)) ?? rec : rec;
  }

  /** A click on the app callback. Answers nothing passively; only a Redis error rejects (the route answers 503, WeCom retries). */
  async onClick(ev: InboundAppCardEvent, log: Logger): Promise<void> {
    const found = await this.cards.get('wecom', ev.taskId);
    if (!found || found.deliverTo !== ev.senderId) {
      log.info({ found: !!found }, 'app card click on an unknown or foreign card');
      await this.best(log, () => this.d.sender.sendAppText(ev.senderId, text('这张审核卡片已失效，请直接发送命令，例如：销号 编号。')));
      return;
    }
    const rec = await this.inherit(found);
    const code = ev.responseCode;
    if (rec.decided) {
      if (await this.fresh(code)) await this.best(log, () => this.d.sender.updateAppCard({ response_code: code!, atall: 1, button: { replace_name: `已${rec.decided!.label}` } }));
      return;
    }
    const p = decodeKey(ev.eventKey);
    const button = p.press === 'back' || p.press === 'none' ? undefined : rec.actions.buttons[p.button];
    const privately = async (f: CardFace) => {
      if (await this.fresh(code)) await this.best(log, () => this.d.sender.updateAppCard({ response_code: code!, userids: [ev.senderId], template_card: face(rec, f) }));
    };
    if (p.press === 'none') return;
    if (p.press === 'back' || !button) return privately({ face: 'main' });
    if (p.press === 'other') return privately({ face: 'other', button: p.button });
    // 退回 asks for a reason first: nothing is decided by this click, the reason's click is authorized by the core.
    if (p.press === 'button' && button.reasons?.length) return privately({ face: 'reasons', button: p.button });
    const reason = p.press === 'reason' ? button.reasons?.[p.reason] : undefined;
    if (p.press === 'reason' && !reason) return privately({ face: 'main' });
    const incoming: IncomingMessage = {
      platform: 'wecom', chatId: rec.chatId, chatType: rec.chatType, messageId: clickMessageId(rec.id, ev.senderId, ev.eventKey),
      senderId: ev.senderId, text: reason ? `${button.command} ${reason}` : button.command,
    };
    const route: AppCardRoute = { kind: 'app-card', cardId: rec.id, key: ev.eventKey, senderId: ev.senderId, ...(code ? { responseCode: code } : {}) };
    const state = await this.d.ctx.inbound.submit(incoming, { passive: false, data: { ...route } });
    log.info({ state }, 'app card click queued');
    if (state === 'full') await this.best(log, () => this.d.sender.sendAppText(ev.senderId, text('当前消息较多，您的操作未被记录，请稍后再点。')));
  }

  /**
   * The answer to a click (the inbound deliverer): the decision recorded on the
   * card and shown on it and the other copies, a private face otherwise; then
   * the answer as a 1:1 text. Card updates are best effort (a used or expired
   * response_code cannot be retried); a failed text send rejects and is retried.
   */
  async answer(r: AppCardRoute, reply: Reply): Promise<void> {
    const log = this.logger.child({ taskId: r.cardId });
    const rec = await this.cards.get('wecom', r.cardId);
    if (rec) {
      const p = decodeKey(r.key);
      const button = p.press === 'button' || p.press === 'reason' ? p.button : -1;
      const reason = p.press === 'reason' ? rec.actions.buttons[button]?.reasons?.[p.reason] : undefined;
      const next = await cardOutcome(this.cards, rec, { button, reason, senderId: r.senderId }, reply, this.d.ctx.clock.now());
      const code = (await this.fresh(r.responseCode)) ? r.responseCode : undefined;
      if (next.kind === 'decided' && next.rec.decided) {
        const d = next.rec.decided;
        if (code) await this.best(log, () => this.d.sender.updateAppCard({ response_code: code, atall: 1, button: { replace_name: `已${d.label}` } }));
        await this.mirror(next.rec, d, log);
      } else if (code) {
        const f: CardFace = next.kind === 'reasons' ? { face: 'reasons', button: next.button } : { face: 'main', hint: next.kind === 'main' ? next.hint : '' };
        await this.best(log, () => this.d.sender.updateAppCard({ response_code: code, userids: [r.senderId], template_card: face(rec, f) }));
      }
    }
    await this.d.sender.sendAppText(r.senderId, reply);
  }

  /** Shows a decision on the other 1:1 copies of the same completion, with the response_code of their send (once). */
  async mirror(rec: CardRecord, d: CardDecision, log: Logger = this.logger): Promise<void> {
    await this.decideAll(rec.linked ?? rec.id, d, log, rec.id);
  }

  /**
   * A 销号 / 退回 typed (in the group, or in the 1:1 chat with the app) decides
   * the item's open copies as a click does. Best effort: the command stands.
   */
  async typed(chatId: string, reply: Reply): Promise<void> {
    const o = reply.outcome;
    const c = o?.kind === 'changed' ? o.changes?.find((x) => x.from === '待销号' && x.to !== '待销号') : undefined;
    if (!c || !this.cards.openCard) return;
    try {
      const id = await this.cards.openCard('wecom', chatId, c.code);
      if (!id) return;
      const label = c.to === '已销号' || c.to.startsWith('已完成') ? '销号' : '退回';
      const d: CardDecision = { label, by: o!.by ?? '', at: this.d.ctx.clock.now().toISOString(), change: `${c.from} → ${c.to}` };
      const rec = await this.cards.get('wecom', id);
      await this.decideAll(rec?.linked ?? id, d, this.logger);
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'wecom: app cards not updated after a typed decision');
    }
  }

  private async decideAll(root: string, d: CardDecision, log: Logger, except?: string): Promise<void> {
    const ids = [root, ...((await this.cards.copies?.('wecom', root)) ?? [])].filter((id) => id !== except);
    for (const id of ids) {
      const other = await this.cards.decide('wecom', id, d);
      if (!other?.deliverTo || !other.created || !other.responseCode) continue;
      const code = other.responseCode;
      const { decided: _d, ...plain } = other;
      await this.cards.save({ ...plain, responseCode: undefined });
      await this.best(log, () => this.d.sender.updateAppCard({ response_code: code, atall: 1, button: { replace_name: `已${d.label}` } }));
    }
  }

  /**
   * A response_code works once (D/94888); WeCom's retry of a click carries the
   * same one, and a retried delivery would reuse it: claimed before its use.
   */
  private async fresh(code: string | undefined): Promise<boolean> {
    return !!code && this.d.ctx.claim('wecom', `card-rc:${code}`, 72 * 3600);
  }

  private async best(log: Logger, f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'wecom: app card not updated');
    }
  }
}
