import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One GET the fake media host received. */
export interface MediaGet {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
}

/**
 * WeCom AI bot media, faked from the documented scheme
 * (https://developer.work.weixin.qq.com/document/path/100719): a message's
 * image/file `url` is valid for 5 minutes and serves the bytes AES-256-CBC
 * encrypted with the message's `aeskey` (base64 of 32 bytes; messages without
 * one use the callback key, EncodingAESKey + "="), IV = the key's first 16
 * bytes, PKCS#7 padding to a multiple of 32 bytes (not OpenSSL's 16). The file
 * name goes in Content-Disposition (RFC 6266 filename*). Written independently
 * of the adapter's decryption (encryption here, decryption there).
 */
export class FakeWecomMedia {
  readonly gets: MediaGet[] = [];
  /** Lifetime of a media URL (ms on the fake's clock). */
  urlTtlMs = 5 * 60_000;
  /** Host name written into URLs (default 127.0.0.1; `localhost` reaches the same server under another name). */
  urlHost = '127.0.0.1';
  private readonly held = new Map<string, { cipher: Buffer; fileName?: string; expiresAt: number }>();
  private pending502 = 0;
  private readonly server: Server;
  private port = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.server = createServer((req, res) => this.serve(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The WeCom encryption of media bytes under a 32-byte key. */
  static encrypt(key: Buffer, plain: Buffer): Buffer {
    const pad = 32 - (plain.length % 32);
    const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    c.setAutoPadding(false);
    return Buffer.concat([c.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), c.final()]);
  }

  /**
   * Holds a file for a message. With no `key` a fresh per-message key is made and
   * returned as `aeskey` (base64), as AI bot messages carry it; pass the callback
   * key to model webhook messages without one (then `aeskey` is undefined unless `announce`).
   */
  hold(plain: Buffer, o: { fileName?: string; key?: Buffer; announce?: boolean } = {}): { url: string; aeskey?: string } {
    const key = o.key ?? randomBytes(32);
    const id = randomUUID().replace(/-/g, '');
    this.held.set(id, { cipher: FakeWecomMedia.encrypt(key, plain), expiresAt: this.now() + this.urlTtlMs, ...(o.fileName ? { fileName: o.fileName } : {}) });
    const url = `http://${this.urlHost}:${this.port}/cgi-bin/media/aibot/${id}?sign=${randomBytes(8).toString('hex')}`;
    return { url, ...(o.key && !o.announce ? {} : { aeskey: key.toString('base64') }) };
  }

  /** The next `n` GETs answer 502. */
  fail502(n = 1): void {
    this.pending502 += n;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const rec: MediaGet = { path: url.pathname, headers: { ...req.headers }, status: 0 };
    this.gets.push(rec);
    const end = (status: number, body = '') => {
      rec.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    };
    if (req.method !== 'GET') return end(405);
    if (this.pending502 > 0) {
      this.pending502--;
      return end(502);
    }
    const id = /^\/cgi-bin\/media\/aibot\/([0-9a-f]+)$/.exec(url.pathname)?.[1];
    const h = id ? this.held.get(id) : undefined;
    if (!h) return end(404, JSON.stringify({ errcode: 40007, errmsg: 'invalid media_id' }));
    if (h.expiresAt < this.now()) return end(403, JSON.stringify({ errcode: 42001, errmsg: 'url expired' }));
    rec.status = 200;
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': h.cipher.length,
      ...(h.fileName ? { 'Content-Disposition': `attachment; filename="file"; filename*=UTF-8''${encodeURIComponent(h.fileName)}` } : {}),
    });
    res.end(h.cipher);
  }
}
