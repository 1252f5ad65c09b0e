/**
 * Evidence records in Redis, beside the ledger's other keys (hash tag {L}, one
 * cluster slot). They are not generation-scoped: a re-import writes a new
 * generation of items but keeps item ids for items whose code stays (see
 * src/reports/ledger-merge.ts), so their evidence stays attached.
 *
 *   rb:{L}:ev:<itemId>              hash  evidence id → record JSON
 *   rb:{L}:evseq                    string  evidence id counter (base 36)
 *   rb:{L}:evonce:<platform>:<messageId>:<sha256>  string  "<itemId> <evidenceId>" (7-day TTL)
 *
 * Attaching and removing are one Lua step each with the audit event (佐证 /
 * 删除佐证) and the item's history list, so no reader sees a record without
 * its event or the other way round.
 */
import { z } from 'zod';
import type { EvidenceRecord } from '../evidence/types.js';
import type { RedisClient } from './redis.js';
import { k } from './keys.js';
import { script } from './scripts.js';

export const ek = {
  item: (L: string, itemId: string) => `rb:{${L}}:ev:${itemId}`,
  seq: (L: string) => `rb:{${L}}:evseq`,
  once: (L: string, platform: string, messageId: string, sha: string) => `rb:{${L}}:evonce:${platform}:${messageId}:${sha}`,
};

const ONCE_TTL_S = 7 * 86400;

export const recordSchema = z.object({
  id: z.string().regex(/^[0-9a-z]{1,32}$/),
  ledgerId: z.string(),
  itemId: z.string(),
  name: z.string(),
  kind: z.enum(['image', 'pdf', 'word', 'excel']),
  mime: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  key: z.string(),
  by: z.object({ platform: z.string(), userId: z.string(), name: z.string() }),
  at: z.string(),
  messageId: z.string(),
});

/** Audit fields the store writes with each step (the stream event's fields). */
export interface EvidenceAudit {
  at: string;
  platform: string;
  userId: string;
  name: string;
  code: string;
  action: string;
  status: string;
  note: string;
  messageId: string;
}

// KEYS: item evidence hash, once key, audit stream, item history. ARGV: record id, record JSON, audit fields (flat JSON), once value, TTL.
const ATTACH = script<[string, string]>('rbEvidenceAttach', `
if KEYS[2] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then return {'DUP', redis.call('GET', KEYS[2])} end
local eid = redis.call('XADD', KEYS[3], '*', unpack(cjson.decode(ARGV[3])))
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[4], eid)
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
return {'OK', eid}
`, 4);

// KEYS: item evidence hash, audit stream, item history. ARGV: record id, audit fields (flat JSON).
const REMOVE = script<[string, string, string]>('rbEvidenceRemove', `
local rec = redis.call('HGET', KEYS[1], ARGV[1])
if not rec then return {'GONE', '', ''} end
redis.call('HDEL', KEYS[1], ARGV[1])
local eid = redis.call('XADD', KEYS[2], '*', unpack(cjson.decode(ARGV[2])))
redis.call('RPUSH', KEYS[3], eid)
return {'OK', eid, rec}
`, 3);

const flat = (a: EvidenceAudit, itemId: string) => JSON.stringify([
  'at', a.at, 'platform', a.platform, 'userId', a.userId, 'name', a.name, 'itemId', itemId, 'code', a.code,
  'action', a.action, 'from', a.status, 'to', a.status, 'note', a.note, 'messageId', a.messageId,
]);

function parse(raw: string): EvidenceRecord | null {
  try {
    const r = recordSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const byTime = (a: EvidenceRecord, b: EvidenceRecord) => (a.at < b.at ? -1 : a.at > b.at ? 1 : parseInt(a.id, 36) - parseInt(b.id, 36));

/** Evidence records of a ledger's measures. */
export class EvidenceStore {
  constructor(private readonly redis: RedisClient) {}

  /** A fresh evidence id for ledger `L`. */
  async nextId(L: string): Promise<string> {
    return (await this.redis.incr(ek.seq(L))).toString(36);
  }

  /** The record a (platform, message, sha256) attached, if any (idempotency). */
  async attachedBy(L: string, platform: string, messageId: string, sha: string): Promise<EvidenceRecord | null> {
    const v = await this.redis.get(ek.once(L, platform, messageId, sha));
    if (!v) return null;
    const [itemId, id] = v.split(' ');
    return this.get(L, itemId, id);
  }

  /**
   * Records `rec` with its audit event, unless the same message already
   * attached the same bytes: then 'duplicate' and the earlier record's place.
   */
  async attach(rec: EvidenceRecord, audit: EvidenceAudit): Promise<{ eventId: string } | { duplicate: { itemId: string; id: string } }> {
    const L = rec.ledgerId;
    const r = await ATTACH.run(this.redis,
      [ek.item(L, rec.itemId), ek.once(L, rec.by.platform, rec.messageId, rec.sha256), k.audit(L), k.hist(L, rec.itemId)],
      [rec.id, JSON.stringify(rec), flat(audit, rec.itemId), `${rec.itemId} ${rec.id}`, String(ONCE_TTL_S)]);
    if (r[0] === 'DUP') {
      const [itemId, id] = r[1].split(' ');
      return { duplicate: { itemId, id } };
    }
    return { eventId: r[1] };
  }

  async get(L: string, itemId: string, id: string): Promise<EvidenceRecord | null> {
    const raw = await this.redis.hget(ek.item(L, itemId), id);
    return raw ? parse(raw) : null;
  }

  /** The item's evidence, oldest first (the order 查看 numbers them in). */
  async list(L: string, itemId: string): Promise<EvidenceRecord[]> {
    const h = await this.redis.hgetall(ek.item(L, itemId));
    return Object.values(h).map(parse).filter((x): x is EvidenceRecord => !!x).sort(byTime);
  }

  /** How many files each item has (items without any are absent). */
  async counts(L: string, itemIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < itemIds.length; i += 1000) {
      const slice = itemIds.slice(i, i + 1000);
      const p = this.redis.pipeline();
      for (const id of slice) p.hlen(ek.item(L, id));
      const res = (await p.exec()) ?? [];
      res.forEach(([err, n], j) => {
        if (err) throw err;
        if (Number(n) > 0) out.set(slice[j], Number(n));
      });
    }
    return out;
  }

  /** Deletes a record with its audit event; null when it was already gone. */
  async remove(L: string, itemId: string, id: string, audit: EvidenceAudit): Promise<{ eventId: string; record: EvidenceRecord | null } | null> {
    const r = await REMOVE.run(this.redis, [ek.item(L, itemId), k.audit(L), k.hist(L, itemId)], [id, flat(audit, itemId)]);
    if (r[0] !== 'OK') return null;
    return { eventId: r[1], record: parse(r[2]) };
  }
}
