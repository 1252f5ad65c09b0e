import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import vectors from '../../fixtures/wecom/vectors.json' with { type: 'json' };
import {
  WecomCryptoError, aesKeyFrom, decrypt, encrypt, sealReply, signature, verifySignature,
} from '../../../src/bot/wecom/crypto.js';
import { envelopeCiphertext } from '../../../src/bot/wecom/inbound.js';
import { fakeDecrypt, fakeEncrypt, fakeSign } from '../../fakes/wecom/crypto.js';

/*
 * Tests the functions the callback route calls (src/bot/wecom/callbacks.ts and
 * answer.ts): envelopeCiphertext → verifySignature → decrypt (+ the receiveid
 * check) on the way in, aesKeyFrom at start, sealReply for every passive answer.
 */

const A = vectors.keysets.A;
const key = aesKeyFrom(A.encodingAESKey);
const randomOf = (v: (typeof vectors.vectors)[number]) => Buffer.from(v.expected.random16, 'latin1');

describe('wecom crypto: official vectors (keyset A)', () => {
  it('has all four official vectors', () => {
    expect(vectors.vectors.map((v) => v.id)).toEqual(['A1-url-verify', 'A2-post-xml', 'A3-post-json-go', 'A4-post-json-php']);
  });

  for (const v of vectors.vectors) {
    describe(v.id, () => {
      it('signature matches', () => {
        expect(signature(A.token, v.timestamp, v.nonce, v.encrypt)).toBe(v.msg_signature);
        expect(verifySignature(A.token, v.timestamp, v.nonce, v.encrypt, v.msg_signature)).toBe(true);
        expect(verifySignature(A.token, v.timestamp, v.nonce, v.encrypt, v.msg_signature.toUpperCase())).toBe(true);
      });
      it(`decrypts (pad ${v.expected.pkcs7_pad}) to the expected message and receiveid`, () => {
        const d = decrypt(key, v.encrypt);
        expect(d.message).toBe(v.expected.msg);
        expect(d.receiveId).toBe(v.expected.receiveid);
      });
      it('re-encrypts byte for byte with the same random prefix', () => {
        expect(encrypt(key, v.expected.msg, v.expected.receiveid, randomOf(v))).toBe(v.encrypt);
      });
      it('the route\'s steps: envelope (or echostr) → verifySignature → decrypt → receiveid', () => {
        // GET carries the ciphertext URL-encoded in echostr; POST carries it in the body's envelope.
        const ciphertext = 'body' in v ? envelopeCiphertext(v.body!).encrypt : decodeURIComponent(v.echostr_urlencoded!);
        expect(ciphertext).toBe(v.encrypt);
        expect(verifySignature(A.token, v.timestamp, v.nonce, ciphertext, v.msg_signature)).toBe(true);
        const d = decrypt(key, ciphertext);
        expect(d).toEqual({ message: v.expected.msg, receiveId: A.receiveid });
        // One changed character of the signature, nonce or ciphertext is refused before decryption.
        const flipped = v.msg_signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
        expect(verifySignature(A.token, v.timestamp, v.nonce, ciphertext, flipped)).toBe(false);
        expect(verifySignature(A.token, v.timestamp, `${v.nonce}1`, ciphertext, v.msg_signature)).toBe(false);
        expect(verifySignature('QDG6eL', v.timestamp, v.nonce, ciphertext, v.msg_signature)).toBe(false);
      });
      it('sealReply of the same message: same length and padding, signed, opened by the fake', () => {
        const sealed = sealReply({ token: A.token, aesKey: key }, v.expected.msg, v.expected.receiveid, v.timestamp, v.nonce);
        expect(sealed.timestamp).toBe(v.timestamp);
        expect(sealed.nonce).toBe(v.nonce);
        expect(sealed.encrypt.length).toBe(v.encrypt.length);
        expect(sealed.encrypt).not.toBe(v.encrypt); // a fresh random prefix, not the sample's
        expect(sealed.msgsignature).toBe(fakeSign(A.token, v.timestamp, v.nonce, sealed.encrypt));
        const d = fakeDecrypt(A.encodingAESKey, sealed.encrypt);
        expect([d.msg, d.receiveId, d.pad]).toEqual([v.expected.msg, v.expected.receiveid, v.expected.pkcs7_pad]);
      });
      it('the fake WeCom agrees (independent implementation)', () => {
        expect(fakeSign(A.token, v.timestamp, v.nonce, v.encrypt)).toBe(v.msg_signature);
        const d = fakeDecrypt(A.encodingAESKey, v.encrypt);
        expect([d.msg, d.receiveId, d.pad]).toEqual([v.expected.msg, v.expected.receiveid, v.expected.pkcs7_pad]);
        expect(fakeEncrypt(A.encodingAESKey, v.expected.msg, v.expected.receiveid, randomOf(v))).toBe(v.encrypt);
      });
    });
  }

  it('A1 echostr: signing the still URL-encoded value gives a wrong signature', () => {
    const v = vectors.vectors[0]!;
    expect(signature(A.token, v.timestamp, v.nonce, v.echostr_urlencoded!)).not.toBe(v.msg_signature);
    expect(decodeURIComponent(v.echostr_urlencoded!)).toBe(v.encrypt);
  });
});

describe('wecom crypto: round trips and bad input', () => {
  const msgs = ['', 'x', 'a'.repeat(11), 'a'.repeat(12), '进度 二.3 已完成', 'z'.repeat(1000)];
  it.each(msgs.map((m) => [m.length, m]))('round trip, length %i, with the fake in both directions', (_n, m) => {
    for (const rid of ['', 'wx5823bf96d3bd56c7']) {
      expect(decrypt(key, fakeEncrypt(A.encodingAESKey, m, rid))).toEqual({ message: m, receiveId: rid });
      expect(fakeDecrypt(A.encodingAESKey, encrypt(key, m, rid))).toMatchObject({ msg: m, receiveId: rid });
    }
  });

  it('every pad length 1..32 is produced and accepted', () => {
    const pads = new Set<number>();
    for (let n = 0; n < 32; n++) {
      const enc = encrypt(key, 'p'.repeat(n), '');
      pads.add(fakeDecrypt(A.encodingAESKey, enc).pad);
      expect(decrypt(key, enc).message).toBe('p'.repeat(n));
    }
    expect(pads.size).toBe(32);
  });

  // A fixed random prefix keeps every case below deterministic, so each names its exact reason.
  const good = fakeEncrypt(A.encodingAESKey, 'hello'.repeat(20), '', Buffer.alloc(16, 0x5a));
  const raw = Buffer.from(good, 'base64');
  const cases: [string, string, string][] = [
    ['bad base64', 'not*base64!', 'base64'],
    ['base64 without padding', good.replace(/=+$/, '').slice(0, -1), 'base64'],
    ['truncated ciphertext', raw.subarray(0, 100).toString('base64'), 'length'],
    ['ciphertext cut at a block boundary', raw.subarray(0, 64).toString('base64'), 'padding'],
    ['empty', '', 'length'],
    ['bad padding (last block garbled)', Buffer.concat([raw.subarray(0, 32), Buffer.alloc(32, 7)]).toString('base64'), 'padding'],
  ];
  it.each(cases)('%s → WecomCryptoError', (_name, input, reason) => {
    const call = () => decrypt(key, input);
    expect(call).toThrow(WecomCryptoError);
    expect(call).toThrow(expect.objectContaining({ reason, status: 400 }));
  });

  it('a length field pointing past the end is a layout error', () => {
    const bad = encrypt(key, 'hi', '');
    const plain = Buffer.alloc(32, 0);
    plain.writeUInt32BE(9999, 16);
    const forged = sealLike(plain);
    expect(() => decrypt(key, forged)).toThrow(/layout|padding/);
    expect(decrypt(key, bad).message).toBe('hi');
  });

  it('wrong signature and tampered ciphertext are refused in constant-time compare', () => {
    const s = signature('tok', '1', '2', good);
    expect(verifySignature('tok', '1', '2', good, s)).toBe(true);
    expect(verifySignature('tok', '1', '2', good, s.replace(/.$/, (c) => (c === '0' ? '1' : '0')))).toBe(false);
    expect(verifySignature('tok', '1', '2', good, s.slice(0, 39))).toBe(false);
    expect(verifySignature('tok', '1', '2', `${good}x`, s)).toBe(false);
    expect(verifySignature('tok', '1', '2', good, '0'.repeat(40))).toBe(false);
  });

  it('sealReply: the AI bot answer (receiveid "") and the app answer (corp id) decrypt as sent, with a fresh random prefix each time', () => {
    const keys = { token: 'tok', aesKey: key };
    const answer = JSON.stringify({ msgtype: 'stream', stream: { id: 'x', finish: true, content: '**进度** 二.3 已完成' } });
    const a = sealReply(keys, answer, '', '1700000000', 'n1');
    const b = sealReply(keys, answer, '', '1700000000', 'n1');
    for (const r of [a, b]) {
      expect(fakeSign('tok', '1700000000', 'n1', r.encrypt)).toBe(r.msgsignature);
      expect(fakeDecrypt(A.encodingAESKey, r.encrypt)).toMatchObject({ msg: answer, receiveId: '' });
      expect(decrypt(key, r.encrypt)).toEqual({ message: answer, receiveId: '' });
    }
    expect(fakeDecrypt(A.encodingAESKey, a.encrypt).random16.equals(fakeDecrypt(A.encodingAESKey, b.encrypt).random16)).toBe(false);
    const app = sealReply(keys, '<xml><Content><![CDATA[好]]></Content></xml>', 'wwCORP', '1700000000', 'n2');
    expect(fakeDecrypt(A.encodingAESKey, app.encrypt)).toMatchObject({ receiveId: 'wwCORP' });
  });

  it('rejects an EncodingAESKey that is not 43 alphanumerics', () => {
    expect(() => aesKeyFrom('short')).toThrow(WecomCryptoError);
    expect(() => aesKeyFrom(`${A.encodingAESKey.slice(0, 42)}+`)).toThrow(WecomCryptoError);
  });
});

/** Encrypts raw plaintext bytes (already a multiple of 32, no padding) to forge layouts. */
function sealLike(plain: Buffer): string {
  // Append a full 32-byte pad block so padding is valid and only the layout is wrong.
  const padded = Buffer.concat([plain, Buffer.alloc(32, 32)]);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(padded), c.final()]).toString('base64');
}
