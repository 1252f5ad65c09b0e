import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeCom callback crypto (WXBizMsgCrypt / WXBizJsonMsgCrypt), pure functions.
 * Scheme: https://developer.work.weixin.qq.com/document/path/91144
 *
 * Node's auto-padding is always off: WeCom pads PKCS#7 to 32-byte blocks, and
 * OpenSSL's 16-byte unpadding throws on pads > 16 and silently accepts ≤ 16.
 */

/** Why a callback failed crypto checks; `auth` failures answer 401, `format` ones 400. */
export class WecomCryptoError extends Error {
  constructor(
    readonly reason: 'signature' | 'receiveid' | 'base64' | 'length' | 'padding' | 'layout' | 'aeskey',
    readonly status: 400 | 401,
  ) {
    super(`wecom crypto: ${reason}`);
    this.name = 'WecomCryptoError';
  }
}

const BLOCK = 32;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Turns the 43-char EncodingAESKey into the 32-byte AES key. */
export function aesKeyFrom(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) throw new WecomCryptoError('aeskey', 400);
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WecomCryptoError('aeskey', 400);
  return key;
}

/** msg_signature: hex SHA-1 of the sorted [token, timestamp, nonce, encrypt] joined. */
export function signature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  // Plain code-unit sort, as the official samples' sort(): all four are ASCII.
  const parts = [token, timestamp, nonce, encrypt].sort();
  return createHash('sha1').update(parts.join(''), 'utf8').digest('hex');
}

/** Constant-time check of a received msg_signature. */
export function verifySignature(
  token: string, timestamp: string, nonce: string, encrypt: string, received: string,
): boolean {
  const expected = Buffer.from(signature(token, timestamp, nonce, encrypt), 'utf8');
  const got = Buffer.from(received.toLowerCase(), 'utf8');
  // timingSafeEqual needs equal lengths; the length of a hex SHA-1 is public anyway.
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Decrypted callback: the message and the receiveid trailer. */
export interface Decrypted {
  message: string;
  receiveId: string;
}

/** Decrypts a base64 `Encrypt` value; checks layout and padding, not the receiveid. */
export function decrypt(aesKey: Buffer, encrypt: string): Decrypted {
  if (!B64.test(encrypt) || encrypt.length % 4 !== 0) throw new WecomCryptoError('base64', 400);
  const data = Buffer.from(encrypt, 'base64');
  if (data.length === 0 || data.length % BLOCK !== 0) throw new WecomCryptoError('length', 400);
  const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = padded[padded.length - 1]!;
  if (pad < 1 || pad > BLOCK) throw new WecomCryptoError('padding', 400);
  for (let i = padded.length - pad; i < padded.length; i++) {
    if (padded[i] !== pad) throw new WecomCryptoError('padding', 400);
  }
  const plain = padded.subarray(0, padded.length - pad);
  if (plain.length < 20) throw new WecomCryptoError('layout', 400);
  const len = plain.readUInt32BE(16);
  if (20 + len > plain.length) throw new WecomCryptoError('layout', 400);
  return {
    message: plain.subarray(20, 20 + len).toString('utf8'),
    receiveId: plain.subarray(20 + len).toString('utf8'),
  };
}

/** Encrypts a message for WeCom; `random16` is injectable for known-answer tests. */
export function encrypt(aesKey: Buffer, message: string, receiveId: string, random16: Buffer = randomBytes(16)): string {
  if (random16.length !== 16) throw new RangeError('random16 must be 16 bytes');
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const body = Buffer.concat([random16, len, msg, Buffer.from(receiveId, 'utf8')]);
  const pad = BLOCK - (body.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  const padded = Buffer.concat([body, Buffer.alloc(pad, pad)]);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/** What a verified callback needs: the token and the AES key (the route checks receiveids). */
export interface CallbackKeys {
  token: string;
  aesKey: Buffer;
}

/** Encrypts and signs a passive reply; returns the envelope fields. */
export function sealReply(
  keys: CallbackKeys, message: string, receiveId: string, timestamp: string, nonce: string,
): { encrypt: string; msgsignature: string; timestamp: string; nonce: string } {
  const enc = encrypt(keys.aesKey, message, receiveId);
  return { encrypt: enc, msgsignature: signature(keys.token, timestamp, nonce, enc), timestamp, nonce };
}
