import { distance } from 'fastest-levenshtein';
import { normalizeInput } from '../ledger/normalize.js';
import { parseCode } from '../ledger/codes.js';
import { statusPrefix } from '../ledger/status.js';
import type { CommandSpec } from './types.js';
import { COMMANDS } from './index.js';

export type Routed =
  | { kind: 'command'; spec: CommandSpec; args: string }
  | { kind: 'help'; topic?: string }
  | { kind: 'miss'; suggestion?: CommandSpec; input: string; hint?: string };

const HELP = ['帮助', 'help', '?', '？', '菜单', '指令', '命令', '怎么用', '使用说明'];

/** Strips a leading @mention (the bot's name) and normalises width and spacing. */
export function cleanText(raw: string): string {
  let t = normalizeInput(raw);
  while (/^@\S+/.test(t)) t = t.replace(/^@\S+\s*/, '');
  return t.trim();
}

function find(word: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === word || c.aliases.includes(word));
}

/**
 * Text → a command. Order: help; "<keyword> <args>" (keyword may be glued to
 * its argument: "查看二.3"); natural phrasing ("3.2 已完成，制度已印发", a bare
 * code); otherwise a miss with the nearest command.
 */
export function route(text: string): Routed {
  const t = cleanText(text);
  if (!t || HELP.includes(t.toLowerCase())) return { kind: 'help' };
  const hm = t.match(/^(?:帮助|help)\s*(.+)$/i);
  if (hm) return { kind: 'help', topic: hm[1] };
  const sp = t.indexOf(' ');
  const head = sp === -1 ? t : t.slice(0, sp);
  const rest = sp === -1 ? '' : t.slice(sp + 1).trim();
  const exact = find(head);
  if (exact) return { kind: 'command', spec: exact, args: rest };
  // Keyword glued to the argument: 查看二.3, 临期30, 部门政治部.
  const names = COMMANDS.flatMap((c) => [c.name, ...c.aliases].map((n) => [n, c] as const)).sort((a, b) => b[0].length - a[0].length);
  for (const [n, c] of names) {
    if (n.length >= 2 && t.startsWith(n)) return { kind: 'command', spec: c, args: t.slice(n.length).trim() };
  }
  const natural = routeNatural(head, rest);
  if (natural) return natural;
  return { kind: 'miss', suggestion: nearest(head), input: t };
}

function routeNatural(head: string, rest: string): Routed | undefined {
  // A code, optionally glued to a status word: "3.2已完成…"
  const glued = head.match(/^(.+?)(已完成|完成|长期坚持|推进中|正在|已办结|已落实|整改到位)(.*)$/);
  let code = head;
  let tail = rest;
  if (!parseCode(head) && glued && parseCode(glued[1])) {
    code = glued[1];
    tail = `${glued[2]}${glued[3]} ${rest}`.trim();
  }
  if (!parseCode(code)) return undefined;
  if (!tail) return { kind: 'command', spec: find('查看')!, args: code };
  const sp = statusPrefix(tail);
  if (!sp) {
    // "3.2 情况怎么样" asks; "3.2 制度已印发" probably reports, but we never write on a guess.
    if (/[?？吗呢]|怎么样|如何|进展情况|什么情况|谁负责/.test(tail)) return { kind: 'command', spec: find('查看')!, args: code };
    return {
      kind: 'miss', suggestion: find('进展'), input: `${code} ${tail}`,
      hint: `如要记录进展，请发送：进展 ${code} ${tail}；如已完成，请发送：完成 ${code} ${tail}`,
    };
  }
  if (sp.status === '已完成') return { kind: 'command', spec: find('完成')!, args: `${code} ${sp.rest || ''}`.trim() };
  if (sp.status === '已完成并长期坚持') return { kind: 'command', spec: find('完成')!, args: `${code} 长期坚持 ${sp.rest}`.trim() };
  if (['推进中', '阶段性完成', '基本完成'].includes(sp.status)) {
    return { kind: 'command', spec: find('进展')!, args: `${code} ${tail}` };
  }
  return undefined;
}

/** The command whose keyword is closest to what was typed. */
export function nearest(word: string): CommandSpec | undefined {
  let best: { spec: CommandSpec; d: number } | undefined;
  for (const c of COMMANDS) {
    for (const n of [c.name, ...c.aliases]) {
      const d = distance(word.slice(0, n.length + 1), n) / Math.max(n.length, 1);
      const contains = word.includes(n) || n.includes(word);
      const score = contains ? 0 : d;
      if (score <= 0.5 && (!best || score < best.d)) best = { spec: c, d: score };
    }
  }
  return best?.spec;
}
