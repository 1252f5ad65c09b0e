import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from './http-util.js';

/** A file the fake platform holds for a received robot message. */
export interface HeldFile {
  bytes: Buffer;
  fileName?: string;
  /** The robot whose messages carried it (a downloadCode works only with its own robotCode). */
  robotCode: string;
}

/** One GET the fake OSS received. */
export interface OssGet {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  /** Bytes sent in the body (less than the file when the client stopped reading). */
  sent: number;
}

/**
 * DingTalk's robot file download, faked in two parts like the real thing:
 * - `POST /v1.0/robot/messageFiles/download {downloadCode, robotCode}` on the
 *   API host (routed here by FakeDingtalk): a valid access token and the
 *   robot's own code give `{downloadUrl}`; errors are `{code, message, requestid}`
 *   with HTTP 400 like every api.dingtalk.com error (the exact code strings
 *   for a bad downloadCode are not documented; these follow the documented
 *   `invalidParameter.robotCode.auth` form).
 * - an OSS-like host of its own serving the temporary URL: signed, expiring
 *   (`Expires` + `Signature`), and answering 403 SignatureDoesNotMatch when the
 *   GET carries a Content-Type header (the signature covers it, as OSS does).
 *   `fail502` makes the next GETs answer 502 (retry testing). The body is
 *   written in 64 KiB chunks so a client that stops reading is visible in `sent`.
 */
export class FakeDingtalkMedia {
  readonly files = new Map<string, HeldFile>();
  readonly downloadCalls: { body: Record<string, unknown>; status: number }[] = [];
  readonly gets: OssGet[] = [];
  /** Lifetime of a downloadUrl (ms on the fake's clock). */
  urlTtlMs = 60 * 60_000;
  /** Host name written into downloadUrls (default 127.0.0.1; `localhost` reaches the same server under another name). */
  urlHost = '127.0.0.1';
  /** False: the OSS answers without Content-Length (chunked), so only reading tells the size. */
  sendLength = true;
  private pending502 = 0;
  private readonly secret = randomUUID();
  private readonly server: Server;
  private port = 0;

  constructor(private readonly now: () => number) {
    this.server = createServer((req, res) => this.serveOss(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Holds a file as DingTalk does for a received message; returns its downloadCode. */
  hold(bytes: Buffer, robotCode: string, fileName?: string): string {
    const code = `mIofN681YE3f/+m+NntqpT${randomUUID().replace(/-/g, '')}==`;
    this.files.set(code, { bytes, robotCode, ...(fileName ? { fileName } : {}) });
    return code;
  }

  /** The next `n` GETs answer 502 Bad Gateway. */
  fail502(n = 1): void {
    this.pending502 += n;
  }

  private sign(object: string, expires: number): string {
    return createHmac('sha1', this.secret).update(`GET\n\n\n${expires}\n/${object}`).digest('base64');
  }

  /** POST /v1.0/robot/messageFiles/download (the token is checked by the caller). */
  download(body: Record<string, unknown>, tokenValid: boolean, res: ServerResponse): void {
    const answer = (status: number, b: unknown) => {
      this.downloadCalls.push({ body, status });
      sendJson(res, status, b);
    };
    if (!tokenValid) return answer(400, { code: 'InvalidAuthentication', requestid: randomUUID(), message: '不合法的access_token' });
    const code = typeof body.downloadCode === 'string' ? body.downloadCode : '';
    if (!code) return answer(400, { code: 'MissingdownloadCode', requestid: randomUUID(), message: 'downloadCode is mandatory for this action.' });
    const held = this.files.get(code);
    if (!held) return answer(400, { code: 'invalidParameter.downloadCode.invalid', requestid: randomUUID(), message: 'downloadCode 无效或已过期' });
    if (body.robotCode !== held.robotCode) return answer(400, { code: 'invalidParameter.robotCode.auth', requestid: randomUUID(), message: 'robotCode 无权限' });
    const object = `dingtalk-im/${encodeURIComponent(code.replace(/[^A-Za-z0-9]/g, '').slice(0, 24))}.file`;
    const expires = Math.floor((this.now() + this.urlTtlMs) / 1000);
    const q = new URLSearchParams({ Expires: String(expires), OSSAccessKeyId: 'LTAIfake', Signature: this.sign(object, expires) });
    answer(200, { downloadUrl: `http://${this.urlHost}:${this.port}/${object}?${q}` });
  }

  private serveOss(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const object = decodeURIComponent(url.pathname.slice(1));
    const rec: OssGet = { path: url.pathname, headers: { ...req.headers }, status: 0, sent: 0 };
    this.gets.push(rec);
    const xml = (status: number, code: string, message: string) => {
      rec.status = status;
      res.writeHead(status, { 'Content-Type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
    };
    if (req.method !== 'GET') return xml(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    if (this.pending502 > 0) {
      this.pending502--;
      return xml(502, 'BadGateway', 'Bad Gateway');
    }
    const expires = Number(url.searchParams.get('Expires') ?? 0);
    // The signature was made for a GET without Content-Type: one sent with it does not match.
    if (req.headers['content-type'] !== undefined || url.searchParams.get('Signature') !== this.sign(object, expires)) {
      return xml(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    if (expires * 1000 < this.now()) return xml(403, 'AccessDenied', 'Request has expired.');
    const held = [...this.files.entries()].find(([code]) => object.includes(code.replace(/[^A-Za-z0-9]/g, '').slice(0, 24)))?.[1];
    if (!held) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
    rec.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', ...(this.sendLength ? { 'Content-Length': held.bytes.length } : {}) });
    const CHUNK = 64 * 1024;
    let off = 0;
    const pump = () => {
      while (off < held.bytes.length) {
        const part = held.bytes.subarray(off, off + CHUNK);
        off += part.length;
        rec.sent += part.length;
        if (!res.write(part)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => { off = held.bytes.length; });
    pump();
  }
}
