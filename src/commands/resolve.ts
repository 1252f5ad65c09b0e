import { distance } from 'fastest-levenshtein';
import type { Item, Measure } from '../ledger/types.js';
import { aliasOf, parseCode } from '../ledger/codes.js';
import { personKey } from '../ledger/people.js';
import { shortTitle } from '../ledger/shorten.js';
import { canonicalDept, type DeptAliases } from '../ledger/departments.js';
import { DomainError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';
import type { CommandContext, Speaker } from './types.js';
import type { Lookup, Unchanged } from '../store/read-scripts.js';

/** An item found by its code, with its children (a problem's measures, an aspect's problems) and a measure's evidence. */
export interface Resolved {
  item: Item;
  kids: Item[];
  evidence?: Lookup['evidence'];
  /** The read's digest when one was asked for ('' when it cannot be remembered by). */
  version?: string;
}

/** Finds an item by a code as the cadre wrote it; a clear error with close matches otherwise. */
export async function resolveItem(ctx: CommandContext, codeText: string): Promise<Item> {
  return (await resolveWithKids(ctx, codeText)).item;
}

/**
 * resolveItem, with a problem's measures or an aspect's problems (in order)
 * read in the same round trip.
 */
export async function resolveWithKids(
  ctx: CommandContext, codeText: string, o?: { notes?: boolean; evidence?: boolean },
): Promise<Resolved>;
/**
 * With `known` (the digest of a read an answer was built from, '' for none): the item as above
 * with the digest of this read (`version`, '' when it cannot be remembered by), or `{ unchanged }`
 * when the item, its children and evidence are exactly those of the known read.
 */
export async function resolveWithKids(
  ctx: CommandContext, codeText: string, o: { notes?: boolean; evidence?: boolean; known: string },
): Promise<Resolved | Unchanged>;
export async function resolveWithKids(
  ctx: CommandContext, codeText: string, o: { notes?: boolean; evidence?: boolean; known?: string } = {},
): Promise<Resolved | Unchanged> {
  const store = ctx.services.ledgers;
  const L = ctx.ledger.id;
  const q = parseCode(codeText);
  const shown = safeText(codeText.trim());
  if (!q) throw new DomainError('bad_code', `“${shown}”不是有效的编号。`, '编号示例：二.3、(二)3、3.2、第3项。');
  const alias = aliasOf(q);
  const hit = o.known === undefined ? await store.lookup(L, alias, o) : await store.lookup(L, alias, { ...o, known: o.known });
  if ('unchanged' in hit) return hit;
  const ids = hit.ids;
  if (ids.length === 1 && hit.item) {
    return { item: hit.item, kids: hit.kids ?? (hit.kidIds ? await store.getItems(L, hit.kidIds) : []), evidence: hit.evidence, version: hit.version };
  }
  if (ids.length > 1) {
    const items = await store.getItems(L, ids);
    const list = items.map((i) => `${i.code} ${short(i.title, 20)}`).join('；');
    throw new DomainError('ambiguous_code', `编号“${shown}”对应多个事项：${list}。请带上方面序号，例如“${items[0].code}”。`);
  }
  // Suggestions come from a bounded list of codes near the one written (never every alias of a big ledger).
  const found = await store.resolveAliases(L, nearbyAliases(alias));
  const nearIds = new Set<string>();
  for (const a of closest(alias, [...found.keys()], 6)) for (const id of found.get(a)!) nearIds.add(id);
  const near = (await store.getItems(L, [...nearIds].slice(0, 3))).map((i) => i.code);
  throw new DomainError('unknown_code', `未找到编号“${shown}”。`, near.length ? `您要找的是不是：${near.join('、')}？` : '发送“进度”查看全部方面和问题。');
}

/**
 * Aliases a mistyped code may have meant: each number off by one or two
 * (or one of the first three), * two numbers swapped, the parent, the first child, with or without the
 * aspect. A few dozen candidates, looked up in one HMGET.
 */
export function nearbyAliases(alias: string): string[] {
  const withAspect = alias.startsWith('A');
  const parts = (withAspect ? alias.slice(1) : alias).split('.').map(Number);
  if (parts.some((n) => !Number.isInteger(n) || n < 1)) return [];
  const out = new Set<string>();
  const add = (ps: number[], a = withAspect) => { if (ps.length && ps.every((n) => n >= 1)) out.add(`${a ? 'A' : ''}${ps.join('.')}`); };
  parts.forEach((n, i) => {
    for (const v of [n - 2, n - 1, n + 1, n + 2, 1, 2, 3]) add(parts.map((x, j) => (j === i ? v : x)));
    if (i + 1 < parts.length) add(parts.map((x, j) => (j === i ? parts[i + 1] : j === i + 1 ? n : x)));
  });
  add(parts.slice(0, -1));
  if (parts.length < 3) add([...parts, 1]);
  out.delete(alias);
  return [...out];
}

function closest(target: string, candidates: string[], n: number): string[] {
  const plain = candidates.filter((c) => c.startsWith('A') === target.startsWith('A'));
  return plain
    .map((c) => ({ c, d: distance(c, target) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, n)
    .map((x) => x.c);
}

/**
 * A write targets a measure; a problem with exactly one measure stands for it.
 * `notes: false`: the measure comes without its notes (they read as none), for a caller that reads it again.
 */
export async function resolveMeasure(ctx: CommandContext, codeText: string, o: { notes?: boolean } = {}): Promise<Measure> {
  const { item, kids: all } = await resolveWithKids(ctx, codeText, o);
  if (item.level === 'measure') return item;
  if (item.level === 'problem') {
    const kids = all.filter((i): i is Measure => i.level === 'measure');
    if (kids.length === 1) return kids[0];
    throw new DomainError('needs_measure', `${item.code} 下有${kids.length}条整改措施，请指明具体措施：${kids.map((k) => k.code).join('、')}。`);
  }
  throw new DomainError('needs_measure', `${item.code} 是一个方面，请指明具体整改措施的编号。`);
}

export async function childIds(ctx: CommandContext, problemId: string): Promise<string[]> {
  return ctx.services.ledgers.childIds(ctx.ledger.id, problemId);
}

/**
 * Office writes everything; leaders and owners write items that name them (or, for owners, their
 * department, compared through the ledger's department aliases: 审管办 = 审判管理办公室).
 */
export function canWrite(s: Speaker, m: Measure, aliases: DeptAliases = {}): boolean {
  if (s.role === 'office') return true;
  if (s.role !== 'leader' && s.role !== 'owner') return false;
  const me = personKey(s.name);
  if (m.leaders.some((n) => personKey(n) === me) || m.owners.some((n) => personKey(n) === me)) return true;
  if (s.role !== 'owner' || !s.department) return false;
  const mine = canonicalDept(s.department, aliases);
  return m.departments.some((d) => canonicalDept(d, aliases) === mine);
}

/** assertCanWrite with the ledger's department aliases, read only when the plain check fails. */
export async function assertCanWriteIn(ctx: CommandContext, m: Measure): Promise<void> {
  if (canWrite(ctx.speaker, m)) return;
  if (ctx.speaker.role === 'owner' && canWrite(ctx.speaker, m, await ctx.services.ledgers.departmentAliases(ctx.ledger.id))) return;
  assertCanWrite(ctx.speaker, m);
}

export function assertCanWrite(s: Speaker, m: Measure): void {
  if (canWrite(s, m)) return;
  if (s.role === 'viewer' || s.role === 'supervisor') {
    throw new DomainError('forbidden', '您当前是只读身份，不能修改台账。如需更新，请联系整改办为您开通权限。');
  }
  throw new DomainError('forbidden', `${m.code} 不是您负责的事项，只有其责任人、责任领导或整改办可以更新。`);
}

/** A title for a list line: cut at punctuation, never inside a 规范提法 (see shorten.ts). */
export function short(s: string, n: number): string {
  return safeText(shortTitle(s, n));
}
