import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_PER_MEMBER_PER_MINUTE, ROBOT_PER_MINUTE, appSendRefusal, responseRefusal, webhookRefusal } from './rules.js';
import { FakeAppCards } from './app-cards.js';

/** Which fake endpoint a call hit. */
export type FakeRoute = 'gettoken' | 'webhook' | 'send' | 'response' | 'update_card';

/** A failure to inject into the next call of a route. */
export type Failure = { errcode: number; errmsg?: string } | { status: number } | { delayMs: number };

/** One call the fake received. */
export interface FakeCall {
  route: FakeRoute;
  query: Record<string, string>;
  body: any;
  at: number;
  /** What the fake answered (an injected failure's answer is recorded too). */
  answer?: { errcode: number; errmsg: string };
  /** App message/send: recipients WeCom silently dropped (over 30 a minute per member and app). */
  dropped?: string[];
}

/** Options of the fake. */
export interface FakeWecomOptions {
  /** The fake's clock (ms epoch) for the per-robot minute window; defaults to Date.now. */
  now?: () => number;
}

/**
 * A local fake of WeCom's send side: gettoken, group-robot webhook/send,
 * app message/send and AI-bot response_url, with per-route failure injection.
 * Tokens and webhook keys are checked like WeCom does (40014 / 93000), a
 * response_url works once, bodies are checked against the documented shapes and
 * byte limits (rules.ts: 40008 / 40058 / 81013), and a robot key takes at most
 * 20 messages a minute (45009).
 */
export class FakeWecomServer {
  readonly calls: FakeCall[] = [];
  readonly corpId = 'wwFAKECORP0001';
  readonly secret = 'fake-app-secret-xyz';
  readonly webhookKeys = new Set<string>();
  private readonly failures = new Map<FakeRoute, Failure[]>();
  private readonly validTokens = new Set<string>();
  private readonly openResponseCodes = new Set<string>();
  private tokenSeq = 0;
  /** Accepted app sends per agentid and member (ms epoch on the fake's clock). */
  private readonly memberSends = new Map<string, number[]>();
  /** Accepted sends per webhook key (ms epoch on the fake's clock). */
  private readonly robotSends = new Map<string, number[]>();
  private readonly now: () => number;
  /** The app's template cards (message/send template_card, update_template_card). */
  readonly appCards: FakeAppCards;
  private server = http.createServer((req, res) => void this.serve(req, res));
  url = '';

  constructor(o: FakeWecomOptions = {}) {
    this.now = o.now ?? Date.now;
    this.appCards = new FakeAppCards(this.now);
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Queues failures for the next calls of `route`, in order. */
  fail(route: FakeRoute, ...f: Failure[]): void {
    this.failures.set(route, [...(this.failures.get(route) ?? []), ...f]);
  }

  /** A new webhook key WeCom would accept. */
  newWebhookKey(): string {
    const k = `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-4abc-8def-${randomBytes(6).toString('hex')}`;
    this.webhookKeys.add(k);
    return k;
  }

  /** A fresh, single-use response_url. */
  newResponseUrl(): string {
    const code = randomBytes(8).toString('hex');
    this.openResponseCodes.add(code);
    return `${this.url}/cgi-bin/aibot/response?response_code=${code}`;
  }

  /** Makes every issued token invalid, as when WeCom expires them early (→ 42001). */
  expireTokens(): void {
    this.validTokens.clear();
  }

  of(route: FakeRoute): FakeCall[] {
    return this.calls.filter((c) => c.route === route);
  }

  /** Resolves once `n` calls of `route` arrived (or rejects after `ms`). */
  async waitFor(route: FakeRoute, n = 1, ms = 5000): Promise<FakeCall[]> {
    const until = Date.now() + ms;
    while (this.of(route).length < n) {
      if (Date.now() > until) throw new Error(`fake wecom: expected ${n} ${route} call(s), got ${this.of(route).length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.of(route);
  }

  private route(path: string): FakeRoute | null {
    return ({
      '/cgi-bin/gettoken': 'gettoken', '/cgi-bin/webhook/send': 'webhook',
      '/cgi-bin/message/send': 'send', '/cgi-bin/aibot/response': 'response',
      '/cgi-bin/message/update_template_card': 'update_card',
    } as Record<string, FakeRoute>)[path] ?? null;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const route = this.route(u.pathname);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!route) return send(404, { errcode: 404 });
    let body: any;
    try { body = raw ? JSON.parse(raw) : undefined; } catch { return send(200, { errcode: 47001, errmsg: 'data format error' }); }
    const call: FakeCall = { route, query: Object.fromEntries(u.searchParams), body, at: Date.now() };
    this.calls.push(call);
    const f = this.failures.get(route)?.shift();
    if (f && 'delayMs' in f) await new Promise((r) => setTimeout(r, f.delayMs));
    else if (f && 'status' in f) return send(f.status, { errcode: -1, errmsg: 'system error' });
    else if (f) {
      call.answer = { errcode: f.errcode, errmsg: f.errmsg ?? 'injected' };
      return send(200, call.answer);
    }
    if (res.destroyed) return;
    const a = this.answer(route, u.searchParams, body) as { errcode: number; errmsg: string };
    call.answer = { errcode: a.errcode, errmsg: a.errmsg };
    if (route === 'send' && a.errcode === 0) this.memberLimit(call);
    send(200, a);
  }

  /**
   * WeCom takes at most 30 app messages a minute per member and app and
   * drops the excess without an error (D/90236): the answer stays ok, the
   * dropped recipients are recorded on the call.
   */
  private memberLimit(call: FakeCall): void {
    const t = this.now();
    for (const user of String(call.body.touser ?? '').split('|').filter(Boolean)) {
      const key = `${call.body.agentid}:${user}`;
      const recent = (this.memberSends.get(key) ?? []).filter((x) => t - x < 60_000);
      this.memberSends.set(key, recent);
      if (recent.length >= APP_PER_MEMBER_PER_MINUTE) (call.dropped ??= []).push(user);
      else recent.push(t);
    }
  }

  /** App messages WeCom would have dropped silently, as (call, member) pairs. */
  dropped(): Array<{ call: FakeCall; user: string }> {
    return this.calls.flatMap((c) => (c.dropped ?? []).map((user) => ({ call: c, user })));
  }

  /** Calls of `route` the fake refused (non-zero errcode), for asserting nothing was refused. */
  refused(route?: FakeRoute): FakeCall[] {
    return this.calls.filter((c) => (!route || c.route === route) && c.answer && c.answer.errcode !== 0);
  }

  /** Group robot: a known key, a valid body, then at most 20 accepted messages in any minute. */
  private webhook(key: string, body: unknown): object {
    if (!this.webhookKeys.has(key)) return { errcode: 93000, errmsg: 'invalid webhook url' };
    const bad = webhookRefusal(body);
    if (bad) return bad;
    const t = this.now();
    const recent = (this.robotSends.get(key) ?? []).filter((s) => t - s < 60_000);
    this.robotSends.set(key, recent);
    if (recent.length >= ROBOT_PER_MINUTE) return { errcode: 45009, errmsg: 'api freq out of limit' };
    recent.push(t);
    return { errcode: 0, errmsg: 'ok' };
  }

  private answer(route: FakeRoute, q: URLSearchParams, body: unknown): object {
    switch (route) {
      case 'gettoken': {
        if (q.get('corpid') !== this.corpId || q.get('corpsecret') !== this.secret) return { errcode: 40001, errmsg: 'invalid credential' };
        const t = `tok-${++this.tokenSeq}-${randomBytes(4).toString('hex')}`;
        this.validTokens.add(t);
        return { errcode: 0, errmsg: 'ok', access_token: t, expires_in: 7200 };
      }
      case 'send': {
        if (!this.validTokens.has(q.get('access_token') ?? '')) return { errcode: 42001, errmsg: 'access_token expired' };
        const bad = appSendRefusal(body);
        if (bad) return bad;
        const card = this.appCards.send(body as Record<string, any>);
        if (card && card.errcode) return card;
        return { errcode: 0, errmsg: 'ok', msgid: randomBytes(6).toString('hex'), ...(card?.response_code ? { response_code: card.response_code } : {}) };
      }
      case 'update_card':
        if (!this.validTokens.has(q.get('access_token') ?? '')) return { errcode: 42001, errmsg: 'access_token expired' };
        return this.appCards.update(body);
      case 'webhook':
        return this.webhook(q.get('key') ?? '', body);
      case 'response': {
        const code = q.get('response_code') ?? '';
        if (!this.openResponseCodes.has(code)) return { errcode: 40058, errmsg: 'response_code used or expired' };
        const bad = responseRefusal(body);
        if (bad) return bad;
        this.openResponseCodes.delete(code);
        return { errcode: 0, errmsg: 'ok' };
      }
    }
  }
}
