import type { AdapterHandle } from '../../core/ports.js';
import type { AdapterContext } from '../context.js';
import { wecomDeliverer, type AnswerDeps } from './answer.js';
import { registerCallbackRoutes } from './callbacks.js';
import { describeWecomConfig, loadWecomConfig } from './config.js';
import { aesKeyFrom } from './crypto.js';
import { WecomSender } from './sender.js';
import { WecomAppCards } from './app-cards.js';
import { AccessTokenCache } from './token.js';
import { DEFAULT_WECOM_DOWNLOAD_HOSTS, wecomFileFetcher } from './media.js';

export { WecomConfigError, loadWecomConfig, type WecomConfig } from './config.js';
export { WecomSender } from './sender.js';

/**
 * Starts the WeCom adapter when WECOM_TOKEN / WECOM_ENCODING_AES_KEY are set:
 * registers the callback routes on ctx.router and a ChatSender on ctx.senders.
 * Returns null when the adapter is off; throws WecomConfigError (naming every
 * bad variable, never its value) when the configuration is wrong.
 */
export async function startWecom(ctx: AdapterContext): Promise<AdapterHandle | null> {
  const config = loadWecomConfig(ctx.env);
  if (!config) {
    ctx.logger.info({ platform: 'wecom' }, 'WeCom adapter off (WECOM_TOKEN / WECOM_ENCODING_AES_KEY not set)');
    return null;
  }
  const call = { fetch: ctx.fetch, timeoutMs: config.httpTimeoutMs };
  const tokens = config.appSend
    ? new AccessTokenCache({ apiBase: config.apiBase, corpId: config.corpId!, secret: config.secret!, clock: ctx.clock, call })
    : null;
  const sender = new WecomSender({
    config, fetch: ctx.fetch, rateLimiter: ctx.rateLimiter, reportProblem: (p) => ctx.reportProblem(p),
    logger: ctx.logger.child({ platform: 'wecom' }), tokens,
  });
  ctx.senders.register(sender);
  const deps: AnswerDeps = {
    ctx, config, keys: { token: config.token, aesKey: aesKeyFrom(config.encodingAesKey) }, sender,
  };
  // The office's 1:1 approval copies (outbox → sendDirect) become app template cards when the app can send and cards are kept.
  if (config.appSend && ctx.cards) {
    deps.appCards = new WecomAppCards({ ctx, sender }, ctx.logger.child({ platform: 'wecom' }));
    const appCards = deps.appCards;
    sender.useDirectCards((to, reply) => appCards.createDirect(to, reply));
  }
  ctx.inbound.onDeliver('wecom', wecomDeliverer(deps));
  // Pictures and files of AI bot messages are downloaded and decrypted when applied (worker side).
  ctx.files?.register('wecom', wecomFileFetcher({
    fetch: ctx.fetch, allowHosts: config.downloadHosts ?? DEFAULT_WECOM_DOWNLOAD_HOSTS, callbackKey: deps.keys.aesKey, timeoutMs: config.httpTimeoutMs,
  }));
  registerCallbackRoutes(ctx.router, deps);
  ctx.logger.info({ platform: 'wecom', ...describeWecomConfig(config) }, 'WeCom adapter started');
  return {
    // Answers not yet sent wait in the reply queue (Redis), for this instance or the next.
    async stop() {},
  };
}
