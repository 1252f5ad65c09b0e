import type { Status } from '../ledger/types.js';
import { safeText } from '../core/safe-text.js';
import { defineCommand, type CommandSpec } from './types.js';
import { ReplyBuilder } from './reply.js';

/** The command a cadre would send for one reading of an unclear statement. */
function commandFor(code: string, status: Status, note: string): string {
  const n = note ? `，${note}` : '，<说明>';
  if (status === '已完成') return `完成 ${code} ${note || '<佐证说明>'}`;
  if (status === '已完成并长期坚持') return `完成 ${code} 长期坚持 ${note || '<佐证说明>'}`;
  return `进展 ${code} ${status}${n}`;
}

/**
 * A reply for a statement the lexicon is unsure of: nothing is written; the
 * sender gets the two likely readings and the exact message for each.
 */
export function clarify(code: string, said: string, readings: [Status, Status], note: string): CommandSpec {
  return defineCommand<null>({
    name: '确认状态', aliases: [],
    summary: '对表述不明确的状态请发送人确认', usage: '',
    parse: () => null,
    async run() {
      const b = new ReplyBuilder('请确认');
      const [a, c] = readings;
      b.line(`“${safeText(`${code} ${said}`)}”是指“${a}”还是“${c}”？为免误记，本条暂未登记。`);
      b.item(`如为${a}，请发送：${safeText(commandFor(code, a, note))}`);
      b.item(`如为${c}，请发送：${safeText(commandFor(code, c, note))}`);
      return b.forSender().build();
    },
  });
}
