import type { IncomingMessage } from 'node:http';

/** A refused callback: the status to answer and a reason code that is safe to log. */
export class Rejection extends Error {
  constructor(readonly status: 400 | 401 | 403 | 413 | 415 | 503, readonly reason: string) {
    super(`wecom callback rejected: ${reason}`);
    this.name = 'Rejection';
  }
}

/**
 * Reads the raw request body with a byte cap. The app has no global body
 * parser, and the signature covers the exact bytes WeCom sent, so nothing may
 * parse or re-encode them before we do. Stops reading at the cap (413).
 */
export async function readRawBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume(); // drain so the connection stays usable
    throw new Rejection(413, 'body_too_large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) {
      req.resume();
      throw new Rejection(413, 'body_too_large');
    }
    chunks.push(b);
  }
  const buf = Buffer.concat(chunks);
  const text = buf.toString('utf8');
  // A lone invalid byte would decode to U+FFFD: refuse instead of guessing.
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(buf)) throw new Rejection(400, 'bad_utf8');
  return text;
}
