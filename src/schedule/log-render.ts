import type { Reply } from '../core/message.js';
import type { ConfigProblem } from '../core/ports.js';
import type { DeliveryEntry } from '../store/delivery-log.js';
import { shanghaiDate, formatMonthDayCn } from '../ledger/dates.js';
import { safeText } from '../core/safe-text.js';
import { ReplyBuilder } from '../commands/reply.js';
import { compileCron, describeCron, nextSlot } from './cron.js';

const KIND_WORD: Record<string, string> = { digest: '进展通报', remind: '到期提醒', manual: '手动通报', direct: '私信提醒', approval: '审核卡片私信' };

/** 11月24日 09:00 (Shanghai). */
export function formatSlot(iso: string): string {
  const d = new Date(iso);
  const hm = new Date(d.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
  return `${formatMonthDayCn(shanghaiDate(d))} ${hm}`;
}

/** One message's story, newest entry last: final status and the retries before it. */
export interface DeliverySummary {
  jobId: string;
  kind: string;
  slot: string;
  status: DeliveryEntry['status'];
  retries: number;
  code?: string;
  errorKind?: string;
  reason?: string;
  at: string;
  /** A 1:1 message: whom it went to. */
  toName?: string;
}

/** Folds log entries (newest first) into one line per message. */
export function summarize(entries: DeliveryEntry[]): DeliverySummary[] {
  const out = new Map<string, DeliverySummary>();
  for (const e of entries) {
    const id = e.jobId ?? `${e.kind}.${e.slot}`;
    const s = out.get(id);
    if (!s) {
      out.set(id, {
        jobId: id, kind: e.kind, slot: e.slot, status: e.status, retries: 0, code: e.code, errorKind: e.errorKind, reason: e.reason, at: e.at,
        ...(e.to ? { toName: e.toName ?? e.to } : {}),
      });
    } else if (e.status === 'retried' || e.status === 'postponed') {
      s.retries++;
      if (!s.reason) { s.reason = e.reason; s.code = e.code; }
    }
  }
  return [...out.values()];
}

const STATUS_WORD: Record<DeliveryEntry['status'], string> = {
  queued: '⏳ 排队待发', sent: '✅ 已发送', retried: '🔁 重试中', postponed: '⏸ 平台限流，稍后重发',
  failed: '❌ 发送失败', skipped: '⏭ 已跳过',
};

/** The 推送记录 reply: schedule, next slot, the latest messages and configuration problems. */
export function renderDeliveryLog(
  cron: string | null, entries: DeliveryEntry[], problems: Array<ConfigProblem & { at: string }>, now: Date, reach?: string,
): Reply {
  const b = new ReplyBuilder('推送记录');
  b.heading('推送记录');
  if (cron) {
    const spec = compileCron(cron);
    const next = 'error' in spec ? null : nextSlot(spec, now);
    b.line(`订阅：**${describeCron(cron)}**${next ? `，下次推送 ${formatSlot(next.toISOString())}` : ''}`);
  } else {
    b.line('本群未订阅定时通报（发送“订阅 周一 9:00”订阅）。');
  }
  if (reach) b.line(reach);
  const rows = summarize(entries).slice(0, 10);
  if (!rows.length) b.line('暂无推送记录。');
  for (const r of rows) {
    const retried = r.retries ? `（重试${r.retries}次）` : '';
    const why = r.status === 'sent' || r.status === 'queued' ? '' : r.reason ? `：${safeText(r.reason)}${r.code ? `［${safeText(r.code)}］` : ''}` : '';
    const hint = r.status === 'failed' && r.errorKind === 'config' ? '。这是配置问题，不会自动重试，请整改办检查机器人设置' : '';
    b.item(`${formatSlot(r.slot)} ${KIND_WORD[r.kind] ?? r.kind}${r.toName ? `→${safeText(r.toName)}` : ''} ${STATUS_WORD[r.status]}${retried}${why}${hint}`);
  }
  if (problems.length) {
    b.blank().line('**需要处理的配置问题**');
    for (const p of problems.slice(0, 3)) b.item(`${formatSlot(p.at)} ${safeText(p.message)}［${safeText(p.code)}］`);
  }
  return b.build();
}
