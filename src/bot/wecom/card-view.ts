import type { CardRecord } from '../../core/ports.js';

/**
 * WeCom `template_card` of type `button_interaction` for a decision card
 * (AI bot, D/101031 passive replies and D/101032 card fields): at most 6
 * buttons, `task_id` ≤ 128 bytes of [0-9a-zA-Z_-@], button keys ≤ 1024 bytes.
 * Every state of a card keeps its type and task_id, as update_template_card requires.
 */

/** Which face of the card to show. */
export type CardFace =
  | { face: 'main'; hint?: string }
  | { face: 'reasons'; button: number }
  | { face: 'other'; button: number }
  | { face: 'decided' }
  | { face: 'stale' };

export { decodeKey, type CardPress } from '../card-outcome.js';

/** Cuts to `n` characters (WeCom cuts longer card texts itself, less gracefully). */
const clip = (s: string, n: number) => (Array.from(s).length > n ? `${Array.from(s).slice(0, n - 1).join('')}…` : s);

/** WeCom button styles 1–4; 1 is the default blue. */
const STYLE = { primary: 1, danger: 2, plain: 4 } as const;

// Made once: a DateTimeFormat is costly to build.
const WHEN = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});
const when = (iso: string) => WHEN.format(new Date(iso));

interface Button { text: string; style: number; key: string }

/** The template_card object for one face of a card. */
export function templateCard(rec: CardRecord, f: CardFace): Record<string, unknown> {
  const a = rec.actions;
  let title = a.title;
  let sub: string | undefined = a.note ? `佐证说明：${a.note}` : undefined;
  let fields = a.fields;
  let buttons: Button[];
  const cmd = (i: number) => a.buttons[i]?.command ?? '';
  if (f.face === 'decided' && rec.decided) {
    const d = rec.decided;
    title = `${a.title}：已${d.label}`;
    fields = [
      ...a.fields.slice(0, 2),
      { label: '结果', value: d.change ?? `已${d.label}` },
      { label: '处理人', value: d.by },
      { label: '处理时间', value: when(d.at) },
    ];
    sub = d.reason ? `退回原因：${d.reason}` : undefined;
    buttons = [{ text: `已${d.label}`, style: STYLE.plain, key: 'done' }];
  } else if (f.face === 'reasons') {
    title = '请选择退回原因';
    const reasons = a.buttons[f.button]?.reasons ?? [];
    buttons = [
      ...reasons.slice(0, 4).map((r, j) => ({ text: clip(r, 10), style: STYLE.danger, key: `r${f.button}.${j}` })),
      { text: '其他原因', style: STYLE.plain, key: `o${f.button}` },
      { text: '返回', style: STYLE.plain, key: 'back' },
    ];
    sub = '选择后立即退回，责任人将收到通知。';
  } else if (f.face === 'other') {
    title = '请在群里说明退回原因';
    sub = `请发送：${cmd(f.button)} 原因（例如：${cmd(f.button)} 缺少印发文件）`;
    buttons = [{ text: '返回', style: STYLE.plain, key: 'back' }];
  } else if (f.face === 'stale') {
    title = '卡片已失效';
    sub = '请在群里直接发送命令，例如：销号 编号。';
    fields = [];
    buttons = [{ text: '已失效', style: STYLE.plain, key: 'done' }];
  } else {
    if (f.face === 'main' && f.hint) sub = f.hint;
    buttons = a.buttons.slice(0, 6).map((b, i) => ({ text: clip(b.label, 10), style: b.style === 'danger' ? STYLE.danger : STYLE.primary, key: `a${i}` }));
  }
  return {
    card_type: 'button_interaction',
    source: { desc: '整改督办' },
    main_title: { title: clip(title, 26), desc: clip(a.subject, 30) },
    ...(sub ? { sub_title_text: clip(sub, 100) } : {}),
    ...(fields.length ? { horizontal_content_list: fields.slice(0, 6).map((x) => ({ keyname: clip(x.label, 5), value: clip(x.value, 26) })) } : {}),
    button_list: buttons,
    task_id: rec.id,
  };
}
