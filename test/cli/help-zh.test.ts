import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { displayWidth, translateCommanderError } from '../../src/cli/help-zh.js';

const bin = path.resolve('bin/rectify.js');

/** Parsing and help never reach Redis, so no REDIS_URL is needed. */
function rectify(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * The only ASCII words (3+ letters) a cadre may meet in the help: the program and command names,
 * file formats and product names, platform field names, and the demo's console user ids.
 */
const ALLOWED = new Set([
  'rectify', 'demo', 'status', 'history', 'bind', 'chat', 'ledger', 'users', 'notice', 'schedule', 'digest',
  'deliveries', 'reminders', 'link', 'sensitive', 'departments', 'help', 'import', 'evidence', 'add', 'list',
  'CSV', 'XLSX', 'JSON', 'PDF', 'Markdown', 'Word', 'Excel', 'cron',
  'conversationId', 'chatid',
  'office', 'leader', 'owner', 'supervisor', 'viewer',
]);

/** ASCII words left once option names (--dry-run, -h), placeholders (<id>) and file-type placeholders (FILE.csv) are taken out. */
function englishWords(help: string): string[] {
  const rest = help.replace(/(^|[\s（(|，])--?[a-z][a-z-]*/g, '$1').replace(/<[^>]*>/g, '').replace(/\b(FILE|NOTICE)\.[a-z]+\b/g, '');
  return [...new Set(rest.match(/[A-Za-z]{3,}/g) ?? [])].filter((w) => !ALLOWED.has(w));
}

describe('the CLI speaks Chinese', () => {
  it.each([[['--help']], [['ledger', 'import', '--help']], [['reminders', '--help']], [['evidence', 'add', '--help']]])('rectify %s has no English outside the allowlist', (args) => {
    const r = rectify(args);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^用法：rectify/);
    expect(r.out).toContain('选项：');
    expect(r.out).toContain('显示帮助');
    expect(englishWords(r.out)).toEqual([]);
    // Wrapped at CJK characters within 80 columns (wide characters count two), never before a comma or after an opening bracket.
    expect(r.out.split('\n').filter((l) => displayWidth(l) > 80)).toEqual([]);
    expect(r.out).not.toMatch(/[（《“]\n|\n\s*[，。、；：）]/);
    // A quoted example is never broken across lines (the reminders ladder once wrapped at “;10:…”).
    expect(r.out).not.toMatch(/"[^"\n]*\n[^"\n]*"/);
  }, 30000);

  it('counts wide characters as two columns', () => {
    expect(displayWidth('用法：rectify')).toBe(13);
    expect(displayWidth('\x1b[1m选项\x1b[22m')).toBe(4);
  });

  it('top-level help lists commands and the help command in Chinese; import help lists its argument', () => {
    expect(rectify(['--help']).out).toMatch(/命令：[\s\S]*help \[命令\]\s+显示某个命令的帮助/);
    expect(rectify(['ledger', 'import', '--help']).out).toMatch(/参数：\n\s+文件\s+台账文件/);
  }, 30000);

  it('the check itself catches an English word', () => {
    expect(englishWords('用法：rectify demo [选项]\n  --reset  reload it')).toEqual(['reload']);
  });

  it('commander errors come out in Chinese with exit code 1', () => {
    const unknown = rectify(['stauts']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe('错误：没有命令 stauts\n（是否想输入 status？）\n（加 --help 查看用法）\n');
    const missing = rectify(['history', '--ledger', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('错误：缺少参数 编号\n（加 --help 查看用法）\n');
    const option = rectify(['status', '--ledger', 'x', '--bogus']);
    expect(option.code).toBe(1);
    expect(option.err).toBe('错误：没有选项 --bogus\n（加 --help 查看用法）\n');
  }, 60000);

  it.each([
    ["error: required option '--ledger <id>' not specified\n", '错误：必须给出选项 --ledger <id>\n'],
    ["error: option '--as-of <日期>' argument missing\n", '错误：选项 --as-of <日期> 后面缺少取值\n'],
    ["error: too many arguments for 'history'. Expected 1 argument but got 2.\n", '错误：参数过多，应为 1 个，实际给了 2 个。\n'],
    ["error: unknown option '--ledgr'\n(Did you mean one of --ledger, --legacy?)\n", '错误：没有选项 --ledgr\n（是否想输入以下之一：--ledger、--legacy？）\n'],
    ['error: something new\n', '错误：something new\n'],
  ])('translates %j', (from, to) => {
    expect(translateCommanderError(from)).toBe(to);
  });
});
