import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-util.js';

/** A card instance as the fake keeps it, per outTrackId. */
export interface FakeCard {
  outTrackId: string;
  cardTemplateId: string;
  openSpaceId: string;
  /** Public variables everyone sees. */
  params: Record<string, string>;
  /** Private variables per userId (they override the public ones for that user). */
  privateParams: Map<string, Record<string, string>>;
  updates: number;
}

/**
 * The new card API of the fake (https://open.dingtalk.com/document/orgapp/create-and-deliver-cards,
 * .../interactive-card-update-interface): createAndDeliver with callbackType STREAM
 * into an IM group or a robot 1:1 space, PUT updates by key, and the card data a
 * Stream callback's ACK carries ({response: {cardData, userPrivateData}}).
 * cardParamMap values must be strings (the real API refuses other types).
 */
export class FakeCards {
  readonly cards = new Map<string, FakeCard>();
  readonly violations: string[] = [];
  readonly templates = new Set<string>();

  constructor(private readonly robotCode: string) {}

  /** What `userId` sees: public variables with their private ones on top. */
  view(outTrackId: string, userId: string): Record<string, string> {
    const c = this.cards.get(outTrackId);
    if (!c) throw new Error(`fake dingtalk: no card ${outTrackId}`);
    return { ...c.params, ...(c.privateParams.get(userId) ?? {}) };
  }

  private stringMap(where: string, m: unknown): Record<string, string> | null {
    if (!m || typeof m !== 'object' || Array.isArray(m)) return null;
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== 'string') {
        this.violations.push(`${where}: cardParamMap.${k} is not a string`);
        return null;
      }
    }
    return m as Record<string, string>;
  }

  /** POST /v1.0/card/instances/createAndDeliver. */
  create(body: Record<string, any>, res: ServerResponse): void {
    const bad = (message: string) => sendJson(res, 400, { code: 'invalidParameter', message, requestid: randomUUID() });
    if (!this.templates.has(body.cardTemplateId)) return bad('cardTemplateId 不存在');
    if (typeof body.outTrackId !== 'string' || !body.outTrackId) return bad('outTrackId 不能为空');
    if (this.cards.has(body.outTrackId)) return bad('outTrackId 重复');
    if (body.callbackType !== 'STREAM') this.violations.push('createAndDeliver: callbackType is not STREAM (no Stream callbacks)');
    const space = String(body.openSpaceId ?? '');
    const group = /^dtv1\.card\/\/IM_GROUP\.[^;]+$/.test(space);
    if (!group && !/^dtv1\.card\/\/IM_ROBOT\.[^;]+$/.test(space)) return bad('openSpaceId 格式错误');
    if (group && body.imGroupOpenDeliverModel?.robotCode !== this.robotCode) return bad('imGroupOpenDeliverModel.robotCode 无效');
    // A robot 1:1 space is delivered by imRobotOpenDeliverModel {spaceType: IM_ROBOT} (create-and-deliver-cards).
    if (!group && body.imRobotOpenDeliverModel?.spaceType !== 'IM_ROBOT') return bad('imRobotOpenDeliverModel.spaceType 无效');
    const params = this.stringMap('createAndDeliver', body.cardData?.cardParamMap);
    if (!params) return bad('cardData.cardParamMap 无效');
    this.cards.set(body.outTrackId, {
      outTrackId: body.outTrackId, cardTemplateId: body.cardTemplateId, openSpaceId: space, params: { ...params }, privateParams: new Map(), updates: 0,
    });
    sendJson(res, 200, { success: true, result: { outTrackId: body.outTrackId, deliverResults: [{ spaceType: group ? 'IM_GROUP' : 'IM_ROBOT', spaceId: space.split('.').pop(), success: true }] } });
  }

  /** PUT /v1.0/card/instances. */
  update(body: Record<string, any>, res: ServerResponse): void {
    const c = this.cards.get(String(body.outTrackId ?? ''));
    if (!c) return sendJson(res, 400, { code: 'cardNotExist', message: '卡片不存在', requestid: randomUUID() });
    const byKey = body.cardUpdateOptions?.updateCardDataByKey === true;
    const params = body.cardData ? this.stringMap('update', body.cardData.cardParamMap) : {};
    if (!params) return sendJson(res, 400, { code: 'invalidParameter', message: 'cardParamMap 无效' });
    c.params = byKey ? { ...c.params, ...params } : { ...params };
    for (const [user, d] of Object.entries(body.privateData ?? {})) {
      const p = this.stringMap('update privateData', (d as { cardParamMap?: unknown }).cardParamMap);
      if (p) c.privateParams.set(user, { ...(c.privateParams.get(user) ?? {}), ...p });
    }
    c.updates++;
    sendJson(res, 200, { success: true, result: true });
  }

  /** Applies a card callback's ACK data: `{"response": {cardData?, userPrivateData?}}`. */
  applyAck(outTrackId: string, userId: string, data: string): void {
    const c = this.cards.get(outTrackId);
    if (!c) return;
    let r: { response?: { cardData?: { cardParamMap?: unknown }; userPrivateData?: { cardParamMap?: unknown } } | null };
    try {
      r = JSON.parse(data);
    } catch {
      this.violations.push('card ack: data is not JSON');
      return;
    }
    if (!r.response) return;
    if (r.response.cardData) {
      const p = this.stringMap('card ack', r.response.cardData.cardParamMap);
      if (p) c.params = { ...c.params, ...p };
    }
    if (r.response.userPrivateData) {
      const p = this.stringMap('card ack private', r.response.userPrivateData.cardParamMap);
      if (p) c.privateParams.set(userId, { ...(c.privateParams.get(userId) ?? {}), ...p });
    }
  }

  async route(method: string, path: string, body: Record<string, any>, _req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (method === 'POST' && path === '/v1.0/card/instances/createAndDeliver') return (this.create(body, res), true);
    if (method === 'PUT' && path === '/v1.0/card/instances') return (this.update(body, res), true);
    return false;
  }
}
