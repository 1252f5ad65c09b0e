import type { Logger } from 'pino';
import type { FileRef, IncomingMessage, Platform, Reply } from '../core/message.js';
import { DownloadError } from '../core/download.js';
import { safeText } from '../core/safe-text.js';
import type { EvidenceKind, EvidenceLimits, EvidenceRecord, IncomingFile } from '../evidence/types.js';
import { KIND_LABEL, formatSize } from '../evidence/kinds.js';
import type { RecentItem } from '../store/recent-item.js';
import type { AlsoSet } from '../store/item-changes.js';
import type { DispatchTrace } from './approval.js';

/**
 * Evidence intake: pictures and files that arrive with a chat message become
 * 佐证材料 of a measure. The association rule:
 *
 * 1. A file in the same message as a 进展 / 完成 command (a DingTalk richText
 *    "3.2 已完成 …" + picture, a WeCom mixed message) attaches to the measure
 *    that command changed.
 * 2. A file sent alone (no text, or a caption that is not a command) attaches
 *    to the measure the same person last reported on (进展 / 完成) in the same
 *    chat within the window (10 minutes by default; every attachment restarts it).
 * 3. Otherwise nothing is downloaded and the sender is told how to attach.
 *
 * Files are downloaded here, in the apply step of the durable inbound queue
 * (never before the platform is acknowledged), by the adapter's FileFetcher,
 * never past the size limit; a re-run of the same message attaches nothing
 * twice (the evidence store is idempotent on the message id).
 */

/** Downloads one file of a platform message, reading at most `maxBytes + 1` bytes; throws DownloadError. */
export type FileFetcher = (ref: FileRef, o: { maxBytes: number }) => Promise<IncomingFile>;

/** The adapters' fetchers by platform (registered when an adapter starts). */
export class FileFetchers {
  private readonly m = new Map<Platform, FileFetcher>();
  register(platform: Platform, f: FileFetcher): void {
    this.m.set(platform, f);
  }
  get(platform: Platform): FileFetcher | undefined {
    return this.m.get(platform);
  }
}

/** What attaching one downloaded file gave (the evidence service's answer, src/evidence/service.ts). */
export type AttachOutcome =
  | { ok: true; record: EvidenceRecord; duplicate: boolean; same?: boolean }
  | { ok: false; code: string; reason: string };

export interface AttachInput {
  ledgerId: string;
  itemId: string;
  file: IncomingFile;
  actor: { platform: string; userId: string; name: string };
  /** The platform message: the same message and bytes attach once (a re-run attaches nothing twice). */
  messageId: string;
}

/** The evidence service's attach (src/evidence: EvidenceService.attachEvidence). */
export type AttachEvidence = (input: AttachInput) => Promise<AttachOutcome>;

export interface RecentItemPort {
  get(ledgerId: string, platform: string, chatId: string, senderId: string): Promise<RecentItem | null>;
  set(ledgerId: string, platform: string, chatId: string, senderId: string, item: RecentItem, ttlMs: number): Promise<void>;
  /** What `set` writes, as a key, a value and a TTL in ms (for a change that writes it itself). */
  entry(ledgerId: string, platform: string, chatId: string, senderId: string, item: RecentItem, ttlMs: number): [key: string, value: string, ttlMs: number];
  clear(ledgerId: string, platform: string, chatId: string, senderId: string): Promise<void>;
}

export interface EvidenceIntakeDeps {
  fetchers: FileFetchers;
  attach: AttachEvidence;
  limits: EvidenceLimits;
  recent: RecentItemPort;
  logger: Logger;
  /** How long after a 进展 / 完成 a file sent alone still attaches to that measure (default 10 minutes). */
  windowMs?: number;
}

/** Commands whose measure a following file attaches to. */
export const REPORT_COMMANDS = ['进展', '完成'];
export const DEFAULT_WINDOW_MS = 10 * 60_000;

const EXT_KIND: Record<string, EvidenceKind> = {
  jpg: 'image', jpeg: 'image', png: 'image', gif: 'image', webp: 'image', bmp: 'image', heic: 'image', heif: 'image',
  pdf: 'pdf', doc: 'word', docx: 'word', xls: 'excel', xlsx: 'excel',
};

export const HOW_TO_ATTACH = '请先发送“进展 编号 说明”（如“进展 3.2 已起草制度初稿”）或“编号 已完成”，再发送图片或文件；也可在同一条消息中附上。';

/** The same hint with the code the sender used ("查看 一.1.1" + photo → “进展 一.1.1 …”). */
export function howToAttach(code?: string): string {
  if (!code) return HOW_TO_ATTACH;
  return `如要附在 ${code} 上，请发送“进展 ${code} 说明”或“完成 ${code} 说明”并附上图片或文件，或先发送其一再单独发送文件。`;
}

/** A limit in round words: "20 MB", "256 KB". */
export function humanSize(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

function acceptedKinds(limits: EvidenceLimits): string {
  return limits.kinds.map((k) => KIND_LABEL[k]).join('、');
}

/** A file whose name already says it is of a kind we do not take (checked before downloading). */
function refusedByName(ref: FileRef, limits: EvidenceLimits): boolean {
  if (!ref.name) return false;
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(ref.name)?.[1]?.toLowerCase();
  if (!ext) return false;
  const kind = EXT_KIND[ext];
  return !kind || !limits.kinds.includes(kind);
}

const label = (ref: FileRef, i: number, n: number) =>
  ref.name ? `“${safeText(ref.name)}”` : ref.type === 'image' ? (n > 1 ? `第 ${i + 1} 张图片` : '图片') : (n > 1 ? `第 ${i + 1} 个文件` : '文件');

/** The target of a file: the measure and who attaches. */
export interface EvidenceTarget {
  ledgerId: string;
  itemId: string;
  code: string;
  by: { platform: string; userId: string; name: string };
}

export class EvidenceIntake {
  readonly windowMs: number;

  constructor(private readonly d: EvidenceIntakeDeps) {
    this.windowMs = d.windowMs ?? DEFAULT_WINDOW_MS;
  }

  /**
   * The recent item a 进展 / 完成's change writes with the measure (same atomic write: one command
   * fewer, and a re-run after a crash still finds it); undefined for any other command.
   */
  recentEntry(msg: IncomingMessage, trace: DispatchTrace): (ledgerId: string) => AlsoSet | undefined {
    return (ledgerId) => (trace.command && REPORT_COMMANDS.includes(trace.command)
      ? (m, at) => this.d.recent.entry(ledgerId, msg.platform, msg.chatId, msg.senderId, { itemId: m.id, code: m.code, messageId: msg.messageId, at }, this.windowMs)
      : undefined);
  }

  /** After a command ran: a 进展 / 完成 that changed one measure makes it the sender's recent item (unless its change wrote it). */
  async remember(msg: IncomingMessage, trace: DispatchTrace, now: Date): Promise<EvidenceTarget | null> {
    if (!trace.ledgerId || !trace.command || !REPORT_COMMANDS.includes(trace.command) || trace.changes.length !== 1) return null;
    const m = trace.changes[0]!.after;
    if (!trace.recent?.written) {
      await this.d.recent.set(trace.ledgerId, msg.platform, msg.chatId, msg.senderId,
        { itemId: m.id, code: m.code, messageId: msg.messageId, at: now.toISOString() }, this.windowMs);
    }
    return { ledgerId: trace.ledgerId, itemId: m.id, code: m.code, by: { platform: msg.platform, userId: msg.senderId, name: trace.by ?? msg.senderId } };
  }

  /** Forgets the sender's recent measure in this chat. */
  async forget(ledgerId: string, msg: IncomingMessage): Promise<void> {
    await this.d.recent.clear(ledgerId, msg.platform, msg.chatId, msg.senderId);
  }

  /** The sender's recent measure in this chat, if still within the window. */
  async recent(ledgerId: string, msg: IncomingMessage): Promise<RecentItem | null> {
    return this.d.recent.get(ledgerId, msg.platform, msg.chatId, msg.senderId);
  }

  /**
   * Downloads and attaches the message's files to `target`; returns the lines
   * for the reply (one per outcome). Refusals (size, type, download) store nothing.
   */
  async attachAll(msg: IncomingMessage, target: EvidenceTarget, now: Date): Promise<string[]> {
    const files = msg.files ?? [];
    const fetcher = this.d.fetchers.get(msg.platform);
    const log = this.d.logger;
    const added: EvidenceRecord[] = [];
    const problems: string[] = [];
    const { limits } = this.d;
    for (const [i, ref] of files.entries()) {
      const what = label(ref, i, files.length);
      if (!fetcher) {
        problems.push(`${what}未保存：当前平台暂不支持接收文件。`);
        continue;
      }
      if (refusedByName(ref, limits)) {
        problems.push(`${what}未保存：佐证材料只接受${acceptedKinds(limits)}文件。`);
        continue;
      }
      let file: IncomingFile;
      try {
        file = await fetcher(ref, { maxBytes: limits.maxBytes });
      } catch (e) {
        if (!(e instanceof DownloadError)) throw e;
        log.warn({ platform: msg.platform, messageId: msg.messageId, kind: e.kind, status: e.status }, 'evidence: download failed');
        problems.push(`${what}未保存：${downloadProblem(e, limits)}`);
        continue;
      }
      if (!file.name && ref.name) file = { ...file, name: ref.name };
      const r = await this.d.attach({ ledgerId: target.ledgerId, itemId: target.itemId, file, actor: target.by, messageId: msg.messageId });
      if (r.ok && r.same) problems.push(`${what}未重复保存：该文件已作为第${r.record.n ?? '?'}份佐证材料上传过（${safeText(r.record.name)}）。`);
      else if (r.ok) added.push(r.record);
      else problems.push(safeText(r.reason) || `${what}未保存。`);
    }
    if (added.length) {
      await this.d.recent.set(target.ledgerId, msg.platform, msg.chatId, msg.senderId,
        { itemId: target.itemId, code: target.code, messageId: msg.messageId, at: now.toISOString() }, this.windowMs);
    }
    const lines: string[] = [];
    if (added.length) {
      const names = added.map((r) => `${safeText(r.name)}（${formatSize(r.size)}）`).join('、');
      lines.push(`📎 已为 **${safeText(target.code)}** 添加佐证材料${added.length > 1 ? ` ${added.length} 份` : ''}：${names}`);
    }
    return [...lines, ...problems];
  }
}

function downloadProblem(e: DownloadError, limits: EvidenceLimits): string {
  switch (e.kind) {
    case 'too_large': return `超过 ${humanSize(limits.maxBytes)} 的上限，请压缩或拆分后重新发送。`;
    case 'expired': return '下载链接已失效，请重新发送。';
    case 'corrupt': return '文件无法解密或已损坏，请重新发送。';
    case 'host': return '下载地址不在允许的范围内（请管理员检查下载域名配置）。';
    default: return '下载失败，请稍后重新发送。';
  }
}

/** Appends lines to a command's reply (the attachment outcome below the command's own answer). */
export function withLines(reply: Reply, lines: string[]): Reply {
  if (!lines.length) return reply;
  const plain = lines.map((l) => l.replace(/\*\*/g, ''));
  return { ...reply, markdown: `${reply.markdown}\n\n${lines.join('\n\n')}`, text: `${reply.text}\n${plain.join('\n')}` };
}
