import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyFault, readBody, sendJson, type FaultQueue } from './http-util.js';
import { oapiMessageRefusal } from './rules.js';

export interface SentRecord {
  path: string;
  body: Record<string, unknown>;
  query: Record<string, string>;
  /** The oapi answer the fake gave (webhook routes; injected faults not included). */
  answer?: { errcode: number; errmsg: string };
}

/**
 * The HTTP APIs of the fake: access tokens, robot group/1:1 sends, the
 * per-message sessionWebhook and the custom group robot webhook with 加签.
 * Answers follow the documented shapes: api.dingtalk.com errors as 4xx
 * `{code, message}`, oapi errors as HTTP 200 `{errcode, errmsg}`. Webhook
 * bodies are checked like DingTalk checks them (rules.ts: shape, 20,000 bytes).
 */
export class FakeOpenApi {
  readonly tokenRequests: Record<string, unknown>[] = [];
  readonly groupSends: SentRecord[] = [];
  readonly otoSends: SentRecord[] = [];
  readonly sessionSends: SentRecord[] = [];
  readonly robotSends: SentRecord[] = [];
  readonly violations: string[] = [];
  /** Issued tokens → expiry (ms epoch on the fake's clock). */
  readonly tokens = new Map<string, number>();
  readonly sessions = new Map<string, number>();
  readonly customRobots = new Map<string, { secret?: string; sent: number[]; throttledUntil?: number }>();
  tokenTtlSeconds = 7200;
  readonly hung = new Set<ServerResponse>();

  constructor(
    private readonly creds: { clientId: string; clientSecret: string },
    private readonly faults: FaultQueue,
    private readonly now: () => number,
    private readonly baseUrl: () => string,
  ) {}

  /** A new sessionWebhook URL valid until `expiresAt`. */
  newSession(expiresAt: number): string {
    const s = randomUUID().replace(/-/g, '');
    this.sessions.set(s, expiresAt);
    return `${this.baseUrl()}/robot/sendBySession?session=${s}`;
  }

  /** Expires every token now (as if DingTalk revoked them early). */
  expireTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  async route(path: string, query: Record<string, string>, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const text = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.violations.push(`${path}: body is not JSON`);
    }
    const rec: SentRecord = { path, body, query };
    switch (path) {
      case '/v1.0/oauth2/accessToken':
        this.tokenRequests.push(body);
        if (applyFault(this.faults.take('token'), res, this.hung)) return true;
        if (body.appKey !== this.creds.clientId || body.appSecret !== this.creds.clientSecret) {
          sendJson(res, 400, { code: 'invalidClientSecret', message: 'appSecret 不正确' });
          return true;
        }
        return this.issueToken(res);
      case '/v1.0/robot/groupMessages/send':
      case '/v1.0/robot/oToMessages/batchSend':
        return this.robotSend(path, rec, req, res);
      case '/robot/sendBySession':
        this.sessionSends.push(rec);
        if (applyFault(this.faults.take('session'), res, this.hung)) return true;
        // An expired webhook fails with HTTP 500 (agentscope-ai/QwenPaw#1932).
        if ((this.sessions.get(query.session ?? '') ?? 0) < this.now()) sendJson(res, 500, { errcode: 500, errmsg: 'session expired' });
        else sendJson(res, 200, (rec.answer = oapiMessageRefusal(text, 'session') ?? { errcode: 0, errmsg: 'ok' }));
        return true;
      case '/robot/send':
        this.robotSends.push(rec);
        if (applyFault(this.faults.take('robot'), res, this.hung)) return true;
        sendJson(res, 200, (rec.answer = this.customRobot(query, text)));
        return true;
      default:
        return false;
    }
  }

  private issueToken(res: ServerResponse): true {
    const t = `tok-${randomUUID().slice(0, 8)}`;
    this.tokens.set(t, this.now() + this.tokenTtlSeconds * 1000);
    sendJson(res, 200, { accessToken: t, expireIn: this.tokenTtlSeconds });
    return true;
  }

  private robotSend(path: string, rec: SentRecord, req: IncomingMessage, res: ServerResponse): true {
    (path.includes('group') ? this.groupSends : this.otoSends).push(rec);
    const token = String(req.headers['x-acs-dingtalk-access-token'] ?? '');
    if ((this.tokens.get(token) ?? 0) <= this.now()) {
      sendJson(res, 400, { code: 'InvalidAuthentication', requestid: randomUUID(), message: '不合法的access_token' });
      return true;
    }
    if (applyFault(this.faults.take(path.includes('group') ? 'group' : 'oto'), res, this.hung)) return true;
    const b = rec.body;
    if (b.robotCode !== this.creds.clientId) {
      sendJson(res, 400, { code: 'invalidParameter.robotCode.auth', message: 'robotCode 无权限' });
      return true;
    }
    try {
      const p = JSON.parse(String(b.msgParam)) as Record<string, unknown>;
      if (Buffer.byteLength(String(b.msgParam)) > 15_000) throw new Error('too long');
      if (b.msgKey === 'sampleMarkdown' && (typeof p.title !== 'string' || typeof p.text !== 'string')) throw new Error('fields');
    } catch {
      sendJson(res, 400, { code: 'invalidParameter.msgParam.invalid', message: 'msgParam must be JSON' });
      return true;
    }
    sendJson(res, 200, path.includes('group') ? { processQueryKey: randomUUID() } : { processQueryKey: randomUUID(), invalidStaffIdList: [], flowControlledStaffIdList: [] });
    return true;
  }

  /** Custom robot webhook: token, 加签 within one hour, 20 messages a minute (https://open.dingtalk.com/document/robots/custom-robot-access). */
  private customRobot(query: Record<string, string>, text: string): { errcode: number; errmsg: string } {
    const robot = this.customRobots.get(query.access_token ?? '');
    if (!robot) return { errcode: 300001, errmsg: 'token is not exist' };
    if (robot.secret) {
      const ts = query.timestamp ?? '';
      // Independent computation of the documented formula (URLSearchParams already decoded `sign`).
      const expected = createHmac('sha256', robot.secret).update(`${ts}\n${robot.secret}`).digest('base64');
      if (!/^\d+$/.test(ts) || Math.abs(this.now() - Number(ts)) > 3_600_000) return { errcode: 310000, errmsg: 'invalid timestamp' };
      if (query.sign !== expected) return { errcode: 310000, errmsg: 'sign not match' };
    }
    const bad = oapiMessageRefusal(text, 'robot');
    if (bad) return bad;
    const t = this.now();
    robot.sent = robot.sent.filter((s) => t - s < 60_000);
    // Over 20 a minute throttles the robot for 10 minutes (https://open.dingtalk.com/document/robots/custom-robot-access).
    if ((robot.throttledUntil ?? 0) <= t && robot.sent.length >= 20) robot.throttledUntil = t + 10 * 60_000;
    if ((robot.throttledUntil ?? 0) > t) return { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' };
    robot.sent.push(t);
    return { errcode: 0, errmsg: 'ok' };
  }
}
