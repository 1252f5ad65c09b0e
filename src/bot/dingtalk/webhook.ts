import { errcodeError, JsonText, postJson } from './http.js';
import { webhookBody, webhookJson, type DtMessage } from './render.js';
import { customRobotSignQuery } from './signature.js';

/**
 * Replies through a message's sessionWebhook (valid ~90 min after the message;
 * https://open.dingtalk.com/document/orgapp/receive-message). Errors come back
 * as HTTP 200 with an errcode, so the body is always checked.
 */
export async function sendBySession(fetchFn: typeof fetch, sessionWebhook: string, m: DtMessage, timeoutMs: number): Promise<void> {
  const r = await postJson(fetchFn, sessionWebhook, new JsonText(webhookJson(m)), { timeoutMs });
  const err = errcodeError(r);
  if (err) throw err;
}

export interface CustomRobot {
  /** The webhook's access_token. */
  token: string;
  /** The 加签 secret (`SEC…`); absent when the robot uses keywords or IP ranges instead. */
  secret?: string;
}

/**
 * Sends through a group's custom robot webhook
 * (https://open.dingtalk.com/document/robots/custom-robot-access), signing
 * each request afresh (https://open.dingtalk.com/document/robots/customize-robot-security-settings).
 */
export async function sendByCustomRobot(
  fetchFn: typeof fetch,
  oapiBase: string,
  robot: CustomRobot,
  m: DtMessage,
  nowMs: number,
  timeoutMs: number,
): Promise<void> {
  let url = `${oapiBase}/robot/send?access_token=${encodeURIComponent(robot.token)}`;
  if (robot.secret) url += `&${customRobotSignQuery(robot.secret, nowMs)}`;
  const r = await postJson(fetchFn, url, webhookBody(m), { timeoutMs });
  const err = errcodeError(r);
  if (err) throw err;
}
