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
 * and the measures streamed through zlib as they are read.
 */
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import type { Aspect, Item, Ledger, Measure, Problem } from '../ledger/types.js';
import type { RedisClient } from './redis.js';
import { k } from './keys.js';
import { genKeys, parseGen, lk } from './ledger-keys.js';
import { hashToItem, hashToLedger } from './serialize.js';

/** Items per read: one pipeline of HGETALLs (the reads loadDoc makes, a slice of the order list at a time). */
const BATCH = 1000;

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
  for await (const items of scan.batches()) await snap.add(items);
  return snap.finish(scan.ledger);
}
