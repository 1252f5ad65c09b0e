import { randomBytes } from 'node:crypto';
import { fakeDecrypt, fakeEncrypt, fakeSign } from './crypto.js';
import { aibotPassiveRefusal, appPassiveRefusal, type Refusal } from './rules.js';

/** Callback keys of one fake WeCom receiver (an AI bot or an app). */
export interface FakeKeys {
  token: string;
  encodingAesKey: string;
  /** What WeCom puts in the trailer: "" for an internal AI bot, the corp id for an app. */
  receiveId: string;
}

/** A signed, encrypted callback ready to send. */
export interface SignedCallback {
  /** Query string (already URL-encoded) with msg_signature, timestamp, nonce. */
  query: string;
  body: string;
  nonce: string;
  timestamp: string;
}

/** Builds callbacks exactly as WeCom sends them, and opens passive replies. */
export class FakeCallbacks {
  constructor(readonly keys: FakeKeys, private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000)) {}

  private signed(encrypt: string, overrides: { timestamp?: string; nonce?: string; signature?: string } = {}) {
    const timestamp = overrides.timestamp ?? String(this.nowSeconds());
    const nonce = overrides.nonce ?? String(randomBytes(4).readUInt32BE(0));
    const sig = overrides.signature ?? fakeSign(this.keys.token, timestamp, nonce, encrypt);
    const qs = new URLSearchParams({ msg_signature: sig, timestamp, nonce });
    return { qs, timestamp, nonce };
  }

  /** GET URL-verification query for `echoPlain`. */
  urlVerify(echoPlain: string, o: { receiveId?: string; signature?: string; timestamp?: string } = {}): string {
    const echostr = fakeEncrypt(this.keys.encodingAesKey, echoPlain, o.receiveId ?? this.keys.receiveId);
    const { qs } = this.signed(echostr, o);
    qs.set('echostr', echostr);
    return qs.toString();
  }

  /** AI-bot style POST: JSON `{"encrypt"}` around `message` (an object or raw text). */
  aibot(message: object | string, o: CallbackOptions = {}): SignedCallback {
    const enc = o.rawEncrypt ?? fakeEncrypt(this.keys.encodingAesKey, asText(message), o.receiveId ?? this.keys.receiveId);
    const s = this.signed(enc, o);
    return { query: s.qs.toString(), body: JSON.stringify({ encrypt: enc }), nonce: s.nonce, timestamp: s.timestamp };
  }

  /** App style POST: XML envelope with `<Encrypt>`. */
  app(xml: string, o: CallbackOptions & { corpId?: string } = {}): SignedCallback {
    const enc = o.rawEncrypt ?? fakeEncrypt(this.keys.encodingAesKey, xml, o.receiveId ?? this.keys.receiveId);
    const s = this.signed(enc, o);
    const body = `<xml><ToUserName><![CDATA[${o.corpId ?? this.keys.receiveId}]]></ToUserName>`
      + `<Encrypt><![CDATA[${enc}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    return { query: s.qs.toString(), body, nonce: s.nonce, timestamp: s.timestamp };
  }

  /**
   * Checks and decrypts a JSON passive reply `{encrypt,msgsignature,timestamp,nonce}`;
   * throws when WeCom would refuse its plaintext (rules.ts: stream shape, 20,480 bytes).
   */
  openJsonReply(body: string, expectNonce: string): { plain: string; receiveId: string } {
    const r = JSON.parse(body) as { encrypt: string; msgsignature: string; timestamp: string; nonce: string };
    const o = this.open(r.encrypt, r.msgsignature, String(r.timestamp), r.nonce, expectNonce);
    refuse(aibotPassiveRefusal(o.plain));
    return o;
  }

  /** Checks and decrypts an XML passive reply; throws when WeCom would refuse it (MsgType, 2,048-byte Content). */
  openXmlReply(body: string, expectNonce: string): { plain: string; receiveId: string } {
    const get = (tag: string) => new RegExp(`<${tag}>(?:<!\\[CDATA\\[)?(.*?)(?:\\]\\]>)?</${tag}>`, 's').exec(body)?.[1] ?? '';
    const o = this.open(get('Encrypt'), get('MsgSignature'), get('TimeStamp'), get('Nonce'), expectNonce);
    refuse(appPassiveRefusal(o.plain));
    return o;
  }

  private open(enc: string, sig: string, ts: string, nonce: string, expectNonce: string) {
    if (nonce !== expectNonce) throw new Error(`fake: reply nonce ${nonce} is not the callback's ${expectNonce}`);
    if (fakeSign(this.keys.token, ts, nonce, enc) !== sig) throw new Error('fake: reply signature does not verify');
    const d = fakeDecrypt(this.keys.encodingAesKey, enc);
    return { plain: d.msg, receiveId: d.receiveId };
  }
}

/** Knobs for building bad or unusual callbacks. */
export interface CallbackOptions {
  receiveId?: string;
  timestamp?: string;
  nonce?: string;
  signature?: string;
  /** Ciphertext to send as is (signed correctly unless `signature` is given). */
  rawEncrypt?: string;
}

/** A passive reply WeCom would refuse fails the test that produced it. */
function refuse(r: Refusal | null): void {
  if (r) throw new Error(`fake wecom refuses the passive reply: ${r.errcode} ${r.errmsg}`);
}

const asText = (m: object | string) => (typeof m === 'string' ? m : JSON.stringify(m));

/** An AI-bot text message as WeCom sends it (D/100719). */
export function aibotText(p: { msgid: string; userid: string; content: string; chatid?: string; responseUrl?: string }): object {
  return {
    msgid: p.msgid,
    aibotid: 'AIBOTID',
    ...(p.chatid ? { chatid: p.chatid, chattype: 'group' } : { chattype: 'single' }),
    from: { userid: p.userid },
    response_url: p.responseUrl ?? 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=x',
    msgtype: 'text',
    text: { content: p.content },
  };
}

/** An app text message as WeCom sends it (D/96467). */
export function appText(p: { corpId: string; from: string; content: string; msgId: string }): string {
  return `<xml><ToUserName><![CDATA[${p.corpId}]]></ToUserName><FromUserName><![CDATA[${p.from}]]></FromUserName>`
    + `<CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${p.content}]]></Content>`
    + `<MsgId>${p.msgId}</MsgId><AgentID>1000002</AgentID></xml>`;
}
