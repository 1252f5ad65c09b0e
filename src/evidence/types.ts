/**
 * Evidence files (佐证材料) attached to a measure: the shared contract between
 * the platform intake (DingTalk / WeCom adapters download a file) and the
 * evidence store (records in Redis, bytes behind a storage backend).
 *
 * Bytes never go to logs; names only at debug level.
 */

/** What kinds of file are accepted, by content sniffing and extension. */
export type EvidenceKind = 'image' | 'pdf' | 'word' | 'excel';

/** One attached file, as recorded on the measure (the bytes live in an EvidenceStorage). */
export interface EvidenceRecord {
  /** Stable id within the ledger, `[0-9a-z]{1,32}`. */
  id: string;
  ledgerId: string;
  itemId: string;
  /** File name as sent (sanitized: no path separators, ≤ 120 chars). */
  name: string;
  kind: EvidenceKind;
  /** MIME type, e.g. image/png, application/pdf. */
  mime: string;
  size: number;
  /** Lower-case hex sha256 of the bytes. */
  sha256: string;
  /** Storage key (opaque to everything but the storage backend). */
  key: string;
  by: { platform: string; userId: string; name: string };
  /** ISO time it was attached. */
  at: string;
  /** The platform message that carried the file (idempotency: one message attaches a file once). */
  messageId: string;
  /** The file's 序号 on its measure (1, 2, …), given when attached and kept for good: removals leave gaps. */
  n?: number;
  /** Set on a removed file (soft delete; the bytes are kept): who removed it, when, from which message. */
  removed?: { at: string; by: { platform: string; userId: string; name: string }; messageId: string; why?: string };
}

/** Where the bytes live: a local directory by default, any S3-compatible store when configured. */
export interface EvidenceStorage {
  readonly kind: 'local' | 's3';
  put(key: string, bytes: Buffer, mime: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  remove(key: string): Promise<void>;
  /** Releases connections (S3 client sockets); optional, added after the first contract. */
  close?(): Promise<void>;
}

/** A file the platform intake has downloaded, before it is attached. */
export interface IncomingFile {
  bytes: Buffer;
  /** Name as sent, if the platform gave one (DingTalk fileName, WeCom Content-Disposition). */
  name?: string;
  /** MIME type the platform or the download response claimed, if any. */
  mime?: string;
}

/** Size and type limits (configurable; defaults in the evidence module). */
export interface EvidenceLimits {
  maxBytes: number;
  kinds: EvidenceKind[];
}
