import type { Clock } from '../../core/clock.js';
import { SendError } from '../../core/sender.js';
import { openApiError, postJson } from './http.js';

/** Refresh this long before DingTalk's stated expiry, so a token never dies mid-send. */
const EARLY_MS = 5 * 60_000;

export interface TokenSourceOptions {
  fetch: typeof fetch;
  clock: Clock;
  apiBase: string;
  appKey: string;
  appSecret: string;
  timeoutMs: number;
}

/**
 * The app's OpenAPI access token, cached in memory and refreshed early, with
 * at most one refresh in flight: concurrent callers share it. Per-process
 * caching is fine across instances because each token is valid on its own.
 */
export class AccessTokenSource {
  private token: string | null = null;
  private expiresAt = 0;
  private inflight: Promise<string> | null = null;

  constructor(private readonly o: TokenSourceOptions) {}

  /** A valid token, fetching one when none is cached or it is close to expiry. */
  async get(): Promise<string> {
    if (this.token && this.o.clock.now().getTime() < this.expiresAt - EARLY_MS) return this.token;
    return this.refresh();
  }

  /** Drops the cached token (DingTalk rejected it) unless a newer one already replaced it. */
  invalidate(rejected: string): void {
    if (this.token === rejected) {
      this.token = null;
      this.expiresAt = 0;
    }
  }

  private refresh(): Promise<string> {
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  // https://open.dingtalk.com/document/orgapp/obtain-the-access-token-of-an-internal-app
  private async fetchToken(): Promise<string> {
    const r = await postJson(
      this.o.fetch,
      `${this.o.apiBase}/v1.0/oauth2/accessToken`,
      { appKey: this.o.appKey, appSecret: this.o.appSecret },
      { timeoutMs: this.o.timeoutMs },
    );
    const err = openApiError(r);
    if (err) {
      // A rejected app key/secret is the office's to fix, not something to retry forever.
      if (r.status >= 400 && r.status < 500 && err.kind === 'fatal') {
        throw new SendError('config', err.code, `DingTalk refused the app credentials: ${err.message}`);
      }
      throw err;
    }
    const token = r.body.accessToken;
    const expireIn = Number(r.body.expireIn ?? 7200);
    if (typeof token !== 'string' || !token) throw new SendError('retry', 'token_missing', 'DingTalk returned no accessToken');
    this.token = token;
    this.expiresAt = this.o.clock.now().getTime() + (Number.isFinite(expireIn) ? expireIn : 7200) * 1000;
    return token;
  }
}
