import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Rejection } from './body.js';

/**
 * Minimal, strict XML for WeCom envelopes. Every value stays a string:
 * MsgId is a 64-bit integer (A2: 4561255354251345929) that a JS number
 * would silently round. DOCTYPE is refused outright (entity expansion).
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: () => false,
});

/** Parses `<xml>…</xml>` into a flat record of string fields; throws Rejection(400). */
export function parseXmlRecord(text: string): Record<string, string> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Rejection(400, 'xml_doctype');
  if (XMLValidator.validate(text) !== true) throw new Rejection(400, 'bad_xml');
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch {
    throw new Rejection(400, 'bad_xml');
  }
  const root = (doc as Record<string, unknown> | undefined)?.xml;
  if (!root || typeof root !== 'object') throw new Rejection(400, 'bad_xml');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Wraps text in CDATA, splitting any `]]>` so the section cannot be closed early. */
export function cdata(s: string): string {
  return `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}
