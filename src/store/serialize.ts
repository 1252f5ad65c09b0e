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

/**
 * `lazyNotes`: a measure's notes are decoded when first read (an accessor
 * property, enumerable like the plain field, so copies and JSON see them);
 * for single items read on the write path, whose notes are rarely looked at.
 */
export function hashToItem(h: Record<string, string>, lazyNotes = false): Item | null {
  if (!h || !h.id) return null;
  // Built field by field in a fixed order, without object spreads: V8 copies a spread in the middle
  // of a literal slowly (microseconds per item) and this runs for every item read.
  if (h.level === 'aspect') {
    const a: Aspect = { id: h.id, code: h.code, title: h.title, aspect: Number(h.aspect) } as Aspect;
    if (h.heading) a.heading = h.heading;
    a.level = 'aspect';
    return a;
  }
  if (h.level === 'problem') {
    const p = { id: h.id, code: h.code, title: h.title, aspect: Number(h.aspect) } as Problem;
    if (h.heading) p.heading = h.heading;
    p.level = 'problem';
    p.number = Number(h.number);
    p.kind = h.kind as Kind;
    p.status = h.status as Status;
    return p;
  }
  const notesJson = h.notes ?? '[]';
  const m = {
    id: h.id,
    code: h.code,
    title: h.title,
    aspect: Number(h.aspect),
    level: 'measure',
    problemId: h.problemId,
    number: Number(h.number),
    kind: h.kind as Kind,
    leaders: JSON.parse(h.leaders ?? '[]') as string[],
    departments: JSON.parse(h.departments ?? '[]') as string[],
    owners: JSON.parse(h.owners ?? '[]') as string[],
    deadline: JSON.parse(h.deadline ?? '{"type":"longterm"}') as Deadline,
    status: h.status as Status,
    notes: lazyNotes ? [] : (JSON.parse(notesJson) as Note[]),
  } as Measure;
  if (lazyNotes) {
    // Decoded on first read; a write of the field replaces it (as on a plain property).
    let notes: Note[] | undefined;
    Object.defineProperty(m, 'notes', {
      get: () => (notes ??= JSON.parse(notesJson) as Note[]),
      set: (v: Note[]) => { notes = v; },
      enumerable: true, configurable: true,
    });
  }
  if (h.remark) m.remark = h.remark;
  if (h.extension) m.extension = JSON.parse(h.extension) as ExtensionRequest;
  if (h.extended && h.extended !== '0') m.extended = Number(h.extended);
  m.createdAt = h.createdAt;
  m.updatedAt = h.updatedAt;
  m.version = Number(h.version ?? 0);
  return m;
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
