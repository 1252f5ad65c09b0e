import { Help, type Command, type Option } from 'commander';

const TITLES: Record<string, string> = {
  'Usage:': '用法：', 'Options:': '选项：', 'Commands:': '命令：', 'Arguments:': '参数：', 'Global Options:': '全局选项：',
};

/** Commander's own words in usage lines and subcommand terms. */
const words = (s: string) => s.replace(/\[options\]/g, '[选项]').replace(/\[command\]/g, '[命令]');

/** Commander's error messages (lib/command.js, lib/suggestSimilar.js) in Chinese; anything unforeseen keeps its text after “错误：”. */
export function translateCommanderError(msg: string): string {
  const rules: Array<[RegExp, string]> = [
    [/^error: unknown option '([^']*)'/, '错误：没有选项 $1'],
    [/^error: unknown command '([^']*)'/, '错误：没有命令 $1'],
    [/^error: missing required argument '([^']*)'/, '错误：缺少参数 $1'],
    [/^error: option '([^']*)' argument missing/, '错误：选项 $1 后面缺少取值'],
    [/^error: required option '([^']*)' not specified/, '错误：必须给出选项 $1'],
    [/^error: too many arguments(?: for '([^']*)')?\. Expected (\d+) arguments? but got (\d+)\./, '错误：参数过多，应为 $2 个，实际给了 $3 个。'],
    [/^error: (.*) cannot be used with (.*)$/m, '错误：$1 不能与 $2 同时使用'],
    [/\n\(Did you mean ([^?]*)\?\)/, '\n（是否想输入 $1？）'],
    [/^error: /, '错误：'],
  ];
  let out = msg.replace(/\n\(Did you mean one of ([^?]*)\?\)/, (_m, list: string) => `\n（是否想输入以下之一：${list.split(', ').join('、')}？）`);
  for (const [re, to] of rules) out = out.replace(re, to);
  return out;
}

/** Option descriptions with commander's “(default: …)” in Chinese. */
function optionDescription(this: Help, option: Option): string {
  return Help.prototype.optionDescription.call(this, option)
    .replace(/ ?\(default: ("?)([^")]*)\1\)$/, '（默认：$2）');
}

/** Wide (CJK, full-width) characters take two terminal columns; commander counts every character as one, which breaks the columns. */
export function displayWidth(str: string): number {
  let w = 0;
  // eslint-disable-next-line no-control-regex
  for (const ch of str.replace(/\x1b\[[\d;]*m/g, '')) w += /[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

const NO_LINE_START = /^[，。、；：？！）》」』”]$/;
const NO_LINE_END = /^[（《「『“]$/;

/** Wraps at any CJK character as well as at spaces (commander wraps only at spaces, and Chinese has none). */
function boxWrap(str: string, width: number): string {
  return str.split('\n').map((line) => {
    const out: string[] = [];
    let cur = '';
    for (const tok of line.match(/[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+/g) ?? []) {
      if (cur && displayWidth(cur + tok) > width && !/^\s+$/.test(tok) && !NO_LINE_START.test(tok)) {
        // An opening bracket goes down with what it opens.
        const open = NO_LINE_END.test(cur.slice(-1)) ? cur.slice(-1) : '';
        out.push(cur.slice(0, cur.length - open.length).trimEnd());
        cur = open + tok;
      } else cur += tok;
    }
    out.push(cur.trimEnd());
    return out.join('\n');
  }).join('\n');
}

/**
 * Puts the program and every subcommand's help and error output into Chinese:
 * section titles, commander's own help option and help command, “(default: …)”,
 * its error messages, and a pointer to --help after an error. Call it once,
 * after every command is registered (commander copies settings only to commands created later).
 */
export function localizeCommander(cmd: Command): void {
  cmd.configureHelp({
    styleTitle: (t: string) => TITLES[t] ?? t,
    commandUsage(this: Help, c: Command) { return words(Help.prototype.commandUsage.call(this, c)); },
    subcommandTerm(this: Help, c: Command) { return words(Help.prototype.subcommandTerm.call(this, c)); },
    optionDescription,
    displayWidth,
    boxWrap,
    // “用法：” already ends in a full-width colon; commander adds a space after every title.
    formatHelp(this: Help, c: Command, h: Help) { return Help.prototype.formatHelp.call(this, c, h).replace(/^用法： /, '用法：'); },
  });
  cmd.helpOption('-h, --help', '显示帮助');
  if (cmd.commands.length) cmd.helpCommand('help [命令]', '显示某个命令的帮助');
  cmd.configureOutput({ outputError: (str, write) => write(translateCommanderError(str)) });
  cmd.showHelpAfterError('（加 --help 查看用法）');
  for (const sub of cmd.commands) localizeCommander(sub);
}
