import type { CardRecord } from '../../core/ports.js';
import type { CardNext } from '../card-outcome.js';
import type { DtResponse } from './http.js';
import { callOpenApi } from './openapi.js';
import type { AccessTokenSource } from './token.js';

export interface CardApiOptions {
  fetch: typeof fetch;
  apiBase: string;
  robotCode: string;
  templateId: string;
  tokens: AccessTokenSource;
  timeoutMs: number;
}

/** Card variables (cardParamMap values must be strings). */
export type CardParams = Record<string, string>;

// Made once: a DateTimeFormat is costly to build.
const WHEN = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});
const when = (iso: string) => WHEN.format(new Date(iso));

/**
 * The public variables of the approval card template (assets/dingtalk/approval-card.json):
 * `state` open | decided drives which block shows; buttons carry actionIds a0 (销号),
 * a1 (退回, with the text input `reason`), r1.0–r1.2 (preset reasons), back.
 */
export function publicParams(rec: CardRecord): CardParams {
  const a = rec.actions;
  const reasons = a.buttons[1]?.reasons ?? [];
  const p: CardParams = {
    state: rec.decided ? 'decided' : 'open',
    title: a.title,
    subject: a.subject,
    fields: a.fields.map((f) => `${f.label}：${f.value}`).join('\n'),
    note: a.note ? `佐证说明：${a.note}` : '',
    strikeLabel: a.buttons[0]?.label ?? '',
    backLabel: a.buttons[1]?.label ?? '',
    reason0: reasons[0] ?? '', reason1: reasons[1] ?? '', reason2: reasons[2] ?? '',
    decision: '', result: '', decider: '', decidedAt: '', reason: '',
  };
  if (rec.decided) {
    const d = rec.decided;
    Object.assign(p, {
      title: `${a.title}：已${d.label}`, decision: d.label, result: d.change ?? `已${d.label}`, decider: d.by,
      decidedAt: when(d.at), reason: d.reason ? `退回原因：${d.reason}` : '',
    });
  }
  return p;
}

/** The presser's private variables for a private next state (hint or the reason picker). */
export function privateParams(next: Exclude<CardNext, { kind: 'decided' }> | { kind: 'main'; hint: string }): CardParams {
  return next.kind === 'reasons'
    ? { privateState: 'reasons', hint: '请选择退回原因，或在输入框填写原因后再点“退回”。' }
    : { privateState: 'open', hint: next.hint };
}

/**
 * The new DingTalk card API (Stream callbacks need it; the old interactive
 * card only calls back over HTTP). Same app credentials as the Stream connection.
 */
export class CardApi {
  constructor(readonly o: CardApiOptions) {}

  // https://open.dingtalk.com/document/orgapp/create-and-deliver-cards
  /** Creates the card and delivers it to a group (or a user's 1:1 chat with the robot). */
  async createAndDeliver(rec: CardRecord): Promise<void> {
    // A 1:1 copy goes into the user's chat with the robot, whatever group it belongs to.
    const group = rec.chatType === 'group' && !rec.deliverTo;
    await this.call('POST', '/v1.0/card/instances/createAndDeliver', {
      cardTemplateId: this.o.templateId,
      outTrackId: rec.id,
      callbackType: 'STREAM',
      cardData: { cardParamMap: publicParams(rec) },
      openSpaceId: group ? `dtv1.card//IM_GROUP.${rec.chatId}` : `dtv1.card//IM_ROBOT.${rec.deliverTo ?? rec.chatId}`,
      ...(group
        ? { imGroupOpenSpaceModel: { supportForward: false }, imGroupOpenDeliverModel: { robotCode: this.o.robotCode } }
        : { imRobotOpenSpaceModel: { supportForward: false }, imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: this.o.robotCode } }),
    });
  }

  // https://open.dingtalk.com/document/orgapp/interactive-card-update-interface
  /** Updates the card in place: only the given keys change (updateCardDataByKey). */
  async update(outTrackId: string, params: CardParams, privateFor?: { userId: string; params: CardParams }): Promise<void> {
    await this.call('PUT', '/v1.0/card/instances', {
      outTrackId,
      cardData: { cardParamMap: params },
      ...(privateFor ? { privateData: { [privateFor.userId]: { cardParamMap: privateFor.params } } } : {}),
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
    });
  }

  private call(method: 'POST' | 'PUT', path: string, body: Record<string, unknown>): Promise<DtResponse> {
    return callOpenApi(this.o, method, path, body);
  }
}
