/**
 * Evidence records in Redis, beside the ledger's other keys (hash tag {L}, one
 * cluster slot). They are not generation-scoped: a re-import writes a new
 * generation of items but keeps item ids for items whose code stays (see
 * src/reports/ledger-merge.ts), so their evidence stays attached.
 *
 *   rb:{L}:ev:<itemId>              hash  evidence id → record JSON (the item's files)
 *   rb:{L}:evgone:<itemId>          hash  evidence id → record JSON with `removed` (soft-deleted; bytes kept)
 *   rb:{L}:evn:<itemId>             string  the item's last 序号 (a file keeps its number for good)
 *   rb:{L}:evsha:<itemId>           hash  sha256 → evidence id (the same bytes attach to an item once)
 *   rb:{L}:evseq                    string  evidence id counter (base 36)
 *   rb:{L}:evonce:<platform>:<messageId>:<sha256>  string  "<itemId> <evidenceId>" (7-day TTL)
 *
 * Attaching, removing and restoring are one Lua step each with the audit
 * event (佐证 / 删除佐证 / 恢复佐证) and the item's history list, so no reader
 * sees a record without its event or the other way round. Removal moves the
 * record to the `evgone` hash (soft delete) and may set the remover's undo
 * record (the key 撤销 reads, src/store/item-changes.ts), so 撤销 restores it.
 */
import { z } from 'zod';
import type { EvidenceRecord } from '../evidence/types.js';
import type { RedisClient } from './redis.js';
import { k } from './keys.js';
import { script } from './scripts.js';

/** A measure's evidence as read with it elsewhere (a chat lookup): its record hash and how many were removed. */
export type EvidenceRead = { records: Record<string, string>; gone: number };

export const ek = {
  item: (L: string, itemId: string) => `rb:{${L}}:ev:${itemId}`,
  seq: (L: string) => `rb:{${L}}:evseq`,
  once: (L: string, platform: string, messageId: string, sha: string) => `rb:{${L}}:evonce:${platform}:${messageId}:${sha}`,
  gone: (L: string, itemId: string) => `rb:{${L}}:evgone:${itemId}`,
  num: (L: string, itemId: string) => `rb:{${L}}:evn:${itemId}`,
  sha: (L: string, itemId: string) => `rb:{${L}}:evsha:${itemId}`,
};

const actorSchema = z.object({ platform: z.string(), userId: z.string(), name: z.string() });

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
  by: actorSchema,
  at: z.string(),
  messageId: z.string(),
  n: z.number().int().positive().optional(),
  removed: z.object({ at: z.string(), by: actorSchema, messageId: z.string(), why: z.string().optional() }).optional(),
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

// KEYS: item hash, once key, audit stream, item history, gone hash, number counter, sha index.
// ARGV: record id, record JSON (without n), audit fields (flat JSON), once value, TTL, sha256.
// The first attach on an item whose counter is missing starts it at the files it already holds
// (records from before numbering were numbered by position).
const ATTACH = script<[string, string]>('rbEvidenceAttach2', `
if KEYS[2] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then return {'DUP', redis.call('GET', KEYS[2])} end
local same = redis.call('HGET', KEYS[7], ARGV[6])
if same and redis.call('HEXISTS', KEYS[1], same) == 1 then return {'SAME', same} end
if redis.call('EXISTS', KEYS[6]) == 0 then
  redis.call('SET', KEYS[6], redis.call('HLEN', KEYS[1]) + redis.call('HLEN', KEYS[5]))
end
local n = redis.call('INCR', KEYS[6])
local rec = cjson.decode(ARGV[2])
rec.n = n
local eid = redis.call('XADD', KEYS[3], '*', unpack(cjson.decode(ARGV[3])))
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(rec))
redis.call('HSET', KEYS[7], ARGV[6], ARGV[1])
redis.call('RPUSH', KEYS[4], eid)
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
return {'OK', tostring(n)}
`, 7);

// KEYS: item hash, audit stream, item history, gone hash, undo key ('' = none).
// ARGV: ids (JSON array), audit fields per id (JSON array of flat JSON), removed mark (JSON), undo value, undo TTL.
// Moves each record still on the item to the gone hash, marked removed; one audit event each.
/**
 * Lua: moves the records `ARGV[1]` (ids) from hash `from` to hash `to`, setting their `removed` field to
 * `mark` (a Lua expression), with the audit event `ARGV[2][i]` for each one moved; leaves `out`, the moved raw records.
 */
const moveRecords = (from: string, to: string, mark: string) => `
local ids = cjson.decode(ARGV[1])
local audits = cjson.decode(ARGV[2])
local out = {}
for i, id in ipairs(ids) do
  local raw = redis.call('HGET', ${from}, id)
  if raw then
    local rec = cjson.decode(raw)
    rec.removed = ${mark}
    redis.call('HDEL', ${from}, id)
    redis.call('HSET', ${to}, id, cjson.encode(rec))
    local eid = redis.call('XADD', KEYS[2], '*', unpack(cjson.decode(audits[i])))
    redis.call('RPUSH', KEYS[3], eid)
    out[#out + 1] = raw
  end
end
`;

const REMOVE = script<string[]>('rbEvidenceRemove2', `
${moveRecords('KEYS[1]', 'KEYS[4]', 'cjson.decode(ARGV[3])')}
if #out > 0 and KEYS[5] ~= '' then redis.call('SET', KEYS[5], ARGV[4], 'EX', ARGV[5]) end
return out
`, 5);

// KEYS: item hash, audit stream, item history, gone hash, undo key. ARGV: ids (JSON array), audit per id, expected undo value.
// Restores removed records when the undo key still holds what the removal wrote; clears it.
const RESTORE = script<string[] | null>('rbEvidenceRestore', `
if redis.call('GET', KEYS[5]) ~= ARGV[3] then return false end
redis.call('DEL', KEYS[5])
${moveRecords('KEYS[4]', 'KEYS[1]', 'nil')}
return out
`, 5);

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

/** Records from before numbering get their position among the item's files (as 查看 numbered them then). */
function numbered(list: EvidenceRecord[]): EvidenceRecord[] {
  const sorted = list.sort(byTime);
  let pos = 0;
  return sorted.map((r) => (++pos, r.n ? r : { ...r, n: pos }));
}

/** A soft removal: who, when, from which message, and why (a 撤销 of a report, or the uploader's withdrawal). */
export interface RemovalMark {
  at: string;
  by: { platform: string; userId: string; name: string };
  messageId: string;
  why?: string;
}

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

  /** The item's file with these bytes, if it has one (the same bytes attach to an item once). */
  async withSha(L: string, itemId: string, sha: string): Promise<EvidenceRecord | null> {
    const id = await this.redis.hget(ek.sha(L, itemId), sha);
    return id ? this.get(L, itemId, id) : null;
  }

  /**
   * Records `rec` with its audit event and the item's next 序号, unless the
   * same message already attached the same bytes ('duplicate') or the item
   * already holds these bytes ('same'): then the earlier record's place.
   */
  async attach(rec: EvidenceRecord, audit: EvidenceAudit): Promise<{ n: number } | { duplicate: { itemId: string; id: string } } | { same: string }> {
    const L = rec.ledgerId;
    const r = await ATTACH.run(this.redis,
      [ek.item(L, rec.itemId), ek.once(L, rec.by.platform, rec.messageId, rec.sha256), k.audit(L), k.hist(L, rec.itemId),
        ek.gone(L, rec.itemId), ek.num(L, rec.itemId), ek.sha(L, rec.itemId)],
      [rec.id, JSON.stringify(rec), flat(audit, rec.itemId), `${rec.itemId} ${rec.id}`, String(ONCE_TTL_S), rec.sha256]);
    if (r[0] === 'DUP') {
      const [itemId, id] = r[1].split(' ');
      return { duplicate: { itemId, id } };
    }
    if (r[0] === 'SAME') return { same: r[1] };
    return { n: Number(r[1]) };
  }

  /** An attached (not removed) record. */
  async get(L: string, itemId: string, id: string): Promise<EvidenceRecord | null> {
    const raw = await this.redis.hget(ek.item(L, itemId), id);
    if (!raw) return null;
    const r = parse(raw);
    if (!r || r.n) return r;
    return (await this.list(L, itemId)).find((x) => x.id === id) ?? null;
  }

  /** The item's evidence, oldest first, each with its 序号 (numbers keep gaps where files were removed). */
  async list(L: string, itemId: string): Promise<EvidenceRecord[]> {
    const [h, gone] = await Promise.all([this.redis.hgetall(ek.item(L, itemId)), this.redis.hlen(ek.gone(L, itemId))]);
    return this.fromRead(L, itemId, h, gone);
  }

  /** list(), from the item's evidence hash and removed count read elsewhere (a chat lookup reads them with the measure). */
  async fromRead(L: string, itemId: string, h: EvidenceRead['records'], gone: number): Promise<EvidenceRecord[]> {
    const live = Object.values(h).map(parse).filter((x): x is EvidenceRecord => !!x);
    if (!gone || live.every((r) => r.n)) return numbered(live);
    // Records from before numbering, beside removed ones: number them among all, as they were then.
    const all = numbered([...live, ...await this.removed(L, itemId)]);
    return all.filter((r) => !r.removed);
  }

  /** The item's removed records (soft-deleted: the bytes are kept), oldest first. */
  async removed(L: string, itemId: string): Promise<EvidenceRecord[]> {
    const h = await this.redis.hgetall(ek.gone(L, itemId));
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

  /**
   * Soft-removes records with an audit event each: they move to the item's
   * removed records, bytes kept. With `undo`, the remover's undo key is set
   * in the same step (撤销 restores them). Returns the records removed now.
   */
  async remove(L: string, itemId: string, ids: string[], mark: RemovalMark, audits: EvidenceAudit[],
    undo?: { key: string; value: string; ttlS: number }): Promise<EvidenceRecord[]> {
    const r = await REMOVE.run(this.redis, [ek.item(L, itemId), k.audit(L), k.hist(L, itemId), ek.gone(L, itemId), undo?.key ?? ''],
      [JSON.stringify(ids), JSON.stringify(audits.map((a) => flat(a, itemId))), JSON.stringify(mark), undo?.value ?? '', String(undo?.ttlS ?? 1)]);
    return r.map(parse).filter((x): x is EvidenceRecord => !!x);
  }

  /** Restores removed records when `undoKey` still holds `expect`; null when it does not (nothing changed). */
  async restore(L: string, itemId: string, ids: string[], audits: EvidenceAudit[], undoKey: string, expect: string): Promise<EvidenceRecord[] | null> {
    const r = await RESTORE.run(this.redis, [ek.item(L, itemId), k.audit(L), k.hist(L, itemId), ek.gone(L, itemId), undoKey],
      [JSON.stringify(ids), JSON.stringify(audits.map((a) => flat(a, itemId))), expect]);
    if (!r) return null;
    return r.map(parse).filter((x): x is EvidenceRecord => !!x);
  }

  /** Reads a raw undo key (the evidence kind of undo record lives there too). */
  async readUndo(key: string): Promise<string | null> {
    return this.redis.get(key);
  }
}
