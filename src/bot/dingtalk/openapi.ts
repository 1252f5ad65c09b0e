import { SendError } from '../../core/sender.js';
import { isTokenRejected, openApiError, postJson, type DtResponse } from './http.js';
import { openApiMessage, type DtMessage } from './render.js';
import type { AccessTokenSource } from './token.js';

export interface RobotApiOptions {
  fetch: typeof fetch;
  apiBase: string;
  robotCode: string;
  tokens: AccessTokenSource;
  timeoutMs: number;
}

/** The enterprise-app robot's OpenAPI: group and 1:1 sends with a cached access token. */
export class RobotApi {
  constructor(private readonly o: RobotApiOptions) {}

  // https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message
  /** Sends one message to a group the robot is in, by openConversationId. */
  async sendToGroup(openConversationId: string, m: DtMessage): Promise<void> {
    await this.call('/v1.0/robot/groupMessages/send', { ...openApiMessage(m), openConversationId, robotCode: this.o.robotCode });
  }

  // https://open.dingtalk.com/document/orgapp/chatbots-send-one-on-one-chat-messages-in-batches
  /** Sends one message to a user's 1:1 chat with the robot. */
  async sendToUser(staffId: string, m: DtMessage): Promise<void> {
    const r = await this.call('/v1.0/robot/oToMessages/batchSend', {
      ...openApiMessage(m),
      userIds: [staffId],
      robotCode: this.o.robotCode,
    });
    const invalid = r.body.invalidStaffIdList;
    if (Array.isArray(invalid) && invalid.length) throw new SendError('fatal', 'invalid_staff_id', 'DingTalk rejected the user id');
    const limited = r.body.flowControlledStaffIdList;
    if (Array.isArray(limited) && limited.length) {
      throw new SendError('rate_limited', 'flow_controlled', 'DingTalk flow-controlled the 1:1 send', 60_000);
    }
  }

  private call(path: string, body: Record<string, unknown>): Promise<DtResponse> {
    return callOpenApi(this.o, 'POST', path, body);
  }
}

/**
 * One api.dingtalk.com call with the app's access token (robot sends, cards):
 * a rejected token is refreshed once (expired early or revoked), never in a loop;
 * an error answer becomes a SendError.
 */
export async function callOpenApi(
  o: Pick<RobotApiOptions, 'fetch' | 'apiBase' | 'tokens' | 'timeoutMs'>, method: 'POST' | 'PUT', path: string, body: Record<string, unknown>,
): Promise<DtResponse> {
  for (let attempt = 0; ; attempt++) {
    const token = await o.tokens.get();
    const r = await postJson(o.fetch, `${o.apiBase}${path}`, body, {
      method, headers: { 'x-acs-dingtalk-access-token': token }, timeoutMs: o.timeoutMs,
    });
    if (isTokenRejected(r) && attempt === 0) {
      o.tokens.invalidate(token);
      continue;
    }
    const err = openApiError(r);
    if (err) throw err;
    return r;
  }
}
