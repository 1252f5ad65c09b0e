import { describe, expect, it } from 'vitest';
import JSZip from 'jszip';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { buildNotice } from '../../src/notice/model.js';
import { FONTS_GBK, renderNoticeDocx } from '../../src/notice/docx.js';

async function parts(buf: Buffer) {
  const zip = await JSZip.loadAsync(buf);
  const read = (p: string) => zip.file(p)!.async('string');
  const rels = await read('word/_rels/document.xml.rels');
  const doc = await read('word/document.xml');
  const footerOf = async (type: string) => {
    const rid = doc.match(new RegExp(`<w:footerReference w:type="${type}" r:id="(\\w+)"/>`))![1];
    const target = rels.match(new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"`))?.[1] ?? rels.match(new RegExp(`Target="([^"]+)"[^>]*Id="${rid}"`))![1];
    return read(`word/${target}`);
  };
  return { doc, settings: await read('word/settings.xml'), odd: await footerOf('default'), even: await footerOf('even') };
}

/** The paragraphs of document.xml with their properties and text. */
function paragraphs(xml: string) {
  return [...xml.matchAll(/<w:p>([\s\S]*?)<\/w:p>/g)].map(([, p]) => ({
    xml: p,
    text: [...p.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(''),
    font: p.match(/<w:rFonts ([^>]*)\/>/)?.[1] ?? '',
    size: p.match(/<w:sz w:val="(\d+)"/)?.[1],
  }));
}

describe('notice .docx (GB/T 9704-2012)', async () => {
  const n = buildNotice(buildDemoDoc(), '2021-07-09');
  const { doc, settings, odd, even } = await parts(await renderNoticeDocx(n));
  const ps = paragraphs(doc);

  it('A4 page, the standard margins, no character grid', () => {
    expect(doc).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(doc).toMatch(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/);
    expect(doc).not.toMatch(/<w:docGrid[^>]*w:type=/);
  });

  it('every paragraph has exact 579-twip line spacing; body runs 3号 with −5 character spacing and eastAsia fonts', () => {
    expect(ps.length).toBe(n.titleLines.length + 1 + n.blocks.length + 3);
    for (const p of ps) expect(p.xml).toMatch(/<w:spacing w:after="0" w:before="0" w:line="579" w:lineRule="exact"\/>/);
    const body = ps.slice(n.titleLines.length).filter((p) => p.text);
    for (const p of body) {
      expect(p.size).toBe('32');
      expect(p.xml).toContain('<w:spacing w:val="-5"/>');
      expect(p.font).toContain('w:hint="eastAsia"');
      expect(p.xml).toContain('<w:lang w:val="zh-CN" w:eastAsia="zh-CN"/>');
    }
    // Body paragraphs keep the grid: no widow/orphan control, no automatic gap between Chinese and digits.
    for (const p of ps.slice(n.titleLines.length + 1, -3)) {
      expect(p.xml).toContain('<w:widowControl w:val="false"/>');
      expect(p.xml).toContain('<w:autoSpaceDN w:val="false"/>');
    }
    const para = ps.find((p) => p.text.startsWith('按照区委'))!;
    expect(para.xml).toContain('<w:ind w:firstLine="640"/>');
    expect(para.font).toContain('w:eastAsia="仿宋_GB2312"');
  });

  it('title 2号 方正小标宋简体 centred, broken as the model says; headings 黑体 / 楷体 / 仿宋', () => {
    const title = ps.slice(0, n.titleLines.length);
    expect(title.map((p) => p.text)).toEqual(['株洲市芦淞区人民法院', '关于巡察整改进展情况的通报']);
    for (const p of title) {
      expect(p.size).toBe('44');
      expect(p.font).toContain('w:eastAsia="方正小标宋简体"');
      expect(p.xml).toContain('<w:jc w:val="center"/>');
    }
    const fontOf = (start: string) => ps.find((p) => p.text.startsWith(start))!.font.match(/w:eastAsia="([^"]+)"/)![1];
    expect(fontOf('一、组织整改落实情况')).toBe('黑体');
    expect(fontOf('（一）强化领导抓整改')).toBe('楷体_GB2312');
    expect(fontOf('1.贯彻落实上级决策部署')).toBe('仿宋_GB2312');
    expect(fontOf('整改情况：（1）')).toBe('仿宋_GB2312');
  });

  it('signature 右空二字 and the date below it, Arabic numerals without leading zeros', () => {
    const last = ps.slice(-3);
    expect(last[0].text).toBe('');
    expect(last[1].text).toBe('株洲市芦淞区人民法院');
    expect(last[1].xml).toContain('<w:ind w:right="630"/>');
    expect(last[2].text).toBe('2021年7月9日');
    expect(last[2].xml).toContain('<w:ind w:right="1260"/>');
    for (const p of last.slice(1)) expect(p.xml).toContain('<w:jc w:val="right"/>');
  });

  it('page numbers "— N —" 4号宋体, odd pages right and even pages left, with even/odd footers switched on', () => {
    expect(settings).toContain('<w:evenAndOddHeaders/>');
    for (const [f, side] of [[odd, 'right'], [even, 'left']] as const) {
      expect(f).toContain(`<w:jc w:val="${side}"/>`);
      expect(f).toContain(`<w:ind w:${side}="280"/>`);
      expect(f).toContain('<w:sz w:val="28"/>');
      expect(f).toContain('w:eastAsia="宋体"');
      expect(f).toMatch(/<w:t xml:space="preserve">— <\/w:t>[\s\S]*PAGE[\s\S]*<w:t xml:space="preserve"> —<\/w:t>/);
    }
  });

  it('takes another typeface set (方正…_GBK)', async () => {
    const gbk = await parts(await renderNoticeDocx(n, FONTS_GBK));
    expect(gbk.doc).toContain('w:eastAsia="方正小标宋_GBK"');
    expect(gbk.doc).toContain('w:eastAsia="方正仿宋_GBK"');
    expect(gbk.doc).not.toContain('仿宋_GB2312');
  });
});
