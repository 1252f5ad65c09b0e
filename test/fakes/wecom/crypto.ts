import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * The fake WeCom's own implementation of the callback crypto, written apart
 * from src/bot/wecom/crypto.ts so the two check each other: CBC chaining is
 * done here by hand over single AES blocks (ECB), and the layout is built and
 * read with explicit offsets. Checked against the official vectors too.
 */

const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((v, i) => v ^ b[i]!));

function aesBlock(key: Buffer, block: Buffer, dir: 'enc' | 'dec'): Buffer {
  const c = dir === 'enc' ? createCipheriv('aes-256-ecb', key, null) : createDecipheriv('aes-256-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** Key bytes from a 43-char EncodingAESKey. */
export function fakeKey(encodingAesKey: string): Buffer {
  return Buffer.from(encodingAesKey + '=', 'base64');
}

/** msg_signature as WeCom computes it. */
export function fakeSign(token: string, timestamp: string, nonce: string, data: string): string {
  const sorted = [token, timestamp, nonce, data].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(sorted.join('')).digest('hex');
}

/** Encrypts like WeCom: random16 ‖ len(BE32) ‖ msg ‖ receiveid, PKCS#7 to 32, AES-256-CBC. */
export function fakeEncrypt(encodingAesKey: string, msg: string, receiveId: string, random16 = randomBytes(16)): string {
  const key = fakeKey(encodingAesKey);
  const m = Buffer.from(msg, 'utf8');
  const plain = Buffer.alloc(16 + 4 + m.length + Buffer.byteLength(receiveId));
  random16.copy(plain, 0);
  plain.writeUInt32BE(m.length, 16);
  m.copy(plain, 20);
  plain.write(receiveId, 20 + m.length, 'utf8');
  const n = 32 - (plain.length & 31);
  const padded = Buffer.concat([plain, Buffer.alloc(n, n)]);
  let prev = key.subarray(0, 16);
  const out: Buffer[] = [];
  for (let i = 0; i < padded.length; i += 16) {
    prev = aesBlock(key, xor(padded.subarray(i, i + 16), prev), 'enc');
    out.push(prev);
  }
  return Buffer.concat(out).toString('base64');
}

/** Decrypts like WeCom's own libraries; throws on any inconsistency. */
export function fakeDecrypt(encodingAesKey: string, b64: string): { msg: string; receiveId: string; random16: Buffer; pad: number } {
  const key = fakeKey(encodingAesKey);
  const data = Buffer.from(b64, 'base64');
  if (data.length % 32 !== 0 || data.length === 0) throw new Error('fake: bad ciphertext length');
  let prev = key.subarray(0, 16);
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 16) {
    const block = data.subarray(i, i + 16);
    out.push(xor(aesBlock(key, block, 'dec'), prev));
    prev = block;
  }
  const plain = Buffer.concat(out);
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > 32) throw new Error('fake: bad padding');
  const body = plain.subarray(0, plain.length - pad);
  const len = body.readUInt32BE(16);
  return {
    random16: body.subarray(0, 16),
    msg: body.subarray(20, 20 + len).toString('utf8'),
    receiveId: body.subarray(20 + len).toString('utf8'),
    pad,
  };
}
