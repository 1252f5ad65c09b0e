import { z } from 'zod';
import { parseHostList } from '../../core/download.js';
import { DEFAULT_DINGTALK_DOWNLOAD_HOSTS } from './media.js';

/** Default connection-open endpoint of Stream mode (https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description). */
export const DEFAULT_GATEWAY_URL = 'https://api.dingtalk.com/v1.0/gateway/connections/open';

export type DingtalkMode = 'stream' | 'http' | 'off';

/** Parsed DingTalk settings. `clientSecret` must never reach a log line. */
export interface DingtalkConfig {
  mode: DingtalkMode;
  clientId?: string;
  clientSecret?: string;
  /** Robot code used for OpenAPI sends; for internal-app robots it equals the client id. */
  robotCode?: string;
  apiBase: string;
  oapiBase: string;
  gatewayUrl: string;
  /** How the 🔴🟡🟢 lights are drawn: kept as emoji, or as `<font color>` dots. */
  lightStyle: 'emoji' | 'font';
  /** Approval card template (the new card API, Stream callbacks); unset: completion reports stay text. */
  cardTemplateId?: string;
  /** Hosts a messageFiles/download URL may point at (`*.example.com` patterns). */
  downloadHosts?: string[];
}

const blankToUndef = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optStr = z.preprocess(blankToUndef, z.string().trim().min(1).optional());
const url = (def: string) =>
  z.preprocess(
    blankToUndef,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default(def)
      .transform((u) => u.replace(/\/+$/, '')),
  );

const schema = z.object({
  DINGTALK_MODE: z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndef(v.trim().toLowerCase()) : v),
    z.enum(['stream', 'http', 'off'], { error: 'must be one of stream, http, off' }).optional(),
  ),
  DINGTALK_CLIENT_ID: optStr,
  DINGTALK_CLIENT_SECRET: optStr,
  DINGTALK_ROBOT_CODE: optStr,
  DINGTALK_API_BASE: url('https://api.dingtalk.com'),
  DINGTALK_OAPI_BASE: url('https://oapi.dingtalk.com'),
  DINGTALK_GATEWAY_URL: url(DEFAULT_GATEWAY_URL),
  DINGTALK_CARD_TEMPLATE_ID: z.preprocess(blankToUndef, z.string().trim().regex(/^[\w.-]{1,128}$/, 'must be the card template id from the card platform').optional()),
  DINGTALK_DOWNLOAD_HOSTS: z.preprocess(blankToUndef, z.string().regex(/^[\w.*:\-\s,]+$/, 'must be host names or *.domain patterns, comma separated').optional()),
  DINGTALK_LIGHT_STYLE: z.preprocess(
    blankToUndef,
    z.enum(['emoji', 'font'], { error: 'must be emoji or font' }).default('emoji'),
  ),
});

/** Thrown when DINGTALK_* variables are missing or bad; the message lists every problem by name. */
export class DingtalkConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`DingTalk configuration is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'DingtalkConfigError';
  }
}

/**
 * Parses DINGTALK_* from an injected environment, failing fast with every bad
 * variable named. Mode defaults to `stream` when credentials are present
 * (no public URL needed) and to `off` otherwise. Error messages never echo values.
 */
export function parseDingtalkConfig(env: NodeJS.ProcessEnv): DingtalkConfig {
  const r = schema.safeParse(env);
  if (!r.success) {
    throw new DingtalkConfigError(r.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`));
  }
  const e = r.data;
  const hasCreds = Boolean(e.DINGTALK_CLIENT_ID && e.DINGTALK_CLIENT_SECRET);
  const mode: DingtalkMode = e.DINGTALK_MODE ?? (hasCreds ? 'stream' : 'off');
  const problems: string[] = [];
  if (mode !== 'off') {
    if (!e.DINGTALK_CLIENT_ID) problems.push(`DINGTALK_CLIENT_ID: required when DINGTALK_MODE=${mode}`);
    if (!e.DINGTALK_CLIENT_SECRET) problems.push(`DINGTALK_CLIENT_SECRET: required when DINGTALK_MODE=${mode}`);
  } else if (Boolean(e.DINGTALK_CLIENT_ID) !== Boolean(e.DINGTALK_CLIENT_SECRET)) {
    const missing = e.DINGTALK_CLIENT_ID ? 'DINGTALK_CLIENT_SECRET' : 'DINGTALK_CLIENT_ID';
    problems.push(`${missing}: set both DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET, or neither`);
  }
  if (problems.length) throw new DingtalkConfigError(problems);
  return {
    mode,
    clientId: e.DINGTALK_CLIENT_ID,
    clientSecret: e.DINGTALK_CLIENT_SECRET,
    robotCode: e.DINGTALK_ROBOT_CODE ?? e.DINGTALK_CLIENT_ID,
    apiBase: e.DINGTALK_API_BASE,
    oapiBase: e.DINGTALK_OAPI_BASE,
    gatewayUrl: e.DINGTALK_GATEWAY_URL,
    lightStyle: e.DINGTALK_LIGHT_STYLE,
    cardTemplateId: e.DINGTALK_CARD_TEMPLATE_ID,
    downloadHosts: parseHostList(e.DINGTALK_DOWNLOAD_HOSTS, DEFAULT_DINGTALK_DOWNLOAD_HOSTS),
  };
}
