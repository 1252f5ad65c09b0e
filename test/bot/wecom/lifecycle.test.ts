import { describe, expect, it } from 'vitest';
import { FakeCallbacks, aibotText } from '../../fakes/wecom/callbacks.js';
import { FakeWecomServer } from '../../fakes/wecom/server.js';
import { KEYS, reply, startHarness, uid, type Harness } from './harness.js';

const bot = new FakeCallbacks({ token: KEYS.token, encodingAesKey: KEYS.encodingAesKey, receiveId: '' });

describe('wecom adapter lifecycle', () => {
  it('is off (null, no routes, no sender) without WECOM_TOKEN / WECOM_ENCODING_AES_KEY', async () => {
    const h = await startHarness({ env: { WECOM_TOKEN: undefined, WECOM_ENCODING_AES_KEY: undefined } });
    try {
      expect(h.handle).toBeNull();
      expect(h.ctx.senders.get('wecom')).toBeUndefined();
      expect((await fetch(`${h.url}/wecom/callback`)).status).toBe(404);
    } finally {
      await h.stop();
    }
  });

  it('fails fast on a bad configuration, naming the variable', async () => {
    await expect(startHarness({ env: { WECOM_ENCODING_AES_KEY: 'short' } })).rejects.toThrow(/WECOM_ENCODING_AES_KEY/);
  });

  it('answers 503 (so WeCom retries) when Redis is down, without reaching the core', async () => {
    const h = await startHarness({ handle: async () => reply('x') });
    try {
      h.redis.disconnect();
      const cb = bot.aibot(aibotText({ msgid: uid('m'), userid: 'u', chatid: 'wrkG', content: '@bot 进度' }));
      const res = await fetch(`${h.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
      expect(res.status).toBe(503);
      expect(h.received).toHaveLength(0);
    } finally {
      await h.stop();
    }
  });

  it('an answer promised when an instance stops still goes out through response_url, once, by the next instance if need be', async () => {
    const fake = await new FakeWecomServer().start();
    const env = { WECOM_API_BASE: fake.url, WECOM_REPLY_BUDGET_MS: '50' };
    const namespace = `${uid('ns')}:`;
    const h1 = await startHarness({
      env, namespace,
      handle: async () => { await new Promise((r) => setTimeout(r, 400)); return reply('迟到的答复'); },
    });
    let h2: Harness | null = null;
    try {
      const cb = bot.aibot(aibotText({ msgid: uid('m'), userid: 'u', chatid: 'wrkG', content: '@bot 进度', responseUrl: fake.newResponseUrl() }));
      const res = await fetch(`${h1.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
      expect(await res.text()).toBe('');
      expect(fake.of('response')).toHaveLength(0);
      await h1.stop(); // finishes the message in hand; its answer is queued in Redis
      h2 = await startHarness({ env, namespace, handle: async () => reply('第二个实例不应重做') });
      await h2.inbound.drain();
      expect(fake.of('response').map((c) => c.body.markdown.content)).toEqual(['迟到的答复']);
    } finally {
      await h2?.stop();
      await fake.stop();
    }
  });

  it('a failing core gets the user a short apology, and the log has the message id, not the text', async () => {
    const h = await startHarness({ handle: async () => { throw new Error('boom'); } });
    try {
      const msgid = uid('m');
      const cb = bot.aibot(aibotText({ msgid, userid: 'u', chatid: 'wrkG', content: '@bot 保密内容XYZ' }));
      const res = await fetch(`${h.url}/wecom/callback?${cb.query}`, { method: 'POST', body: cb.body });
      expect(JSON.parse(bot.openJsonReply(await res.text(), cb.nonce).plain).stream.content).toBe('抱歉，处理这条消息时出了点问题，请稍后再试或联系整改办。');
      expect(h.logs()).toContain(msgid);
      expect(h.logs()).not.toContain('保密内容XYZ');
    } finally {
      await h.stop();
    }
  });
});
