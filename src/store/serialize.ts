import type { Aspect, Deadline, ExtensionRequest, Item, Kind, Ledger, Measure, Note, Problem, Status } from '../ledger/types.js';

/** Item ↔ Redis hash. Arrays and objects are JSON; numbers are decimal strings. */
export function itemToHash(item: Item): Record<string, string> {
  const base = { id: item.id, code: item.code, level: item.level, title: item.title, aspect: String(item.aspect) };
  // Written only when present, so items stored before headings were kept read back unchanged.
  const heading: Record<string, string> = item.level !== 'measure' && item.heading ? { heading: item.heading } : {};
  if (item.level === 'aspect') return { ...base, ...heading, version: '0' };
  if (item.level === 'problem') {
    return { ...base, ...heading, number: String(item.number), kind: item.kind, status: item.status, version: '0' };
  }
  return {
    ...base,
    problemId: item.problemId,
    number: String(item.number),
    kind: item.kind,
    leaders: JSON.stringify(item.leaders),
    departments: JSON.stringify(item.departments),
    owners: JSON.stringify(item.owners),
    deadline: JSON.stringify(item.deadline),
    status: item.status,
    notes: JSON.stringify(item.notes),
    ...(item.remark ? { remark: item.remark } : {}),
    ...(item.extension ? { extension: JSON.stringify(item.extension) } : {}),
    ...(item.extended ? { extended: String(item.extended) } : {}),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    version: String(item.version),
  };
}

export function hashToItem(h: Record<string, string>): Item | null {
  if (!h || !h.id) return null;
  const base = { id: h.id, code: h.code, title: h.title, aspect: Number(h.aspect) };
  const heading = h.heading ? { heading: h.heading } : {};
  if (h.level === 'aspect') return { ...base, ...heading, level: 'aspect' } satisfies Aspect;
  if (h.level === 'problem') {
    return { ...base, ...heading, level: 'problem', number: Number(h.number), kind: h.kind as Kind, status: h.status as Status } satisfies Problem;
  }
  return {
    ...base,
    level: 'measure',
    problemId: h.problemId,
    number: Number(h.number),
    kind: h.kind as Kind,
    leaders: JSON.parse(h.leaders ?? '[]') as string[],
    departments: JSON.parse(h.departments ?? '[]') as string[],
    owners: JSON.parse(h.owners ?? '[]') as string[],
    deadline: JSON.parse(h.deadline ?? '{"type":"longterm"}') as Deadline,
    status: h.status as Status,
    notes: JSON.parse(h.notes ?? '[]') as Note[],
    ...(h.remark ? { remark: h.remark } : {}),
    ...(h.extension ? { extension: JSON.parse(h.extension) as ExtensionRequest } : {}),
    ...(h.extended && h.extended !== '0' ? { extended: Number(h.extended) } : {}),
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
    version: Number(h.version ?? 0),
  } satisfies Measure;
}

export function ledgerToHash(l: Ledger): Record<string, string> {
  return {
    id: l.id, title: l.title, org: l.org, inspectionType: l.inspectionType, inspectionGroup: l.inspectionGroup,
    feedbackDate: l.feedbackDate, numbering: l.numbering, yellowDays: String(l.yellowDays),
    requireReview: l.requireReview ? '1' : '0', createdAt: l.createdAt,
    ...(l.measureNoun ? { measureNoun: l.measureNoun } : {}),
    ...(l.immediateDays !== undefined ? { immediateDays: String(l.immediateDays) } : {}),
  };
}

export function hashToLedger(h: Record<string, string>): Ledger | null {
  if (!h || !h.id) return null;
  return {
    id: h.id, title: h.title, org: h.org, inspectionType: h.inspectionType === '巡视' ? '巡视' : '巡察',
    inspectionGroup: h.inspectionGroup, feedbackDate: h.feedbackDate,
    numbering: h.numbering === 'global' ? 'global' : 'per-aspect',
    yellowDays: Number(h.yellowDays ?? 10), requireReview: h.requireReview !== '0', createdAt: h.createdAt,
    ...(h.measureNoun === '具体问题' || h.measureNoun === '整改措施' ? { measureNoun: h.measureNoun } : {}),
    ...(h.immediateDays ? { immediateDays: Number(h.immediateDays) } : {}),
  };
}
