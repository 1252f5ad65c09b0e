import { z } from 'zod';
import { parseHostList } from '../../core/download.js';
import { DEFAULT_WECOM_DOWNLOAD_HOSTS } from './media.js';

/**
 * WeCom adapter configuration, parsed once from the injected environment.
 * Errors name the variable and never echo its value (most are secrets).
 */
const intIn = (min: number, max: number, dflt: number) =>
  z.string().trim().regex(/^\d+$/, 'must be a whole number').optional()
    .transform((v) => (v === undefined || v === '' ? dflt : Number(v)))
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const optional = z.string().trim().optional().transform((v) => (v ? v : undefined));

const schema = z.object({
  // https://developer.work.weixin.qq.com/document/path/96238 (Token: letters/digits, ≤ 32)
  WECOM_TOKEN: z.string().trim().regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1–32 letters or digits'),
  // https://developer.work.weixin.qq.com/document/path/91144 (exactly 43 chars)
  WECOM_ENCODING_AES_KEY: z.string().trim().regex(/^[A-Za-z0-9]{43}$/, 'must be exactly 43 letters or digits'),
  WECOM_CORP_ID: optional,
  WECOM_BOT_ID: optional,
  WECOM_AGENT_ID: z.string().trim().regex(/^\d+$/, 'must be the numeric AgentId').optional()
    .or(z.literal('').transform(() => undefined)),
  WECOM_SECRET: optional,
  WECOM_API_BASE: z.string().trim().optional()
    .transform((v) => (v ? v : 'https://qyapi.weixin.qq.com'))
    .refine((v) => /^https?:\/\/[^\s/]+/.test(v), 'must be an http(s) URL')
    .transform((v) => v.replace(/\/+$/, '')),
  /** Passive-reply budget: WeCom gives ~5 s; keep a margin for the network. */
  WECOM_REPLY_BUDGET_MS: intIn(10, 4500, 3000),
  WECOM_MAX_BODY_BYTES: intIn(1024, 4 * 1024 * 1024, 256 * 1024),
  /** Callbacks whose timestamp is further than this from our clock are refused (replays). */
  WECOM_MAX_SKEW_SECONDS: intIn(10, 86400, 600),
  WECOM_HTTP_TIMEOUT_MS: intIn(100, 60000, 10000),
  /** Longest we wait for a rate-limit slot before handing the send back as rate_limited. */
  WECOM_RATE_WAIT_MS: intIn(0, 60000, 5000),
  /** Hosts an AI bot media URL may point at (`*.example.com` patterns, comma separated). */
  WECOM_DOWNLOAD_HOSTS: z.string().trim().regex(/^[\w.*:\-\s,]*$/, 'must be host names or *.domain patterns, comma separated').optional(),
});

/** Parsed WeCom configuration. */
export interface WecomConfig {
  token: string;
  encodingAesKey: string;
  corpId?: string;
  botId?: string;
  agentId?: number;
  secret?: string;
  apiBase: string;
  replyBudgetMs: number;
  maxBodyBytes: number;
  maxSkewSeconds: number;
  httpTimeoutMs: number;
  rateWaitMs: number;
  /** Hosts media downloads may reach. */
  downloadHosts?: string[];
  /** True when corp id, agent id and secret allow `message/send`. */
  appSend: boolean;
}

/** Thrown when WECOM_* variables are present but wrong; lists every bad key. */
export class WecomConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`WeCom configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WecomConfigError';
  }
}

/**
 * Reads WECOM_* from `env`. Returns null when the adapter is off (neither
 * WECOM_TOKEN nor WECOM_ENCODING_AES_KEY set); throws WecomConfigError otherwise.
 */
export function loadWecomConfig(env: NodeJS.ProcessEnv): WecomConfig | null {
  if (!env.WECOM_TOKEN?.trim() && !env.WECOM_ENCODING_AES_KEY?.trim()) return null;
  const r = schema.safeParse(env);
  const problems: string[] = [];
  if (!r.success) {
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? '?');
      const msg = issue.code === 'invalid_type' ? 'is required' : issue.message;
      problems.push(`${key} ${msg}`);
    }
    throw new WecomConfigError(problems);
  }
  const v = r.data;
  const appParts = [v.WECOM_AGENT_ID, v.WECOM_SECRET];
  if (appParts.some(Boolean) && !appParts.every(Boolean)) {
    problems.push('WECOM_AGENT_ID and WECOM_SECRET must be set together (self-built app sends)');
  }
  if (v.WECOM_SECRET && !v.WECOM_CORP_ID) problems.push('WECOM_CORP_ID is required when WECOM_SECRET is set');
  if (problems.length) throw new WecomConfigError(problems);
  return {
    token: v.WECOM_TOKEN,
    encodingAesKey: v.WECOM_ENCODING_AES_KEY,
    corpId: v.WECOM_CORP_ID,
    botId: v.WECOM_BOT_ID,
    agentId: v.WECOM_AGENT_ID ? Number(v.WECOM_AGENT_ID) : undefined,
    secret: v.WECOM_SECRET,
    apiBase: v.WECOM_API_BASE,
    replyBudgetMs: v.WECOM_REPLY_BUDGET_MS,
    maxBodyBytes: v.WECOM_MAX_BODY_BYTES,
    maxSkewSeconds: v.WECOM_MAX_SKEW_SECONDS,
    httpTimeoutMs: v.WECOM_HTTP_TIMEOUT_MS,
    rateWaitMs: v.WECOM_RATE_WAIT_MS,
    downloadHosts: parseHostList(v.WECOM_DOWNLOAD_HOSTS, DEFAULT_WECOM_DOWNLOAD_HOSTS),
    appSend: Boolean(v.WECOM_CORP_ID && v.WECOM_AGENT_ID && v.WECOM_SECRET),
  };
}

/** What is enabled, safe to log (no secrets, no ids beyond the agent id). */
export function describeWecomConfig(c: WecomConfig): Record<string, unknown> {
  return {
    aibot: true,
    appCallbacks: Boolean(c.corpId),
    appSend: c.appSend,
    agentId: c.agentId,
    apiBase: c.apiBase,
    replyBudgetMs: c.replyBudgetMs,
  };
}
