/**
 * The notice as a Word file in the official-document format of GB/T 9704-2012
 * (A4, 版心 156×225 mm, 22 lines of 28 characters of 3号仿宋), built with
 * `docx` 9.7.1. Model code: hehecat/gongwen (docxBuilder.ts, constants/gongwen.ts).
 */
import { AlignmentType, Document, Footer, LineRuleType, Packer, PageNumber, Paragraph, TextRun, type IRunOptions } from 'docx';
import type { NoticeModel } from './model.js';

/** The typefaces by role, as eastAsia font names. Provinces differ (方正…_GBK), so it is a parameter. */
export interface NoticeFonts {
  title: string;
  body: string;
  h1: string;
  h2: string;
  pageNumber: string;
}

export const FONTS_GB2312: NoticeFonts = { title: '方正小标宋简体', body: '仿宋_GB2312', h1: '黑体', h2: '楷体_GB2312', pageNumber: '宋体' };
export const FONTS_GBK: NoticeFonts = { title: '方正小标宋_GBK', body: '方正仿宋_GBK', h1: '方正黑体_GBK', h2: '方正楷体_GBK', pageNumber: '宋体' };
export const FONT_SETS: Record<string, NoticeFonts> = { gb2312: FONTS_GB2312, gbk: FONTS_GBK };

/** GB/T 9704-2012 figures in twips (1/20 pt) and half-points. */
export const GONGWEN = {
  page: { width: 11906, height: 16838 },
  margin: { top: 2098, bottom: 1984, left: 1587, right: 1474 },
  /** Footer distance so "— 1 —" sits about 7 mm below the type area. */
  footer: 1247,
  /** 3号 = 16 pt; 2号 = 22 pt; 4号 = 14 pt (docx sizes are half-points). */
  bodySize: 32, titleSize: 44, pageNumberSize: 28,
  /** 225 mm / 22 lines = 28.95 pt, exact. */
  line: 579,
  /** −0.25 pt per character: 28 characters of 15.75 pt fill the 156 mm line. */
  characterSpacing: -5,
  /** Two characters of 3号. */
  firstLine: 640,
  /** One 3号 character (with the spacing), for the signature's 右空二字. */
  char: 315,
} as const;

function font(name: string): IRunOptions['font'] {
  return { ascii: name, hAnsi: name, eastAsia: name, cs: name, hint: 'eastAsia' };
}

function run(text: string, face: string, size: number = GONGWEN.bodySize, extra: Partial<IRunOptions> = {}): TextRun {
  return new TextRun({
    text, font: font(face), size, characterSpacing: GONGWEN.characterSpacing,
    language: { value: 'zh-CN', eastAsia: 'zh-CN' }, ...extra,
  });
}

const spacing = { line: GONGWEN.line, lineRule: LineRuleType.EXACT, before: 0, after: 0 } as const;
// Widow/orphan control would push lines to the next page and break the 22-lines-a-page grid;
// the automatic gap between Chinese and digits would shift characters off the 28-a-line grid.
const flow = { widowControl: false, autoSpaceEastAsianText: false } as const;

/** Width of text in 3号 characters: CJK and full-width count 1, ASCII digits and letters ½. */
export function textWidthChars(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\x20-\x7e]/.test(ch) ? 0.5 : 1;
  return w;
}

/**
 * §7.3.5.2 (no seal): signature 右空二字; the date one line below, its first
 * character two to the right of the signature's; if the date is the longer,
 * the date keeps 右空二字 and the signature moves left. Returns right indents in characters.
 */
export function signatureIndents(signature: string, date: string): { signature: number; date: number } {
  const s = textWidthChars(signature);
  const d = textWidthChars(date);
  const dateRight = s - d;
  if (dateRight >= 2) return { signature: 2, date: dateRight };
  return { signature: 2 + (2 - dateRight), date: 2 };
}

function pageNumberFooter(align: 'right' | 'left', fonts: NoticeFonts): Footer {
  // 4号半角宋体 "— 1 —", 单页码居右空一字, 双页码居左空一字.
  const one = 280;
  const r = (children: Array<string | (typeof PageNumber)[keyof typeof PageNumber]>) =>
    new TextRun({ children, font: font(fonts.pageNumber), size: GONGWEN.pageNumberSize, language: { value: 'zh-CN', eastAsia: 'zh-CN' } });
  return new Footer({
    children: [new Paragraph({
      alignment: align === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
      indent: align === 'right' ? { right: one } : { left: one },
      children: [r(['— ', PageNumber.CURRENT, ' —'])],
    })],
  });
}

/** Builds the Word document; `fonts` picks the typeface set (default 方正小标宋简体 / 仿宋_GB2312 / 楷体_GB2312 / 黑体). */
export function noticeDocument(n: NoticeModel, fonts: NoticeFonts = FONTS_GB2312): Document {
  const body = (text: string, face = fonts.body, bold = false) => new Paragraph({
    spacing, ...flow, indent: { firstLine: GONGWEN.firstLine }, alignment: AlignmentType.JUSTIFIED,
    children: [run(text, face, GONGWEN.bodySize, bold ? { bold: true } : {})],
  });
  const children: Paragraph[] = [];
  for (const line of n.titleLines) {
    children.push(new Paragraph({ spacing, alignment: AlignmentType.CENTER, children: [run(line, fonts.title, GONGWEN.titleSize)] }));
  }
  children.push(new Paragraph({ spacing, children: [] })); // 标题下空一行
  for (const b of n.blocks) {
    if (b.kind === 'h1') children.push(body(b.text, fonts.h1));
    else if (b.kind === 'h2') children.push(body(b.text, fonts.h2));
    else children.push(body(b.text));
  }
  const ind = signatureIndents(n.signature, n.date);
  const right = (text: string, chars: number) => new Paragraph({
    spacing, ...flow, alignment: AlignmentType.RIGHT, indent: { right: Math.round(chars * GONGWEN.char) }, children: [run(text, fonts.body)],
  });
  children.push(new Paragraph({ spacing, children: [] })); // 正文下空一行
  children.push(right(n.signature, ind.signature), right(n.date, ind.date));

  return new Document({
    creator: 'rectify-bot', title: n.title, evenAndOddHeaderAndFooters: true,
    styles: { default: { document: { run: { font: font(fonts.body), size: GONGWEN.bodySize, language: { value: 'zh-CN', eastAsia: 'zh-CN' } } } } },
    sections: [{
      properties: {
        page: {
          size: { width: GONGWEN.page.width, height: GONGWEN.page.height },
          margin: { ...GONGWEN.margin, header: 851, footer: GONGWEN.footer, gutter: 0 },
        },
      },
      footers: { default: pageNumberFooter('right', fonts), even: pageNumberFooter('left', fonts) },
      children,
    }],
  });
}

/** The .docx bytes. */
export async function renderNoticeDocx(n: NoticeModel, fonts: NoticeFonts = FONTS_GB2312): Promise<Buffer> {
  return Packer.toBuffer(noticeDocument(n, fonts));
}
