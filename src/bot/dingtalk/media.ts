import type { FileRef } from '../../core/message.js';
import { DownloadError, download } from '../../core/download.js';
import { SendError } from '../../core/sender.js';
import type { FileFetcher } from '../../pipeline/evidence.js';
import { callOpenApi, type RobotApiOptions } from './openapi.js';
import type { RobotMessage } from './payload.js';

/**
 * Pictures and files in robot messages, and their download.
 * - `picture` (1:1): content {downloadCode, pictureDownloadCode}.
 * - `richText` (groups deliver photos so): parts {type:'picture', downloadCode}.
 * - `file` (1:1 only; groups never deliver files): content {downloadCode, fileName}.
 * - a text quoting a file or picture with @bot: text.isReplyMsg, text.repliedMsg {msgType, content{downloadCode, fileName}}.
 * Download (https://open.dingtalk.com/document/orgapp/download-the-file-content-of-the-robot-receiving-message):
 * POST /v1.0/robot/messageFiles/download {downloadCode, robotCode} → {downloadUrl}, a temporary
 * OSS URL fetched with a bare GET (a Content-Type header makes OSS answer 403).
 */

/** Default hosts a downloadUrl may point at (Alibaba Cloud OSS and DingTalk's own file hosts). */
export const DEFAULT_DINGTALK_DOWNLOAD_HOSTS = ['*.aliyuncs.com', '*.dingtalk.com'];

const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function pictureRef(part: Record<string, unknown> | undefined): FileRef | null {
  const code = str(part?.downloadCode) ?? str(part?.pictureDownloadCode);
  return code ? { type: 'image', ref: code } : null;
}

function contentFiles(msgType: string, c: Record<string, unknown> | undefined): FileRef[] {
  if (!c) return [];
  if (msgType === 'picture') {
    const p = pictureRef(c);
    return p ? [p] : [];
  }
  if (msgType === 'richText' && Array.isArray(c.richText)) {
    return (c.richText as unknown[]).map((p) => obj(p)).filter((p) => p && (p.type === 'picture' || (!('text' in p) && str(p.downloadCode))))
      .map((p) => pictureRef(p)).filter((p): p is FileRef => p !== null);
  }
  if (msgType === 'file') {
    const code = str(c.downloadCode);
    const name = str(c.fileName);
    return code ? [{ type: 'file', ref: code, ...(name ? { name: name.slice(0, 512) } : {}) }] : [];
  }
  return [];
}

/** The files a robot message carries (at most 10). */
export function filesOf(m: RobotMessage): FileRef[] {
  let files = contentFiles(m.msgtype, obj(m.content));
  if (m.msgtype === 'text') {
    const t = obj(m.text);
    const replied = obj(t?.repliedMsg);
    if (t?.isReplyMsg === true && replied) files = contentFiles(String(replied.msgType ?? ''), obj(replied.content));
  }
  return files.slice(0, 10);
}

export interface DingtalkFetcherOptions extends Pick<RobotApiOptions, 'fetch' | 'apiBase' | 'tokens' | 'robotCode'> {
  allowHosts: readonly string[];
  /** Per HTTP call (the download-code exchange and each GET attempt). */
  timeoutMs: number;
  retryDelayMs?: number;
}

/** Error codes of messageFiles/download that mean "this downloadCode is no good" (expired, unknown, not this robot's). */
const BAD_CODE = /downloadCode|resource\.?not\.?found|notFound|expired|invalidParameter/i;

/** Exchanges a downloadCode for its temporary URL (one retry on a transient failure). */
async function downloadUrl(o: DingtalkFetcherOptions, code: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await callOpenApi({ ...o, timeoutMs: o.timeoutMs }, 'POST', '/v1.0/robot/messageFiles/download', { downloadCode: code, robotCode: o.robotCode });
      const url = str(r.body.downloadUrl);
      if (!url) throw new DownloadError('http', 'messageFiles/download answered without a downloadUrl');
      return url;
    } catch (e) {
      if (!(e instanceof SendError)) throw e;
      if ((e.kind === 'retry' || e.kind === 'rate_limited') && attempt === 0) {
        await new Promise((r) => setTimeout(r, o.retryDelayMs ?? 200));
        continue;
      }
      if (e.kind !== 'config' && BAD_CODE.test(e.code)) throw new DownloadError('expired', `messageFiles/download refused the code (${e.code})`);
      throw new DownloadError(e.kind === 'retry' ? 'network' : 'http', `messageFiles/download failed (${e.code})`);
    }
  }
}

/** The DingTalk FileFetcher: downloadCode → temporary URL → bytes (allow-listed host, bounded, retried on 5xx). */
export function dingtalkFileFetcher(o: DingtalkFetcherOptions): FileFetcher {
  return async (ref, { maxBytes }) => {
    const url = await downloadUrl(o, ref.ref);
    // No headers at all on the GET: the URL is signed for a bare GET.
    const d = await download(url, { fetch: o.fetch, allowHosts: o.allowHosts, maxBytes, timeoutMs: o.timeoutMs, retryDelayMs: o.retryDelayMs });
    // OSS names the object by its id (".file"); the message's fileName is the real one.
    const name = ref.name ?? (ref.type === 'image' ? undefined : d.name);
    return { bytes: d.bytes, ...(name ? { name } : {}), ...(d.mime && d.mime !== 'application/octet-stream' ? { mime: d.mime } : {}) };
  };
}
