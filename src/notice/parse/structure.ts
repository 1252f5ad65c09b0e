import type { Kind, Status } from '../../ledger/types.js';
import { noticeStatus } from '../words.js';
import { splitEnumeration, stripItemMarker, type Para } from './lines.js';

export interface ParsedMeasure { text: string; status?: Status; para: number }
export interface ParsedProblem {
  /** The number the notice gives it (none for 001's unnumbered 举一反三 items). */
  number?: number;
  title: string;
  kind: Kind;
  /** As stated ("整改完成进度：…"); undefined when the notice does not say. */
  status?: Status;
  /** The 整改意见 a feedback problem answers (001: 和“…”整改意见). */
  advice?: string;
  measures: ParsedMeasure[];
  para: number;
}
export interface ParsedAspect { number: number; title: string; problems: ParsedProblem[]; para: number }
export interface Unplaced { para: number; text: string }
export interface NoticeStructure { aspects: ParsedAspect[]; unplaced: Unplaced[] }

type Role = 'org' | 'container' | 'next' | 'aspect';

/** What a 一、 section is, by its words (a heading starting 关于 is always an aspect: 000). */
export function sectionRole(title: string): Role {
  const t = title.replace(/\s/g, '');
  if (/^关于/.test(t)) return 'aspect';
  if (/下一步|巩固.*成果|存在的主要问题|今后/.test(t)) return 'next';
  if (/(反馈|巡视|巡察).*(问题|意见).*(整改|落实)|整改进度|整改进展/.test(t)) return 'container';
  if (/组织整改|主体责任情况|整改工作开展|组织领导|整改落实情况$|工作情况$/.test(t)) return 'org';
  return 'aspect';
}

const END = /^(下一步|欢迎广大|请广大|责任编辑|联系我们)/;
const STATUS_LINE = /^(?:整改完成进度|整改进度|完成进度|整改状态|办理进度)\s*[:：]\s*(.+)$/;
const MEASURE_LINE = /^(?:整改完成情况|整改落实情况|整改情况|整改措施|落实情况|完成情况|办理情况)\s*[:：]\s*(.*)$/;
const SELF_FOUND = /^针对“举一反三”整改事项“(.+?)”问题/;

/** A heading's kind and title in the seeds' and our own notice's phrasing. */
export function problemOf(raw: string): { kind: Kind; title: string; advice?: string } {
  const t = raw.replace(/[，,]\s*进行以下整改[。.]?$/, '').trim();
  let m = t.match(SELF_FOUND);
  if (m) return { kind: '举一反三', title: m[1] };
  if ((m = t.match(/^落实“(.+)”整改意见/))) return { kind: '整改意见', title: m[1] };
  if ((m = t.match(/^推动改革、?促进发展事项“(.+)”/))) return { kind: '推动改革促进发展', title: m[1] };
  if ((m = t.match(/^信访件“(.+)”办理情况/))) return { kind: '信访件', title: m[1] };
  if ((m = t.match(/^问题线索“(.+)”处置情况/))) return { kind: '问题线索', title: m[1] };
  if ((m = t.match(/^关于“(.+)”问题的?整改(?:情况)?[。.]?$/))) return { kind: '反馈问题', title: m[1] };
  // 001: 针对X方面存在的问题和“Y”整改意见 / 针对“X”问题.
  if ((m = t.match(/^针对(.+?方面存在的问题)和“(.+)”整改意见[。.]?$/))) return { kind: '反馈问题', title: m[1], advice: m[2] };
  if ((m = t.match(/^针对“(.+)”问题[。.]?$/))) return { kind: '反馈问题', title: m[1] };
  return { kind: '反馈问题', title: t.replace(/[。.；;]+$/, '') };
}

/** 关于“X”问题的整改情况 → X. */
export function aspectTitle(raw: string): string {
  const t = raw.replace(/[。.]$/, '').trim();
  return t.match(/^关于“(.+)”问题(?:的整改(?:情况)?)?$/)?.[1] ?? t;
}

function measuresOf(text: string, para: number): ParsedMeasure[] {
  const { preface, items } = splitEnumeration(text);
  const list = preface && items.length ? [`${preface}${items[0]}`, ...items.slice(1)] : items;
  return list.map((raw) => {
    let s = stripItemMarker(raw).replace(/[；;]$/, '。');
    const st = s.match(/该项(.{2,12}?)。?$/);
    const status = st ? noticeStatus(st[1]) ?? undefined : undefined;
    if (status) s = s.slice(0, st!.index).trim();
    return { text: s, para, ...(status ? { status } : {}) };
  }).filter((m) => m.text);
}

/** Reads aspects, problems and measures from the body paragraphs [from, to). */
export function readStructure(paras: Para[], from: number, to: number): NoticeStructure {
  const body = paras.slice(from, to);
  const endAt = body.findIndex((p, i) => i > 0 && END.test(p.text) && p.marker === 'none');
  const inBody = endAt === -1 ? body : body.slice(0, endAt);
  const unplaced: Unplaced[] = [];
  const cn = inBody.filter((p) => p.marker === 'cn');
  const regions: Array<{ head?: Para; paras: Para[] }> = [];
  const span = (h: Para) => inBody.slice(inBody.indexOf(h) + 1, cn[cn.indexOf(h) + 1] ? inBody.indexOf(cn[cn.indexOf(h) + 1]) : inBody.length);
  const containers = cn.filter((h) => sectionRole(h.rest) === 'container');
  if (containers.length) {
    for (const c of containers) {
      const inner = span(c);
      const heads = inner.filter((p) => p.marker === 'pcn');
      if (!heads.length) regions.push({ head: { ...c, rest: c.rest }, paras: inner });
      else {
        inner.slice(0, inner.indexOf(heads[0])).forEach((p) => unplaced.push({ para: p.index, text: p.text }));
        heads.forEach((h, i) => regions.push({ head: h, paras: inner.slice(inner.indexOf(h) + 1, heads[i + 1] ? inner.indexOf(heads[i + 1]) : inner.length) }));
      }
    }
  } else {
    for (const h of cn.filter((x) => sectionRole(x.rest) === 'aspect')) regions.push({ head: h, paras: span(h) });
  }
  const aspects: ParsedAspect[] = [];
  regions.forEach((r, ai) => {
    const aspect: ParsedAspect = { number: ai + 1, title: aspectTitle(r.head?.rest ?? ''), problems: [], para: r.head?.index ?? -1 };
    const marker = r.paras.some((p) => p.marker === 'num') ? 'num' : r.head?.marker === 'cn' && r.paras.some((p) => p.marker === 'pcn') ? 'pcn' : null;
    let cur: ParsedProblem | undefined;
    for (const p of r.paras) {
      const isHead = (marker && p.marker === marker) || SELF_FOUND.test(p.text);
      if (isHead) {
        const raw = p.marker === marker ? p.rest : p.text;
        // 000: "（一）狠抓政治理论学习。健全……" — the heading is the first sentence, the rest is what was done.
        const cut = raw.search(/[。]/);
        const headText = cut > 0 && cut < raw.length - 1 && !SELF_FOUND.test(raw) ? raw.slice(0, cut + 1) : raw;
        const { kind, title, advice } = problemOf(headText);
        cur = { ...(p.marker === marker ? { number: p.no } : {}), title, kind, ...(advice ? { advice } : {}), measures: [], para: p.index };
        aspect.problems.push(cur);
        if (headText !== raw) cur.measures.push(...measuresOf(raw.slice(headText.length), p.index));
        continue;
      }
      if (!cur) { unplaced.push({ para: p.index, text: p.text }); continue; }
      const st = p.text.match(STATUS_LINE);
      if (st) {
        const s = noticeStatus(st[1]);
        if (s) cur.status = s;
        else unplaced.push({ para: p.index, text: p.text });
        continue;
      }
      const ml = p.text.match(MEASURE_LINE);
      cur.measures.push(...measuresOf(ml ? ml[1] : p.text, p.index));
    }
    aspects.push(aspect);
  });
  return { aspects, unplaced };
}
