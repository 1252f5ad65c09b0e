/**
 * Evidence bytes in any S3-compatible store. Checksums are computed and
 * validated only when an operation requires them (WHEN_REQUIRED): the SDK's
 * default since 3.729 (WHEN_SUPPORTED) adds CRC32 checksums that some
 * S3-compatible servers refuse. Our own sha256 in the record is the integrity
 * check that matters.
 * API: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { EvidenceStorage } from './types.js';
import type { S3Config } from './config.js';
import { assertSafeKey } from './storage-key.js';

export class S3EvidenceStorage implements EvidenceStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly cfg: S3Config, client?: S3Client) {
    this.client = client ?? new S3Client({
      region: cfg.region,
      endpoint: cfg.endpoint,
      forcePathStyle: cfg.forcePathStyle,
      credentials: cfg.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private objectKey(key: string): string {
    assertSafeKey(key);
    return `${this.cfg.prefix}${key}`;
  }

  async put(key: string, bytes: Buffer, mime: string): Promise<void> {
    await this.client.send(new PutObjectCommand({
      Bucket: this.cfg.bucket, Key: this.objectKey(key), Body: bytes, ContentType: mime, ContentLength: bytes.length,
    }));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.cfg.bucket, Key: this.objectKey(key) }));
      if (!r.Body) return null;
      return Buffer.from(await r.Body.transformToByteArray());
    } catch (e) {
      if (e instanceof S3ServiceException && (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)) return null;
      throw e;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.cfg.bucket, Key: this.objectKey(key) }));
  }

  close(): void {
    this.client.destroy();
  }
}
