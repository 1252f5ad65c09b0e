import type { Clock } from '../../core/clock.js';
import { SendError } from '../../core/sender.js';
import { callWecom, errorFor, type CallOptions } from './api.js';

/**
 * Self-built app access_token cache. WeCom rate-limits gettoken and blocks
 * callers that fail it often, so one fetch is shared by concurrent senders and
 * the token is kept until shortly before it expires (or WeCom rejects it).
 * Each instance keeps its own copy: WeCom hands out the same valid token to
 * every caller, so nothing here needs sharing through Redis.
 */
export class AccessTokenCache {
  private token: string | null = null;
  private expiresAt = 0;
  private inflight: Promise<string> | null = null;
  /** gettoken calls made (for tests and metrics). */
  fetches = 0;

  constructor(
    private readonly p: { apiBase: string; corpId: string; secret: string; clock: Clock; call: Omit<CallOptions, 'what'> },
  ) {}

  /** A valid token, fetched when missing or expired. */
  async get(): Promise<string> {
    if (this.token && this.p.clock.now().getTime() < this.expiresAt) return this.token;
    this.inflight ??= this.fetch().finally(() => { this.inflight = null; });
    return this.inflight;
  }

  /** Forgets `token` after WeCom rejected it (40014/42001); a newer one stays. */
  invalidate(token: string): void {
    if (this.token === token) {
      this.token = null;
      this.expiresAt = 0;
    }
  }

  private async fetch(): Promise<string> {
    this.fetches++;
    // https://developer.work.weixin.qq.com/document/path/91039
    const url = `${this.p.apiBase}/cgi-bin/gettoken?corpid=${encodeURIComponent(this.p.corpId)}`
      + `&corpsecret=${encodeURIComponent(this.p.secret)}`;
    const a = await callWecom(url, { method: 'GET' }, { ...this.p.call, what: 'gettoken' });
    if (a.errcode) throw errorFor(a.errcode, 'gettoken');
    if (typeof a.access_token !== 'string' || !a.access_token) {
      throw new SendError('retry', 'bad_answer', 'gettoken: no access_token in answer');
    }
    const ttl = typeof a.expires_in === 'number' ? a.expires_in : 7200;
    this.token = a.access_token;
    // Refresh five minutes early so a token never expires mid-send.
    this.expiresAt = this.p.clock.now().getTime() + Math.max(60, ttl - 300) * 1000;
    return a.access_token;
  }
}
