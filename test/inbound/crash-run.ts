// The operator's crash run, shared by the test (asserts) and `npm run bench` (reports):
// several real service processes (src/main.ts, DingTalk HTTP mode) on one Redis or one
// Redis Cluster, signed callbacks spread over them with some resent to another instance,
// one instance SIGKILLed midway. Then every callback that was answered 2xx must be applied
// exactly once (one audit event with its msgId) and answered (a sessionWebhook send).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dingtalkSign } from '../../src/bot/dingtalk/signature.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { buildDemoDoc } from '../../src/ledger/demo.js';
import { countAll } from '../../src/ledger/counters.js';
import { FakeDingtalk } from '../fakes/dingtalk/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export interface CrashRunOptions {
  /** REDIS_URL for the instances: a redis:// URL or a redis-cluster:// target. */
  target: string;
  messages: number;
  instances?: number;
  /** Share of callbacks also sent to a second instance (DingTalk resending). */
  resendShare?: number;
  /** Kill one instance after this many callbacks were answered. */
  killAfter?: number;
  concurrency?: number;
  chats?: number;
  log?: (line: string) => void;
}

export interface CrashRunResult {
  sent: number;
  /** Callbacks (distinct msgIds) that got a 2xx from at least one instance. */
  acknowledged: number;
  /** Of those, applied exactly once / more than once / never. */
  appliedOnce: number;
  appliedTwice: number;
  notApplied: number;
  /** Of those, answered at least once / answered more than once. */
  answered: number;
  answeredTwice: number;
  busyReplies: number;
  /** Answers that went through the robot OpenAPI instead (a sessionWebhook send failed): not matched to a message. */
  viaOpenApi: number;
  countersMatch: boolean;
  /** Callbacks refused by every instance tried (a 5xx or a dead socket): DingTalk would retry them. */
  refused: number;
  ms: number;
}

interface Instance { child: ChildProcess; url: string }

async function spawnInstance(env: NodeJS.ProcessEnv): Promise<Instance> {
  // `node --import tsx` keeps the service in this very process, so SIGKILL kills the service itself.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts')], {
    cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /rectify-bot is up: http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}` });
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('exit', (code) => reject(new Error(`instance exited early (${code}): ${err.slice(-2000)}`)));
  });
}

async function stop(i: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const c = i.child;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  await done;
}

/** Sets up a demo ledger bound to `chats` DingTalk groups and an office user; returns what to write to. */
async function setUp(open: OpenServices, chats: number) {
  const ledgerId = `crash-${randomUUID().slice(0, 8)}`;
  const doc = buildDemoDoc(ledgerId);
  await open.services.ledgers.saveDoc(doc);
  await open.services.directory.putUsers([{ platform: 'dingtalk', userId: 'office-crash', name: '王静', department: '综合办公室', role: 'office' }]);
  const chatIds = Array.from({ length: chats }, (_, i) => `cid-${ledgerId}-${i}`);
  for (const chatId of chatIds) {
    await open.services.directory.bind({ platform: 'dingtalk', chatId, ledgerId, channel: {}, boundAt: new Date().toISOString() });
  }
  return { ledgerId, chatIds, codes: doc.measures.map((m) => m.code) };
}

/** Runs the crash run and counts what happened. */
export async function crashRun(o: CrashRunOptions): Promise<CrashRunResult> {
  const t0 = Date.now();
  const n = o.instances ?? 3;
  const log = o.log ?? (() => undefined);
  const fake = await FakeDingtalk.start();
  const open = await openServices({ redisUrl: o.target, failFast: false });
  const instances: Instance[] = [];
  try {
    const { ledgerId, chatIds, codes } = await setUp(open, o.chats ?? 30);
    const env: NodeJS.ProcessEnv = {
      ...process.env, ...fake.env({ DINGTALK_MODE: 'http' }),
      REDIS_URL: o.target, REDIS_CLUSTER_NODES: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error',
      LOAD_DEMO: 'never', CONSOLE_WEB: 'off', RECTIFY_SCHEDULER: 'off',
    };
    for (let i = 0; i < n; i++) instances.push(await spawnInstance(env));
    log(`crash run: ${n} instances up`);
    const sessions = new Map<string, string>(); // session token → msgId
    const acked = new Set<string>();
    let answeredOk = 0;
    let killed = -1;
    let refused = 0;
    const base = Date.now();
    const post = async (inst: Instance, body: string, ts: string): Promise<boolean> => {
      try {
        const res = await fetch(`${inst.url}/dingtalk/callback`, {
          method: 'POST', headers: { timestamp: ts, sign: dingtalkSign(ts, fake.clientSecret), 'content-type': 'application/json' }, body,
        });
        await res.arrayBuffer();
        return res.status >= 200 && res.status < 300;
      } catch {
        return false; // a killed instance: the socket is gone
      }
    };
    const one = async (i: number) => {
      const msgId = `crash${i}-${randomUUID().slice(0, 8)}`;
      const session = fake.api.newSession(Date.now() + 5_400_000);
      sessions.set(new URL(session).searchParams.get('session')!, msgId);
      const chat = chatIds[i % chatIds.length]!;
      const body = JSON.stringify({
        msgId, msgtype: 'text', conversationId: chat, conversationType: '2', senderStaffId: 'office-crash', senderNick: '王静',
        chatbotUserId: 'bot', sessionWebhook: session, sessionWebhookExpiredTime: Date.now() + 5_400_000,
        text: { content: ` 进展 ${codes[i % codes.length]} 第${i}条进展：已召开专题会议部署` },
      });
      // One timestamp per callback: a resend carries the same (timestamp, sign) and msgId, as DingTalk's would.
      const ts = String(base + i);
      const order = [i % n, (i + 1) % n, (i + 2) % n];
      let ok = false;
      for (const k of order) {
        if (k === killed) continue;
        ok = await post(instances[k]!, body, ts);
        if (ok) break; // refused (5xx) or the socket died: DingTalk retries, here at once on another instance
      }
      if (ok && Math.random() < (o.resendShare ?? 0.1)) {
        const other = order.find((k) => k !== killed && k !== order[0]);
        if (other !== undefined && (await post(instances[other]!, body, ts))) ok = true;
      }
      if (ok) {
        acked.add(msgId);
        answeredOk++;
        if (killed < 0 && answeredOk >= (o.killAfter ?? Math.floor(o.messages / 2))) {
          killed = 1 % n;
          log(`crash run: SIGKILL instance ${killed} after ${answeredOk} acknowledged`);
          instances[killed]!.child.kill('SIGKILL');
        }
      } else refused++;
    };
    let next = 0;
    await Promise.all(Array.from({ length: o.concurrency ?? 50 }, async () => {
      while (next < o.messages) await one(next++);
    }));
    log(`crash run: ${acked.size} acknowledged, waiting for every answer`);
    // Everything acknowledged must come out: wait until each acknowledged message has an answer.
    const answeredSet = () => new Set(fake.api.sessionSends.map((s) => sessions.get(String(s.query.session))).filter(Boolean) as string[]);
    // Generous: on a loaded machine retried answers back off for up to a minute.
    const deadline = Date.now() + 180_000;
    while ([...acked].some((id) => !answeredSet().has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // A little longer, so late duplicates (if any) would be seen too.
    await new Promise((r) => setTimeout(r, 1_000));

    const events = await open.services.ledgers.events(ledgerId, '-', '+', 1_000_000);
    const applied = new Map<string, number>();
    for (const e of events) if (e.messageId) applied.set(e.messageId, (applied.get(e.messageId) ?? 0) + 1);
    const sendsPer = new Map<string, number>();
    let busyReplies = 0;
    for (const s of fake.api.sessionSends) {
      const id = sessions.get(String(s.query.session));
      if (id) sendsPer.set(id, (sendsPer.get(id) ?? 0) + 1);
      if (/繁忙|多人同时修改/.test(JSON.stringify(s.body))) busyReplies++;
    }
    const doc = (await open.services.ledgers.loadDoc(ledgerId))!;
    const recount = countAll(doc.problems, doc.measures);
    const stored = await open.services.ledgers.counters(ledgerId);
    const keys = new Set([...Object.keys(recount), ...Object.keys(stored)]);
    const countersMatch = [...keys].every((k) => Number(recount[k] ?? 0) === Number(stored[k] ?? 0));
    const ids = [...acked];
    const unanswered = ids.filter((id) => !sendsPer.has(id));
    if (unanswered.length) {
      // Say where each missing answer is stuck, so a failure points at its cause.
      const { InboundStore } = await import('../../src/store/inbound-store.js');
      const { connectRedis, waitReady } = await import('../../src/store/redis.js');
      const r = connectRedis(o.target, { commandTimeoutMs: 5_000 });
      await waitReady(r);
      const store = new InboundStore(r);
      for (const id of unanswered.slice(0, 10)) {
        const chat = chatIds[Number(/^crash(\d+)-/.exec(id)![1]) % chatIds.length]!;
        log(`unanswered ${id}: record ${JSON.stringify(await store.record('dingtalk', chat, id))?.slice(0, 200)}, applied ${applied.get(id) ?? 0}`);
      }
      r.disconnect();
    }
    return {
      sent: o.messages,
      acknowledged: ids.length,
      appliedOnce: ids.filter((id) => applied.get(id) === 1).length,
      appliedTwice: [...applied.values()].filter((c) => c > 1).length,
      notApplied: ids.filter((id) => !applied.has(id)).length,
      answered: ids.filter((id) => sendsPer.has(id)).length,
      answeredTwice: [...sendsPer.values()].filter((c) => c > 1).length,
      busyReplies,
      viaOpenApi: fake.api.groupSends.length,
      countersMatch,
      refused,
      ms: Date.now() - t0,
    };
  } finally {
    await Promise.all(instances.map((i) => stop(i)));
    await open.close();
    await fake.close();
  }
}
