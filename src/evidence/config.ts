import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_MAX_MB } from './kinds.js';

/**
 * Evidence configuration (EVIDENCE_* and DATA_DIR), parsed once at start.
 * Bytes go to DATA_DIR/evidence unless EVIDENCE_S3_BUCKET is set; then the
 * S3 keys are required together (an S3-compatible store: MinIO, OSS, COS…).
 */
const schema = z.object({
  DATA_DIR: z.string().default('data'),
  /** Overrides DATA_DIR/evidence for the local store. */
  EVIDENCE_DIR: z.string().optional(),
  EVIDENCE_MAX_MB: z.coerce.number().positive().max(1024).default(DEFAULT_MAX_MB),
  EVIDENCE_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)').optional(),
  EVIDENCE_S3_ENDPOINT: z.string().url().optional(),
  EVIDENCE_S3_REGION: z.string().min(1).default('us-east-1'),
  EVIDENCE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  EVIDENCE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  EVIDENCE_S3_FORCE_PATH_STYLE: z.enum(['0', '1', 'true', 'false'], { error: 'must be 0/1 or true/false' }).optional(),
  EVIDENCE_S3_PREFIX: z.string().regex(/^[A-Za-z0-9._\/-]*$/, 'may hold letters, digits, . _ - and /').default('evidence/'),
}).superRefine((c, ctx) => {
  if (!c.EVIDENCE_S3_BUCKET) {
    for (const key of ['EVIDENCE_S3_ENDPOINT', 'EVIDENCE_S3_ACCESS_KEY_ID', 'EVIDENCE_S3_SECRET_ACCESS_KEY'] as const) {
      if (c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is set but EVIDENCE_S3_BUCKET is not (set the bucket to store evidence in S3)' });
    }
  } else if (!!c.EVIDENCE_S3_ACCESS_KEY_ID !== !!c.EVIDENCE_S3_SECRET_ACCESS_KEY) {
    ctx.addIssue({ code: 'custom', path: ['EVIDENCE_S3_SECRET_ACCESS_KEY'], message: 'set EVIDENCE_S3_ACCESS_KEY_ID and EVIDENCE_S3_SECRET_ACCESS_KEY together (or neither, for the default AWS credential chain)' });
  }
});

export interface S3Config {
  bucket: string;
  endpoint?: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  prefix: string;
}

export interface EvidenceConfig {
  maxBytes: number;
  /** Local directory (used when s3 is absent). */
  dir: string;
  s3?: S3Config;
}

/** Parses the evidence variables; relative directories are taken from `root` (the project, like DATA_DIR elsewhere). */
export function loadEvidenceConfig(env: NodeJS.ProcessEnv, root: string = process.cwd()): EvidenceConfig {
  const picked = Object.fromEntries(Object.entries(env).filter(([key, v]) => (key.startsWith('EVIDENCE_') || key === 'DATA_DIR') && v !== ''));
  const r = schema.safeParse(picked);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid evidence configuration:\n${lines.join('\n')}`);
  }
  const v = r.data;
  const dir = path.resolve(root, v.EVIDENCE_DIR ?? path.join(v.DATA_DIR, 'evidence'));
  const prefix = v.EVIDENCE_S3_PREFIX && !v.EVIDENCE_S3_PREFIX.endsWith('/') ? `${v.EVIDENCE_S3_PREFIX}/` : v.EVIDENCE_S3_PREFIX;
  return {
    maxBytes: Math.round(v.EVIDENCE_MAX_MB * 1024 * 1024),
    dir,
    s3: v.EVIDENCE_S3_BUCKET ? {
      bucket: v.EVIDENCE_S3_BUCKET,
      endpoint: v.EVIDENCE_S3_ENDPOINT,
      region: v.EVIDENCE_S3_REGION,
      credentials: v.EVIDENCE_S3_ACCESS_KEY_ID && v.EVIDENCE_S3_SECRET_ACCESS_KEY
        ? { accessKeyId: v.EVIDENCE_S3_ACCESS_KEY_ID, secretAccessKey: v.EVIDENCE_S3_SECRET_ACCESS_KEY } : undefined,
      // A custom endpoint (MinIO, s3rver) usually wants path-style URLs.
      forcePathStyle: v.EVIDENCE_S3_FORCE_PATH_STYLE ? ['1', 'true'].includes(v.EVIDENCE_S3_FORCE_PATH_STYLE) : !!v.EVIDENCE_S3_ENDPOINT,
      prefix: prefix.replace(/^\/+/, ''),
    } : undefined,
  };
}
