/**
 * A stored ledger read back in batches, and the gzipped snapshot of it that
 * an import or restore keeps, built without holding the ledger or its JSON
 * whole: a 100,000-measure ledger is ~120 MB as objects and ~140 MB as one
 * JSON string, which a re-import would otherwise hold beside the sheet's
 * ledger and the merged one.
 *
 * The snapshot is the gzip of exactly `JSON.stringify(doc)` for the doc
 * `LedgerStore.loadDoc` would return, so restoring it is unchanged
 * (`JSON.parse(gunzipSync(buf))`). It is two gzip members, which gunzip
 * reads as one text: the head (ledger, aspects, problems, the opening of the
 * measures) compressed last, once the aspects and problems are all seen,
 * and the measures streamed through zlib as they are read. A big ledger's
 * reads and parses collect garbage as they go (see heap.ts).
 */
import { once } from 'node:events';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import type { Aspect, Item, Ledger, LedgerDoc, Measure, Problem } from '../ledger/types.js';
import type { RedisClient } from './redis.js';
import { k } from './keys.js';
import { genKeys, parseGen, lk } from './ledger-keys.js';
import { hashToItem, hashToLedger } from './serialize.js';
import { boundHeap } from './heap.js';

/** Items per read: one pipeline of HGETALLs (the reads loadDoc makes, a slice of the order list at a time). */
const BATCH = 1000;
/** A ledger of more items keeps the heap in check between batches (see heap.ts), as a big import's writes do. */
const BIG = 20_000;
/** The same for a snapshot: ~0.5 MB of gzip is some 20,000 measures. */
const BIG_GZ = 500_000;

/** A ledger's meta, and its current generation's items in document order, a batch at a time. */
export interface StoredScan {
  ledger: Ledger;
  batches(): AsyncGenerator<Item[]>;
}

/** Opens the ledger's current generation for a batched read; null when the ledger does not exist. */
export async function scanStored(redis: RedisClient, L: string): Promise<StoredScan | null> {
  const [meta, gen] = await Promise.all([redis.hgetall(k.meta(L)), redis.get(lk.gen(L))]);
  const ledger = hashToLedger(meta);
  if (!ledger) return null;
  const g = genKeys(L, parseGen(gen));
  return {
    ledger,
    async *batches() {
      const len = await redis.llen(g.order);
      for (let i = 0; i < len; i += BATCH) {
        // The batches already handed out are garbage once their consumer is done with them.
        if (len > BIG) boundHeap();
        const ids = await redis.lrange(g.order, i, i + BATCH - 1);
        if (!ids.length) break;
        const p = redis.pipeline();
        for (const id of ids) p.hgetall(g.item(id));
        const items: Item[] = [];
        for (const [err, h] of (await p.exec()) ?? []) {
          if (err) throw err;
          const it = hashToItem(h as Record<string, string>);
          if (it) items.push(it);
        }
        yield items;
      }
    },
  };
}

/** The gzipped JSON of a ledger fed in document order (see the file comment). */
export class SnapshotGzip {
  private readonly aspects: Aspect[] = [];
  private readonly problems: Problem[] = [];
  private readonly gz = createGzip();
  private readonly out: Buffer[] = [];
  private readonly ended: Promise<unknown>;
  private first = true;

  constructor() {
    this.gz.on('data', (b: Buffer) => this.out.push(b));
    this.ended = once(this.gz, 'end');
  }

  /** The next items of the ledger, in document order. */
  async add(items: Item[]): Promise<void> {
    let text = '';
    for (const it of items) {
      if (it.level === 'aspect') this.aspects.push(it);
      else if (it.level === 'problem') this.problems.push(it);
      else {
        text += (this.first ? '' : ',') + JSON.stringify(it as Measure);
        this.first = false;
      }
    }
    if (text && !this.gz.write(text)) await once(this.gz, 'drain');
  }

  /** Gives up (a read failed): frees zlib's native state now rather than at collection. */
  abandon(): void {
    this.gz.destroy();
  }

  /** The whole snapshot, once every item was added. */
  async finish(ledger: Ledger): Promise<Buffer> {
    this.gz.end(']}');
    await this.ended;
    const list = (xs: Item[]) => xs.map((x) => JSON.stringify(x)).join(',');
    const head = gzipSync(`{"ledger":${JSON.stringify(ledger)},"aspects":[${list(this.aspects)}],"problems":[${list(this.problems)}],"measures":[`);
    return Buffer.concat([head, ...this.out]);
  }
}

/** The snapshot of the ledger as stored now (for a restore's own undo); null when it does not exist. */
export async function snapshotStored(redis: RedisClient, L: string): Promise<Buffer | null> {
  const scan = await scanStored(redis, L);
  if (!scan) return null;
  const snap = new SnapshotGzip();
  try {
    for await (const items of scan.batches()) await snap.add(items);
  } catch (e) {
    snap.abandon();
    throw e;
  }
  return snap.finish(scan.ledger);
}

const [QUOTE, BACKSLASH, COMMA, COLON] = ['"', '\\', ',', ':'].map((c) => c.charCodeAt(0));
const OPEN = new Set(['{', '['].map((c) => c.charCodeAt(0)));
const CLOSE = new Set(['}', ']'].map((c) => c.charCodeAt(0)));

/**
 * A snapshot back as the doc it was made of, without its text ever being one
 * string: the gunzipped text is cut into the top-level object's values, and
 * a value that is an array into its elements, each parsed on its own (a
 * 100,000-measure ledger's JSON is ~140 MB as a string). Any JSON object
 * parses as JSON.parse would parse it; a snapshot is always one.
 */
export async function parseSnapshot(gz: Buffer): Promise<LedgerDoc> {
  const out: Record<string, unknown> = {};
  const gunzip = createGunzip();
  gunzip.end(gz);
  const text = new TextDecoder('utf-8', { fatal: true });
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** At depth 1: reading a key (else a value); inside a top-level array at depth 2. */
  let atKey = true;
  let inArray = false;
  let key = '';
  let part = '';
  let from = 0;
  const take = (chunk: string, to: number) => { part += chunk.slice(from, to); from = to + 1; };
  const big = gz.length > BIG_GZ;
  let parsed = 0;
  const element = () => {
    if (part.trim()) (out[key] as unknown[]).push(JSON.parse(part));
    part = '';
    if (big && ++parsed % BATCH === 0) boundHeap();
  };
  const feed = (chunk: string) => {
    from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (OPEN.has(c)) {
        depth++;
        if (depth === 1) from = i + 1;
        else if (depth === 2 && !atKey && part.trim() === '' && c === 0x5b) {
          // A top-level value that is an array: its elements are cut at depth 2.
          inArray = true;
          out[key] = [];
          from = i + 1;
        }
      } else if (CLOSE.has(c)) {
        depth--;
        if (depth === 1 && inArray) { take(chunk, i); element(); inArray = false; } else if (depth === 0) {
          take(chunk, i);
          if (part.trim()) out[key] = JSON.parse(part);
          part = '';
        }
      } else if (c === COLON && depth === 1 && atKey) {
        take(chunk, i);
        key = JSON.parse(part) as string;
        part = '';
        atKey = false;
      } else if (c === COMMA && depth === 1) {
        take(chunk, i);
        if (part.trim()) out[key] = JSON.parse(part);
        part = '';
        atKey = true;
      } else if (c === COMMA && depth === 2 && inArray) {
        take(chunk, i);
        element();
      }
    }
    part += chunk.slice(from);
  };
  for await (const b of gunzip as AsyncIterable<Buffer>) feed(text.decode(b, { stream: true }));
  feed(text.decode());
  if (depth !== 0 || inString) throw new SyntaxError('snapshot: unexpected end of JSON');
  return out as unknown as LedgerDoc;
}
