import type { RedisClient } from './redis.js';
import type { Deadline, ExtensionRequest, Measure, Note, Problem, Status } from '../ledger/types.js';
import { counterDelta, measureContribution, problemContribution, addCounters } from '../ledger/counters.js';
import { rollUp } from '../ledger/status.js';
import { DomainError } from '../core/errors.js';
import { emptyWrite, runAtomic, type AtomicWrite } from './atomic.js';
import { dynamicIndexes } from './indexes.js';
import { k } from './keys.js';
import { genKeys, lk, parseGen, type GenKeys } from './ledger-keys.js';
import { hashToItem } from './serialize.js';
import { lazyNotes, prependParts, type Splice } from './notes-json.js';
import { script } from './scripts.js';

/** The status field of each item hash in KEYS (siblings of one problem: one ledger, one slot). */
const STATUSES_OF = script<string[]>('rbStatusesOf', "local o={} for i,key in ipairs(KEYS) do o[i]=redis.call('HGET',key,'status') end return o");

/**
 * What a change decides on, in one round trip: the generation pointer, the
 * measure, its problem and the siblings' statuses. KEYS: the generation
 * pointer. ARGV: the ledger's key base `rb:{L}:`, the measure id, and '1' when that
 * is a code alias to resolve first (in the generation read here; anything but one
 * measure returns an empty id and nothing else). The item
 * keys follow from the generation read here (genKeys' layout: `rb:{L}:g<N>:`,
 * or `rb:{L}:` for generation 0), all in the ledger's slot; the prefix used is
 * returned so the caller can check it builds the same keys. The measure's level and
 * problemId are taken from its hash as read; of the problem only the fields a change
 * uses (id, status, kind, version) and its kids, then each sibling's status. ARGV[4]
 * '1': the measure without its notes (the write script puts a note in front itself).
 */
const READ_FOR_WRITE = script<[string | null, string, string[], Array<string | null>, Array<string | null>, string]>('rbReadForWrite', `
local gen = redis.call('GET', KEYS[1])
local p = ARGV[1]
local n = tonumber(gen or '0')
if n and n > 0 and n == math.floor(n) then p = p .. 'g' .. string.format('%d', n) .. ':' end
local mid = ARGV[2]
local byAlias = ARGV[3] == '1'
if byAlias then
  mid = redis.call('HGET', p .. 'codes', ARGV[2])
  if not mid or string.find(mid, ',', 1, true) then return {gen, p, {}, {}, {}, ''} end
end
local m = redis.call('HGETALL', p .. 'i:' .. mid)
local level, pid
local bare = ARGV[4] == '1'
local out = bare and {} or m
for i = 1, #m, 2 do
  local f = m[i]
  if f == 'level' then level = m[i + 1] elseif f == 'problemId' then pid = m[i + 1] end
  if bare and f ~= 'notes' then out[#out + 1] = f; out[#out + 1] = m[i + 1] end
end
m = out
if byAlias and level ~= 'measure' then return {gen, p, {}, {}, {}, ''} end
local ph, sib = {}, {}
if pid then
  ph = redis.call('HMGET', p .. 'i:' .. pid, 'id', 'status', 'kind', 'version', 'kids')
  local kids = cjson.decode(ph[5] or '[]')
  ph[5] = nil
  for _, id in ipairs(kids) do
    if id ~= mid then sib[#sib + 1] = redis.call('HGET', p .. 'i:' .. id, 'status') end
  end
end
return {gen, p, m, ph, sib, mid}`, 1);

/** The fields of a measure's problem a change reads and writes (status roll-up, counters, version guard). */
type ProblemState = Pick<Problem, 'id' | 'status' | 'kind'> & { version: number };

/** The problem's fields as READ_FOR_WRITE returns them (id, status, kind, version); null: no such problem. */
function problemOf(f: Array<string | null>): ProblemState | null {
  const [id, status, kind, version] = f;
  // A missing field reads as undefined, as it did from the whole hash.
  return id ? { id, status: (status ?? undefined) as Status, kind: (kind ?? undefined) as Problem['kind'], version: Number(version ?? 0) } : null;
}

const flatToMap = (flat: string[]): Record<string, string> => {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  return h;
};

/** A measure read for a write, its notes left as their stored JSON text until read (null: no such measure). */
function measureOf(h: Record<string, string>, lazy = true): { m: Measure | null; notesJson: string } {
  const item = hashToItem(h, lazy);
  return { m: item?.level === 'measure' ? item : null, notesJson: h.notes ?? '[]' };
}

/** A copy of `m` with every field in the same order, its notes not yet set (nor read from `m`). */
function copyWithoutNotes(m: Measure): Measure {
  const o: Record<string, unknown> = {};
  for (const key of Object.keys(m)) o[key] = key === 'notes' ? undefined : m[key as keyof Measure];
  return o as unknown as Measure;
}

export interface Actor {
  platform: string;
  userId: string;
  name: string;
}

/** What a command wants to do to a measure, decided from its current state. */
export interface MeasureUpdate {
  action: string;
  status: Status;
  deadline?: Deadline;
  note?: string;
  evidence?: boolean;
  /** Replace the notes list (undo restores it). */
  notes?: Note[];
  /** Set (a 申请延期) or clear (null: decided) the pending extension request. */
  extension?: ExtensionRequest | null;
  /** Approved extensions so far. */
  extended?: number;
}

/**
 * A key a change sets with the measure, in the same atomic write (a record that follows from the
 * change: the reporter's recent item). Given the measure after the change and the change's time;
 * the key must be in the ledger's slot (`rb:{L}:…`).
 */
export type AlsoSet = (after: Measure, at: string) => [key: string, value: string, ttlMs: number];

/** How a change is applied: with or without the actor's undo record, and what else it sets. */
export interface ApplyOptions {
  recordUndo?: boolean;
  alsoSet?: AlsoSet;
  /**
   * false: the measure is read without its notes, for a caller whose `decide` and `check` never
   * read them; a note is put in front by the write script itself. The result's measures then carry
   * as notes only the one this change added (before: none), as a lookup with `notes: false` does.
   */
  notes?: boolean;
}

export interface ChangeResult {
  eventId: string;
  /** On an undo: the change it took back (its message and time, when recorded). */
  undone?: { messageId?: string; at?: string };
  before: Measure;
  after: Measure;
  problemBefore: Status;
  problemAfter: Status;
}

const MAX_NOTES = 20;
const UNDO_TTL_S = 600;
const APPLIED_TTL_S = 7 * 86400;

interface UndoRecord {
  itemId: string;
  code: string;
  afterVersion: number;
  /** The ledger generation the change was made in: a re-import resets versions, so they only compare within one. */
  gen?: number;
  /** The message and time of the change (a 撤销 also withdraws the files that report brought). */
  messageId?: string;
  at?: string;
  before: {
    status: Status; deadline: Deadline; extension?: ExtensionRequest; extended?: number;
    /** The notes, whole (records written before notesEdit, or when the change replaced the notes). */
    notes?: Note[];
    /** Or how the change edited them: it put `added` notes in front and `dropped` fell off the end. */
    notesEdit?: { added: number; dropped: Note[] };
  };
}

/** Changes to measures: read, decide, guarded atomic write; retried on conflict. */
export class ItemChanges {
  constructor(
    private readonly redis: RedisClient,
    private readonly now: () => Date = () => new Date(),
    /** Test seam: runs between an attempt's read and its write (e.g. to race a re-import). */
    private readonly hooks: { beforeWrite?: (L: string, measureId: string, attempt: number) => Promise<void> } = {},
  ) {}

  /**
   * Applies `decide(current)` to a measure atomically with its problem's
   * roll-up, counters, indexes, audit event and the actor's undo record.
   * `messageId` makes the change idempotent: a replay returns 'duplicate'.
   */
  apply(
    L: string,
    measureId: string,
    actor: Actor,
    messageId: string,
    decide: (m: Measure, at: { gen: number }) => MeasureUpdate,
    opts: ApplyOptions = {},
  ): Promise<ChangeResult | 'duplicate'> {
    return this.applyTo(L, { id: measureId }, actor, messageId, decide, opts) as Promise<ChangeResult | 'duplicate'>;
  }

  /**
   * apply() on the measure a code alias names, resolved in the same round trip as the read for
   * the write (a chat write takes one round trip fewer than lookup, then apply). `check` runs on
   * the measure before `decide` (who may write it). 'unresolved': the alias names no measure, or
   * several items, or a problem or aspect; nothing was done (the caller resolves it the long way,
   * with its errors and suggestions).
   */
  applyByAlias(
    L: string,
    alias: string,
    actor: Actor,
    messageId: string,
    decide: (m: Measure, at: { gen: number }) => MeasureUpdate,
    check?: (m: Measure) => Promise<void>,
    opts: Pick<ApplyOptions, 'alsoSet' | 'notes'> = {},
  ): Promise<ChangeResult | 'duplicate' | 'unresolved'> {
    return this.applyTo(L, { alias }, actor, messageId, decide, { check, alsoSet: opts.alsoSet, notes: opts.notes });
  }

  private async applyTo(
    L: string,
    target: { id: string } | { alias: string },
    actor: Actor,
    messageId: string,
    decide: (m: Measure, at: { gen: number }) => MeasureUpdate,
    opts: ApplyOptions & { check?: (m: Measure) => Promise<void> },
  ): Promise<ChangeResult | 'duplicate' | 'unresolved'> {
    let reimported = false;
    // Without the notes until a change needs them (it replaces them, or they are not in the form the script splices).
    let bare = opts.notes === false;
    for (let attempt = 0; attempt < 60; attempt++) {
      // The generation is read first and guards the write: a re-import in between refuses it (STALE), and
      // the change is re-read and re-decided against the new ledger (versions restart there: no ABA).
      const { genRaw, g, m, notesJson, problem: p, sibStatus, id: measureId } = await this.readForWrite(L, target, bare);
      if (!measureId) return 'unresolved';
      if (m && opts.check) await opts.check(m);
      if (!m) {
        throw new DomainError('not_found', reimported ? '台账刚刚重新导入，新台账中已没有这条整改措施，本次修改未生效。' : '未找到该整改措施。');
      }
      if (!p) throw new DomainError('not_found', '未找到该整改措施所属的问题。');
      const u = decide(m, { gen: g.gen });
      if (bare && u.notes) { bare = false; attempt--; continue; }
      const at = this.now().toISOString();
      const noteJson = u.note ? JSON.stringify({ at, by: actor.name, text: u.note, evidence: u.evidence || undefined }) : '';
      // The notes stay the stored JSON text unless someone reads them (lazyNotes): a note is prepended to that text.
      // Sent to Redis: the whole list when replaced, a splice of the stored text when a note is put
      // in front (the list itself is not sent back), nothing when the notes stay as they are.
      // Read without the notes: the script puts the note in front (and the result knows only that one).
      const edit: { json: string; dropped: string; splice?: Splice | null; same?: boolean; prepend?: boolean } = u.notes ? { json: JSON.stringify(u.notes), dropped: '' }
        : bare && u.note ? { json: `[${noteJson}]`, dropped: '', prepend: true }
        : u.note ? prependParts(noteJson, notesJson, MAX_NOTES)
        : { json: notesJson, dropped: '[]', same: true };
      const afterNotes = edit.json;
      const after = copyWithoutNotes(m);
      after.status = u.status;
      after.deadline = u.deadline ?? m.deadline;
      // Read without the notes, the list is at most the one note added: a plain array, no accessor
      // (an object given one is kept by V8's scavenger until the next full collection).
      if (u.notes) after.notes = u.notes; else if (bare) after.notes = JSON.parse(afterNotes) as Note[]; else lazyNotes(after, afterNotes);
      after.updatedAt = at;
      after.version = m.version + 1;
      if (u.extension !== undefined) { if (u.extension) after.extension = u.extension; else delete after.extension; }
      if (u.extended !== undefined) after.extended = u.extended;
      const pStatus = rollUp([...(sibStatus as Status[]), after.status]);
      const w = this.buildWrite(g, m, after, edit.same || edit.prepend ? null : edit.splice ?? afterNotes, p, pStatus, actor, messageId, u, at);
      if (edit.prepend) w.prepend = [g.item(m.id), 'notes', noteJson, MAX_NOTES];
      w.gen = [lk.gen(L), genRaw];
      if (opts.alsoSet) w.setpx = [opts.alsoSet(after, at)];
      if (opts.recordUndo !== false) {
        const rec: UndoRecord = {
          itemId: m.id, code: m.code, afterVersion: after.version, gen: g.gen, messageId, at,
          before: { status: m.status, deadline: m.deadline, extension: m.extension, extended: m.extended },
        };
        // The notes as text, spliced in (`before` is the last key, never empty): how they were edited
        // (the undo is refused unless the measure is still at afterVersion), or whole if replaced.
        const head = JSON.stringify(rec);
        if (w.prepend) {
          // The dropped notes are known to the script only: it completes the record.
          w.prepend[4] = [w.setex.length, '}}}'];
          w.setex.push([k.undo(L, actor.platform, actor.userId), `${head.slice(0, -2)},"notesEdit":{"added":1,"dropped":`, UNDO_TTL_S]);
        } else {
          const notesPart = edit.dropped ? `"notesEdit":{"added":${u.note ? 1 : 0},"dropped":${edit.dropped}}` : `"notes":${notesJson}`;
          w.setex.push([k.undo(L, actor.platform, actor.userId), `${head.slice(0, -2)},${notesPart}}}`, UNDO_TTL_S]);
        }
      } else {
        w.del.push(k.undo(L, actor.platform, actor.userId));
      }
      await this.hooks.beforeWrite?.(L, measureId, attempt);
      const r = await runAtomic(this.redis, w);
      if (r.ok) return { eventId: r.eventId, before: m, after, problemBefore: p.status, problemAfter: pStatus };
      if (r.reason === 'duplicate') return 'duplicate';
      if (r.reason === 'stale') { reimported = true; continue; }
      if (r.reason === 'notes') { bare = false; attempt--; continue; }
      await new Promise((res) => setTimeout(res, Math.random() * Math.min(50, 2 + attempt * 3)));
    }
    throw new DomainError('busy', '该事项正在被多人同时修改，请稍后再试。');
  }

  /** The generation, the measure, its problem and the siblings' statuses (one script; see READ_FOR_WRITE). */
  private async readForWrite(L: string, target: { id: string } | { alias: string }, bare: boolean) {
    const byAlias = 'alias' in target;
    const [gen, prefix, mFlat, pFields, sib, mid] = await READ_FOR_WRITE.run(this.redis, [lk.gen(L)], [`rb:{${L}}:`, byAlias ? target.alias : target.id, byAlias ? '1' : '0', bare ? '1' : '0']);
    const genRaw = gen ?? '';
    const g = genKeys(L, parseGen(genRaw));
    if (prefix === g.prefix) {
      return { genRaw, g, ...measureOf(flatToMap(mFlat), !bare), problem: problemOf(pFields), sibStatus: sib, id: mid };
    }
    // A pointer genKeys reads differently (never written by this code): the same reads, one by one.
    let measureId = byAlias ? '' : target.id;
    if (byAlias) {
      const hit = (await this.redis.hget(g.codes, target.alias)) ?? '';
      if (hit && !hit.includes(',') && (await this.redis.hget(g.item(hit), 'level')) === 'measure') measureId = hit;
      if (!measureId) return { genRaw, g, m: null, notesJson: '[]', problem: null, sibStatus: [], id: '' };
    }
    const { m, notesJson } = measureOf(await this.redis.hgetall(g.item(measureId)));
    const pHash = m ? await this.redis.hgetall(g.item(m.problemId)) : {};
    const siblings = (JSON.parse(pHash.kids ?? '[]') as string[]).filter((id) => id !== measureId);
    const sibStatus = siblings.length ? await STATUSES_OF.run(this.redis, siblings.map((id) => g.item(id))) : [];
    return { genRaw, g, m, notesJson, problem: problemOf([pHash.id ?? null, pHash.status ?? null, pHash.kind ?? null, pHash.version ?? null]), sibStatus, id: measureId };
  }

  private buildWrite(
    g: GenKeys, m: Measure, after: Measure, notes: string | Splice | null, p: ProblemState, pStatus: Status,
    actor: Actor, messageId: string, u: MeasureUpdate, at: string,
  ): AtomicWrite {
    const L = g.L;
    const w = emptyWrite();
    // A change that leaves the measure's status and the problem's roll-up as they are (a note, a new
    // deadline) neither reads nor writes anything of the problem's: it needs no problem guard, so
    // many units reporting on sibling measures at once do not conflict and retry.
    const touchesProblem = after.status !== m.status || pStatus !== p.status;
    w.guards.push([g.item(m.id), m.version]);
    if (touchesProblem) w.guards.push([g.item(p.id), p.version]);
    const fields: Record<string, string> = { status: after.status, deadline: JSON.stringify(after.deadline) };
    if (typeof notes === 'string') fields.notes = notes;
    else if (notes) w.hsplice = [[g.item(m.id), 'notes', notes.prefix, notes.from, notes.to, notes.suffix]];
    fields.updatedAt = at;
    fields.version = String(after.version);
    if (u.extension !== undefined || u.extended !== undefined) {
      fields.extension = after.extension ? JSON.stringify(after.extension) : '';
      fields.extended = String(after.extended ?? 0);
    }
    w.hset.push([g.item(m.id), fields]);
    if (touchesProblem) w.hset.push([g.item(p.id), { status: pStatus, version: String(p.version + 1) }]);
    const delta = addCounters(
      counterDelta(measureContribution(m), measureContribution(after)),
      counterDelta(problemContribution(p), problemContribution({ ...p, status: pStatus })),
    );
    for (const [f, v] of Object.entries(delta)) if (v) w.hincr.push([g.counters, f, v]);
    const before = dynamicIndexes(g, m);
    const now = dynamicIndexes(g, after);
    if (before.statusSet !== now.statusSet) {
      w.srem.push([before.statusSet, m.id]);
      w.sadd.push([now.statusSet, m.id]);
    }
    // The deadline index holds exactly the open measures with a dated deadline (import and every
    // change keep it so): an entry that stays as it was (a note on a closed or unchanged measure) is not rewritten.
    if (now.dueScore !== before.dueScore) {
      if (now.dueScore === null) w.zrem.push([g.due, m.id]);
      else w.zadd.push([g.due, now.dueScore, m.id]);
    }
    w.xadd = [k.audit(L), {
      at, platform: actor.platform, userId: actor.userId, name: actor.name, itemId: m.id, code: m.code,
      action: u.action, from: m.status, to: after.status, note: u.note ?? '', messageId,
    }];
    w.rpushEid.push(k.hist(L, m.id));
    if (messageId) w.once = [`rb:{${L}}:applied:${actor.platform}:${messageId}`, APPLIED_TTL_S];
    return w;
  }

  /** Undoes the actor's own last change within 10 minutes, if nobody changed the item since. */
  async undo(L: string, actor: Actor, messageId: string): Promise<ChangeResult> {
    const raw = await this.redis.get(k.undo(L, actor.platform, actor.userId));
    if (!raw) throw new DomainError('nothing_to_undo', '没有可撤销的操作（只能撤销您本人10分钟内的最近一次修改）。');
    const rec = JSON.parse(raw) as UndoRecord;
    // Another kind of undo record (a 删除佐证's, src/evidence/service.ts) is the evidence service's to take back.
    if (!rec.before) throw new DomainError('nothing_to_undo', '没有可撤销的操作（只能撤销您本人10分钟内的最近一次修改）。');
    const r = await this.apply(L, rec.itemId, actor, messageId, (m, at) => {
      if ((rec.gen ?? 0) !== at.gen) throw new DomainError('undo_stale', `台账在您修改之后已重新导入，无法撤销对 ${rec.code} 的修改。`);
      if (m.version !== rec.afterVersion) {
        throw new DomainError('undo_stale', `${rec.code} 在您修改之后已被他人更新，无法撤销。`);
      }
      const b = rec.before;
      const notes = b.notes ?? (b.notesEdit ? [...m.notes.slice(b.notesEdit.added), ...b.notesEdit.dropped] : m.notes);
      return {
        action: '撤销', status: b.status, deadline: b.deadline, notes, note: '撤销上一次修改',
        extension: b.extension ?? null, extended: b.extended ?? 0,
      };
    }, { recordUndo: false });
    if (r === 'duplicate') throw new DomainError('duplicate', '该消息已处理。');
    return { ...r, undone: { messageId: rec.messageId, at: rec.at } };
  }
}
