/**
 * Neutralises user-supplied text before it is embedded in reply markdown, so
 * nobody can inject links, images, @all or formatting in any platform dialect.
 * Markup characters become their full-width look-alikes, which read naturally
 * in Chinese text and render literally on DingTalk and WeCom alike.
 */
const MAP: Record<string, string> = {
  '[': '［', ']': '］', '(': '（', ')': '）', '*': '＊', '_': '＿', '#': '＃',
  '>': '＞', '<': '＜', '`': '｀', '~': '～', '|': '｜', '@': '＠', '!': '！',
  '\\': '＼', '&': '＆',
};

export function safeText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/[[\]()*_#><`~|@!\\&]/g, (c) => MAP[c] ?? c)
    .replace(/\r?\n/g, ' ')
    .replace(/https?:\/\//gi, (m) => m.replace('://', '：//'));
}
