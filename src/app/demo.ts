import type { Services } from '../commands/types.js';
import { buildDemoDoc, DEMO_LEDGER_ID, DEMO_USERS } from '../ledger/demo.js';
import type { User } from '../store/directory.js';
import { removeLedgerKeys } from '../store/ledger-remove.js';
import type { RedisClient } from '../store/redis.js';

/** Loads the demo ledger (seed 003), its users and the console chat `demo`; a reset starts it afresh, history included. */
export async function loadDemo(services: Services, opts: { reset?: boolean } = {}): Promise<'loaded' | 'exists'> {
  const exists = await services.ledgers.getLedger(DEMO_LEDGER_ID);
  if (exists && !opts.reset) return 'exists';
  await services.ledgers.saveDoc(buildDemoDoc(), { actor: 'demo', note: '载入演示台账' }, { wipeHistory: true });
  // Their roles hold on the demo ledger only: the console's `office` can never bind or change a real ledger.
  await services.directory.putUsers(DEMO_USERS.map((u) => ({ ...u, role: 'viewer', ledgers: { [DEMO_LEDGER_ID]: u.role } })) as User[]);
  const prev = await services.directory.getBinding('console', 'demo');
  await services.directory.bind({
    platform: 'console', chatId: 'demo', ledgerId: DEMO_LEDGER_ID, channel: {}, schedule: prev?.schedule,
    boundAt: services.clock.now().toISOString(), boundBy: 'demo',
  });
  return 'loaded';
}

/**
 * Environment variables that mean a real platform is configured: with any of
 * them set, the demo (whose console users include an all-ledgers office) is
 * never loaded automatically. Any *WEBHOOK* variable counts too.
 */
const PLATFORM_VARS = [
  'DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET', 'DINGTALK_ROBOT_CODE',
  'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY', 'WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_BOT_ID',
];

/** The names of the platform variables set in `env` (values never read beyond "non-blank"). */
export function configuredPlatformVars(env: NodeJS.ProcessEnv): string[] {
  const set = (n: string) => typeof env[n] === 'string' && env[n]!.trim() !== '';
  const named = PLATFORM_VARS.filter(set);
  const webhooks = Object.keys(env).filter((n) => /WEBHOOK/i.test(n) && set(n));
  const mode = ['stream', 'http'].includes((env.DINGTALK_MODE ?? '').trim().toLowerCase()) ? ['DINGTALK_MODE'] : [];
  return [...new Set([...named, ...webhooks, ...mode])];
}

/**
 * Why LOAD_DEMO=auto must not load the demo now, or null when it may: only
 * into an empty Redis (no ledger, user or chat binding) and never while a
 * real platform is configured.
 */
export async function demoAutoLoadRefusal(services: Services, env: NodeJS.ProcessEnv): Promise<string | null> {
  const vars = configuredPlatformVars(env);
  if (vars.length) return `a platform is configured (${vars.join(', ')})`;
  if ((await services.ledgers.listLedgers()).length) return 'Redis already holds ledgers';
  if ((await services.directory.listBindings()).length) return 'Redis already holds chat bindings';
  if ((await services.directory.listUsers()).length) return 'Redis already holds users';
  return null;
}

/** What `rectify demo --remove` took away. */
export interface DemoRemoval { users: number; chats: number; keys: number }

/**
 * Removes the demo: its console users (only while they are still the demo's
 * people), every chat bound to the demo ledger, and the ledger itself with its
 * history. Nothing else is touched.
 */
export async function removeDemo(services: Services, redis: RedisClient): Promise<DemoRemoval> {
  const chats = (await services.directory.listBindings()).filter((b) => b.ledgerId === DEMO_LEDGER_ID);
  for (const b of chats) await services.directory.unbind(b.platform, b.chatId);
  const demoUsers: Array<{ platform: 'console'; userId: string }> = [];
  for (const d of DEMO_USERS) {
    const u = await services.directory.getUser(d.platform, d.userId);
    // A console id reused for a real person (another name) is theirs now: keep it.
    if (u && u.name === d.name) demoUsers.push({ platform: d.platform, userId: d.userId });
  }
  const users = await services.directory.removeUsers(demoUsers);
  const keys = await removeLedgerKeys(redis, DEMO_LEDGER_ID);
  return { users, chats: chats.length, keys };
}
