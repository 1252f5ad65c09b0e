import type { InspectionType } from '../../ledger/types.js';
import { parseDate } from '../../ledger/dates.js';
import type { Para } from './lines.js';

/** What a notice says about the inspection itself. */
export interface NoticeFacts {
  title?: string;
  org?: string;
  inspectionType?: InspectionType;
  inspectionGroup?: string;
  inspectionStart?: string;
  inspectionEnd?: string;
  feedbackDate?: string;
  /** 成文日期 below the signature. */
  signedDate?: string;
}

const DATE = String.raw`(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{8})`;

/** A date as notices write it (2021年4月13日, 2021-04-13, 20210413) → YYYY-MM-DD. */
export function noticeDate(s: string): string | null {
  return parseDate(s.replace(/\s/g, ''), '2000-01-01');
}

/** The title line: "…关于…整改…的通报" (also 公告/情况报告), site chrome around it ignored. */
export function findTitle(paras: Para[]): Para | undefined {
  const head = paras.slice(0, 12);
  const i = head.findIndex((p) => p.text.length <= 80 && /关于.*(巡视|巡察|整改).*(通报|公告|公布|报告)$/.test(p.text.replace(/\s/g, '')));
  if (i === -1) return undefined;
  // A title broken by hand: "株洲市芦淞区人民法院" / "关于巡察整改进展情况的通报".
  const prev = head[i - 1]?.text.replace(/\s/g, '') ?? '';
  const t = head[i];
  return i > 0 && !/关于/.test(prev) && isOrgLine(prev) && /^关于/.test(t.text) ? { ...t, text: `${prev}${t.text}` } : t;
}

/** The opening paragraph: the first one that says who inspected whom. */
export function findOpening(paras: Para[]): Para | undefined {
  return paras.find((p) => /(巡视|巡察)/.test(p.text) && /(对|向).{0,30}(开展|进行|反馈)/.test(p.text) && p.text.length > 30);
}

/** Facts from the title, the paragraphs before the body, and the signature. */
export function readFacts(paras: Para[], title: Para | undefined, signature?: { org?: string; date?: string }): NoticeFacts {
  const f: NoticeFacts = {};
  if (title) {
    f.title = title.text.replace(/\s/g, '');
    const org = f.title.match(/^(.+?)关于/)?.[1];
    if (org) f.org = cleanOrg(org);
  }
  // The facts sit in the first paragraphs that speak of the inspection (003: the opening; 001: under 一、).
  const text = paras.filter((p) => /(巡视|巡察)/.test(p.text)).slice(0, 6).map((p) => p.text).join('\n');
  const visits = (text.match(/巡视/g) ?? []).length;
  const patrols = (text.match(/巡察/g) ?? []).length;
  if (visits || patrols) f.inspectionType = visits > patrols ? '巡视' : '巡察';
  const period = text.match(new RegExp(`${DATE}\\s*(?:至|—|-|到)\\s*(${DATE}|\\d{1,2}\\s*月\\s*\\d{1,2}\\s*日)`));
  if (period) {
    f.inspectionStart = noticeDate(period[1]) ?? undefined;
    // "2020年11月5日至12月4日": the end takes the start's year.
    const end = /^\d{4}/.test(period[2]) ? period[2] : `${f.inspectionStart?.slice(0, 4)}年${period[2]}`;
    f.inspectionEnd = noticeDate(end) ?? undefined;
  }
  const group = text.match(/[，,、]\s*((?:[^，,。；;、\s]{0,16}?)(?:巡视|巡察)[^，,。；;\s]{0,8}?组)\s*(?:对|向|巡视|巡察)/);
  if (group) f.inspectionGroup = group[1];
  for (const m of text.matchAll(new RegExp(`${DATE}[，,]?\\s*([^。]*?)反馈`, 'g'))) {
    const d = noticeDate(m[1]);
    if (d && (!f.inspectionEnd || d >= f.inspectionEnd)) { f.feedbackDate = d; break; }
  }
  if (!f.org) {
    const whom = text.match(/(?:对|向)([^，,。对向]{2,30}?)党组(?:开展|进行|反馈)/)?.[1];
    if (whom && !/^我/.test(whom)) f.org = cleanOrg(whom);
  }
  if (signature?.org) f.org = cleanOrg(signature.org);
  if (signature?.date) f.signedDate = signature.date;
  return f;
}

/** 中共天津市第三中级人民法院党组 → 天津市第三中级人民法院; (…) stripped. */
export function cleanOrg(s: string): string {
  return s.replace(/^[（(]|[）)]$/g, '').replace(/^中共/, '').replace(/党组(织)?$/, '').trim();
}

/** The signature and date at the end: a short organisation line and a date line. */
export function findSignature(paras: Para[]): { org?: string; date?: string; from: number } | undefined {
  for (let i = paras.length - 1; i >= Math.max(0, paras.length - 12); i--) {
    const t = paras[i].text.replace(/\s/g, '');
    const d = /^\d{4}年\d{1,2}月\d{1,2}日$/.test(t) ? noticeDate(t) : null;
    const prev = paras[i - 1]?.text.replace(/\s/g, '') ?? '';
    if (d && isOrgLine(prev)) return { org: prev, date: d, from: i - 1 };
    if (!d && isOrgLine(t) && /^[（(].+[）)]$/.test(t)) return { org: t, from: i };
  }
  return undefined;
}

/** A short line naming an organisation (signature, first title line). */
export function isOrgLine(t: string): boolean {
  return t.length >= 4 && t.length <= 40 && !/[，,。；;：:]/.test(t) && /(院|委|局|厅|部|办|组|会|室|中心|公司|大学|学校|政府|检察院|党组)[）)]?$/.test(t);
}
