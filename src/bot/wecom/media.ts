import { createDecipheriv } from 'node:crypto';
import { DownloadError, download } from '../../core/download.js';
import type { FileFetcher } from '../../pipeline/evidence.js';

/**
 * WeCom AI bot media (image / file / mixed images, https://developer.work.weixin.qq.com/document/path/100719):
 * the message gives a URL valid for 5 minutes; the bytes it serves are
 * AES-256-CBC encrypted, key = base64-decoded `aeskey` of the message (webhook
 * callbacks without one: the callback key, EncodingAESKey + "="), IV = the
 * key's first 16 bytes, PKCS#7 padding to a multiple of 32 bytes. The file's
 * name comes from the response's Content-Disposition.
 */

/** Default hosts a media URL may point at (WeCom's own and its Tencent Cloud COS storage). */
export const DEFAULT_WECOM_DOWNLOAD_HOSTS = ['*.weixin.qq.com', '*.work.weixin.qq.com', '*.qpic.cn', '*.myqcloud.com', '*.tencent-cloud.com'];

const BLOCK = 32;

/** Decrypts media bytes; throws DownloadError('corrupt') on a wrong key or broken padding. */
export function decryptMedia(key: Buffer, data: Buffer): Buffer {
  if (key.length !== 32) throw new DownloadError('corrupt', 'media key is not 32 bytes');
  if (data.length === 0 || data.length % 16 !== 0) throw new DownloadError('corrupt', 'media length is not a whole number of AES blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || pad > plain.length) throw new DownloadError('corrupt', 'media padding is invalid');
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw new DownloadError('corrupt', 'media padding is invalid');
  return plain.subarray(0, plain.length - pad);
}

/** The 32-byte key of a message's media: its own base64 `aeskey`, else the callback key. */
export function mediaKey(aeskey: string | undefined, callbackKey: Buffer): Buffer {
  if (!aeskey) return callbackKey;
  const k = Buffer.from(aeskey.length % 4 ? `${aeskey}${'='.repeat(4 - (aeskey.length % 4))}` : aeskey, 'base64');
  if (k.length !== 32) throw new DownloadError('corrupt', 'media aeskey is not a 32-byte key');
  return k;
}

export interface WecomFetcherOptions {
  fetch: typeof fetch;
  allowHosts: readonly string[];
  /** The callback AES key (from EncodingAESKey). */
  callbackKey: Buffer;
  timeoutMs: number;
  retryDelayMs?: number;
}

/** The WeCom FileFetcher: encrypted media URL → bytes (allow-listed host, bounded, retried on 5xx) → decrypted. */
export function wecomFileFetcher(o: WecomFetcherOptions): FileFetcher {
  return async (ref, { maxBytes }) => {
    const key = mediaKey(ref.key, o.callbackKey);
    // The ciphertext is at most one padding block longer than the file.
    const d = await download(ref.ref, { fetch: o.fetch, allowHosts: o.allowHosts, maxBytes: maxBytes + BLOCK, timeoutMs: o.timeoutMs, retryDelayMs: o.retryDelayMs });
    const bytes = decryptMedia(key, d.bytes);
    if (bytes.length > maxBytes) throw new DownloadError('too_large', `file over ${maxBytes} bytes`);
    const name = ref.name ?? d.name;
    return { bytes, ...(name ? { name } : {}) };
  };
}
