/**
 * `users import FILE.csv`: the user directory as a CSV with headers
 * platform, userId, name, department, role, ledger (or 平台, 用户ID, 姓名, 部门,
 * 角色, 台账). Roles are per ledger: a row with a ledger (one id, or several
 * separated by 、 ; or spaces) gives the role on those ledgers; an empty ledger
 * means every ledger, as before the column existed. One person may have
 * several rows, one per ledger. 管理员 (admin) is global: office everywhere.
 */
import type { Platform } from '../core/message.js';
import type { Role, User } from '../store/directory.js';
import { normalizeInput } from '../ledger/normalize.js';
import type { ImportError } from './csv.js';
import { decodeText, isBlankRow, tryReadCsv } from './csv.js';

type UserField = 'platform' | 'userId' | 'name' | 'department' | 'role' | 'ledger';

const HEADERS: Record<UserField, string[]> = {
  platform: ['platform', '平台'],
  userId: ['userid', 'user_id', 'id', '用户id', '用户账号', '账号', 'staffid'],
  name: ['name', '姓名', '名字'],
  department: ['department', 'dept', '部门', '所在部门', '单位'],
  role: ['role', '角色'],
  ledger: ['ledger', 'ledgers', 'ledgerid', 'ledger_id', '台账', '台账id', '所属台账'],
};

const PLATFORM_WORDS: Record<string, Platform> = {
  console: 'console', 控制台: 'console', 命令行: 'console',
  dingtalk: 'dingtalk', 钉钉: 'dingtalk',
  wecom: 'wecom', wework: 'wecom', 企业微信: 'wecom', 企微: 'wecom',
};

const ROLE_WORDS: Record<string, Role> = {
  office: 'office', 整改办: 'office', 领导小组办公室: 'office', 办公室: 'office',
  leader: 'leader', 责任领导: 'leader', 领导: 'leader',
  owner: 'owner', 责任人: 'owner', 责任部门: 'owner',
  supervisor: 'supervisor', 纪检: 'supervisor', 纪检监察: 'supervisor', 派驻纪检监察组: 'supervisor', 监督: 'supervisor',
  viewer: 'viewer', 成员: 'viewer', 查看: 'viewer', 普通成员: 'viewer',
};

const key = (s: string) => normalizeInput(s).replace(/\s/g, '').toLowerCase();

/** Maps a platform word (dingtalk, 钉钉, 企业微信, 企微 …) to a Platform; null when unknown. */
export function parsePlatform(word: string): Platform | null {
  return PLATFORM_WORDS[key(word)] ?? null;
}

const ADMIN_WORDS = new Set(['admin', '管理员', '系统管理员', '超级管理员']);

/** Maps a role word (office, 整改办, 责任领导, 纪检, 成员 …) to a Role; '' → viewer; null when unknown. */
export function parseRole(word: string): Role | null {
  const k = key(word);
  return k ? (ROLE_WORDS[k] ?? null) : 'viewer';
}

/** A role word, or `admin` (管理员) for the global administrator; null when unknown. */
export function parseRoleOrAdmin(word: string): Role | 'admin' | null {
  return ADMIN_WORDS.has(key(word)) ? 'admin' : parseRole(word);
}

/** Splits a ledger cell into ids ('' → [] = every ledger); null when an id is not a valid ledger id. */
export function parseLedgerCell(cell: string): string[] | null {
  const ids = cell.split(/[、,，;；|\s]+/).map((x) => x.trim()).filter(Boolean);
  return ids.every((id) => /^[\w.-]{1,64}$/.test(id)) ? ids : null;
}

/** Outcome of a user-directory import: every user, or the reasons (by row) why not. */
export type UsersImportResult =
  | { ok: true; users: User[]; warnings: string[] }
  | { ok: false; errors: ImportError[] };

const CN: Record<UserField, string> = { platform: '平台', userId: '用户ID', name: '姓名', department: '部门', role: '角色', ledger: '台账' };

/** One person's rows, folded into one User. */
interface Entry { user: User; row: number; scopes: Map<string, number> }

/**
 * Parses a user-directory CSV (text or bytes; UTF-8/BOM/GBK). The first row
 * is the header (row 1). platform, userId and name are required per row; an
 * empty role means viewer (成员); an empty ledger means every ledger. Rows of
 * one account are merged (the same name throughout); the same account twice
 * for the same ledger (or twice for every ledger) is an error. A bad row
 * refuses the whole file.
 */
export function parseUsersCsv(input: string | Uint8Array): UsersImportResult {
  const read = tryReadCsv(typeof input === 'string' ? input : decodeText(input));
  if (!read.ok) return read;
  const [header, ...data] = read.rows;
  if (!header) return { ok: false, errors: [{ row: 1, message: '文件是空的。第一行应为表头：平台、用户ID、姓名、部门、角色、台账（台账可省略）。' }] };
  const col: Partial<Record<UserField, number>> = {};
  const warnings: string[] = [];
  header.cells.forEach((cell, i) => {
    const f = (Object.keys(HEADERS) as UserField[]).find((x) => HEADERS[x].includes(key(cell)));
    if (f && col[f] === undefined) col[f] = i;
    else if (cell.trim()) warnings.push(`第1行的列“${cell.trim()}”无法识别或重复，已忽略。`);
  });
  const missing = (['platform', 'userId', 'name'] as UserField[]).filter((f) => col[f] === undefined);
  if (missing.length) {
    return { ok: false, errors: [{ row: 1, message: `表头缺少必需的列：${missing.map((f) => `${CN[f]}（${f}）`).join('、')}。` }] };
  }
  const entries = new Map<string, Entry>();
  const errors: ImportError[] = [];
  for (const r of data) {
    if (isBlankRow(r.cells)) continue;
    const get = (f: UserField) => (col[f] === undefined ? '' : normalizeInput(r.cells[col[f]!] ?? ''));
    const bad = (message: string) => errors.push({ row: r.row, message });
    const [p, userId, name, role, ledgerCell] = [get('platform'), get('userId'), get('name'), get('role'), get('ledger')];
    const platform = parsePlatform(p);
    const parsedRole = parseRoleOrAdmin(role);
    const ledgers = parseLedgerCell(ledgerCell);
    if (!p) bad('缺少平台，应为钉钉、企业微信或控制台。');
    else if (!platform) bad(`无法识别的平台“${p}”，应为钉钉（dingtalk）、企业微信（wecom）或控制台（console）。`);
    if (!userId) bad('缺少用户ID。');
    if (!name) bad('缺少姓名。');
    if (!parsedRole) bad(`无法识别的角色“${role}”，应为整改办、责任领导、责任人、纪检、成员或管理员。`);
    if (!ledgers) bad(`台账“${ledgerCell}”无效：台账ID由字母、数字、短横线组成，多个台账用顿号分隔。`);
    if (parsedRole === 'admin' && ledgers?.length) bad('管理员适用于全部台账，台账一栏应留空。');
    if (!platform || !userId || !name || !parsedRole || !ledgers || (parsedRole === 'admin' && ledgers.length)) continue;
    const id = `${platform}:${userId}`;
    let e = entries.get(id);
    if (!e) {
      e = { user: { platform, userId, name, department: get('department'), role: 'viewer' }, row: r.row, scopes: new Map() };
      entries.set(id, e);
    }
    const scopes = ledgers.length ? ledgers : [''];
    const dup = scopes.find((L) => e.scopes.has(L));
    if (dup !== undefined) {
      const first = e.scopes.get(dup);
      bad(dup ? `与第${first}行重复：用户ID“${userId}”在台账“${dup}”上出现了两次。` : `与第${first}行重复：同一平台的用户ID“${userId}”出现了两次。`);
      continue;
    }
    if (e.user.name !== name) {
      bad(`与第${e.row}行是同一账号“${userId}”，但姓名不一致（“${e.user.name}”与“${name}”）。`);
      continue;
    }
    if (!e.user.department) e.user.department = get('department');
    for (const L of scopes) {
      e.scopes.set(L, r.row);
      if (parsedRole === 'admin') {
        e.user.admin = true;
        e.user.role = 'office';
      } else if (L) (e.user.ledgers ??= {})[L] = parsedRole;
      else e.user.role = parsedRole;
    }
  }
  if (errors.length) return { ok: false, errors: errors.sort((a, b) => a.row - b.row) };
  if (entries.size === 0) return { ok: false, errors: [{ row: 0, message: '文件里没有任何用户（表头下面是空的）。' }] };
  return { ok: true, users: [...entries.values()].map((e) => e.user), warnings };
}
