/**
 * Evidence bytes in any S3-compatible store. Checksums are computed and
 * validated only when an operation requires them (WHEN_REQUIRED): the SDK's
 * default since 3.729 (WHEN_SUPPORTED) adds CRC32 checksums that some
 * S3-compatible servers refuse. Our own sha256 in the record is the integrity
 * check that matters. The SDK is loaded on first use (it costs a few hundred
 * ms to import), so processes with local storage never load it.
 * API: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { EvidenceStorage } from './types.js';
import type { S3Config } from './config.js';
import { assertSafeKey } from './storage-key.js';

type Sdk = typeof import('@aws-sdk/client-s3');

export class S3EvidenceStorage implements EvidenceStorage {
  readonly kind = 's3' as const;
  private ready?: Promise<{ sdk: Sdk; client: S3Client }>;

  constructor(private readonly cfg: S3Config) {}

  private sdk(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.ready ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: this.cfg.region,
        endpoint: this.cfg.endpoint,
        forcePathStyle: this.cfg.forcePathStyle,
        credentials: this.cfg.credentials,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    }));
    return this.ready;
  }

  private objectKey(key: string): string {
    assertSafeKey(key);
    return `${this.cfg.prefix}${key}`;
  }

  async put(key: string, bytes: Buffer, mime: string): Promise<void> {
    const { sdk, client } = await this.sdk();
    await client.send(new sdk.PutObjectCommand({
      Bucket: this.cfg.bucket, Key: this.objectKey(key), Body: bytes, ContentType: mime, ContentLength: bytes.length,
    }));
  }

  async get(key: string): Promise<Buffer | null> {
    const { sdk, client } = await this.sdk();
    try {
      const r = await client.send(new sdk.GetObjectCommand({ Bucket: this.cfg.bucket, Key: this.objectKey(key) }));
      if (!r.Body) return null;
      return Buffer.from(await r.Body.transformToByteArray());
    } catch (e) {
      if (e instanceof sdk.S3ServiceException && (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)) return null;
      throw e;
    }
  }

  async remove(key: string): Promise<void> {
    const { sdk, client } = await this.sdk();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.cfg.bucket, Key: this.objectKey(key) }));
  }

  /** Closes the client's sockets (if it was ever made). */
  async close(): Promise<void> {
    if (this.ready) (await this.ready).client.destroy();
  }
}
