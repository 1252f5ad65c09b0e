import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDingtalk } from './dingtalk/server.js';

/**
 * The fake's card platform for a robot 1:1 space (the office's approval copy):
 * createAndDeliver into dtv1.card//IM_ROBOT.<staffId> needs
 * imRobotOpenDeliverModel {spaceType: IM_ROBOT}, as the real API documents.
 */
let fake: FakeDingtalk;
beforeAll(async () => { fake = await FakeDingtalk.start(); });
afterAll(async () => { await fake.close(); });

async function token(): Promise<string> {
  const r = await fetch(`${fake.baseUrl}/v1.0/oauth2/accessToken`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey: fake.clientId, appSecret: fake.clientSecret }),
  });
  return ((await r.json()) as { accessToken: string }).accessToken;
}

async function create(body: Record<string, unknown>) {
  const r = await fetch(`${fake.baseUrl}/v1.0/card/instances/createAndDeliver`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': await token() }, body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, any> };
}

const base = (outTrackId: string) => ({
  cardTemplateId: fake.cardTemplateId, outTrackId, callbackType: 'STREAM',
  cardData: { cardParamMap: { state: 'open' } }, openSpaceId: 'dtv1.card//IM_ROBOT.staff01',
});

describe('fake DingTalk cards in a robot 1:1 space', () => {
  it('refuses an IM_ROBOT delivery without imRobotOpenDeliverModel.spaceType', async () => {
    const r = await create(base('oto-1'));
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('imRobotOpenDeliverModel');
    expect(fake.cards.cards.has('oto-1')).toBe(false);
  });

  it('delivers into the user\'s chat with the robot when the deliver model names IM_ROBOT', async () => {
    const r = await create({ ...base('oto-2'), imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: fake.clientId } });
    expect(r.status).toBe(200);
    expect(r.body.result.deliverResults).toEqual([{ spaceType: 'IM_ROBOT', spaceId: 'staff01', success: true }]);
    expect(fake.cards.view('oto-2', 'staff01')).toEqual({ state: 'open' });
  });
});
