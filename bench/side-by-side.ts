// Issue 10's side-by-side benchmark: the reference pipeline (bench/reference.ts) and the real
// service (src/main.ts, DingTalk HTTP mode), each its own process on the same Redis, driven by
// autocannon with 50 connections, for 进度, 查看 and a write (进展), after a short warm-up of each.
// Throughput and p99 are taken where the user feels them: the answer arriving at the sessionWebhook (a local sink).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { dingtalkSign } from '../src/bot/dingtalk/signature.js';
import { openServices } from '../src/app/services.js';
import { buildDemoDoc } from '../src/ledger/demo.js';
import { countAll } from '../src/ledger/counters.js';
// @ts-expect-error plain ESM helper without types
import { buildRun } from '../scripts/build-run.mjs';
// @ts-expect-error plain ESM helper without types
import { v8Profile } from '../scripts/v8-profile.mjs';

const SECRET = 'bench-secret-0123456789';
const root = path.resolve(import.meta.dirname, '..');

function spawnUp(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, flags: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const ts = args[0]!.endsWith('.ts');
  const child = spawn(process.execPath, [...flags, ...(ts ? ['--import', 'tsx'] : []), '--import', './bench/probe.mjs', ...args], {
    cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d; const m = ready.exec(out); if (m) resolve({ child, port: Number(m[1]) }); });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d; });
    child.once('exit', (c, sig) => {
      const e = new Error(`${args[0]} exited (${c ?? sig}): ${err.slice(-1500)}`);
      if (sig !== 'SIGTERM') console.error(e.message);
      reject(e);
    });
  });
}

/** CPU time (µs) a process has used, from /proc (Linux). */
function cpuUs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) / 100) * 1e6;
}

/** Asks a process's probe (bench/probe.mjs) to reset its counters, or for their values. */
function probe(child: ChildProcess, what: 'reset'): Promise<unknown>;
function probe(child: ChildProcess, what: 'read'): Promise<{ redisRoundTrips: number; eldP99Ms: number; eldMaxMs: number; elu: number }>;
function probe(child: ChildProcess, what: 'reset' | 'read'): Promise<unknown> {
  return new Promise((resolve) => {
    const on = (m: { probe?: string }) => { if (m?.probe === what) { child.off('message', on); resolve(m); } };
    child.on('message', on);
    child.send(what);
  });
}

/** Calls per command Redis has executed (INFO commandstats). */
async function redisCalls(r: Redis): Promise<Map<string, number>> {
  const info = await r.info('commandstats');
  return new Map([...info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Commands per message by name between two readings, most frequent first (0.05 and over). */
function perMessage(before: Map<string, number>, after: Map<string, number>, messages: number): Record<string, number> {
  const rows = [...after].map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / Math.max(1, messages)] as const);
  return Object.fromEntries(rows.filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +v.toFixed(2)]));
}

const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : 0; };

export async function benchSideBySide(o: { redisUrl: string; seconds?: number }) {
  const target = `${o.redisUrl.replace(/\/\d+$/, '')}/8`;
  const redis = new Redis(target);
  await redis.flushdb();
  const open = await openServices({ redisUrl: target });
  const doc = buildDemoDoc('bench-sbs');
  await open.services.ledgers.saveDoc(doc);
  await open.services.directory.putUsers([{ platform: 'dingtalk', userId: 'office-bench', name: '王静', department: '综合办公室', role: 'office' }]);
  const chats = Array.from({ length: 30 }, (_, i) => `cid-bench-${i}`);
  const counters = countAll(doc.problems, doc.measures);
  for (const c of chats) {
    await open.services.directory.bind({ platform: 'dingtalk', chatId: c, ledgerId: 'bench-sbs', channel: {}, boundAt: new Date().toISOString() });
    await redis.hset(`ref:cnt:${c}`, Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, String(v)])));
  }
  await open.close();

  const redisPort = String(redis.options.port ?? 6379);
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
  const arrivals = new Map<string, number>();
  const sink = createServer((req, res) => {
    const id = new URL(req.url!, 'http://x').searchParams.get('session') ?? '';
    req.resume();
    req.on('end', () => { arrivals.set(id, performance.now()); res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"errcode":0,"errmsg":"ok"}'); });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  // The service runs as `npm start` runs it (scripts/start.mjs): the esbuild-transpiled dist/ on
  // plain Node with the same V8 profile (scripts/v8-profile.mjs: RECTIFY_MEMORY, RECTIFY_SEMI_SPACE_MB,
  // RECTIFY_V8_FLAGS). BENCH_SBS_SERVICE=tsx: src/main.ts through tsx with V8's defaults.
  const asStarted = process.env.BENCH_SBS_SERVICE !== 'tsx';
  const entry = asStarted ? path.relative(root, await buildRun(root)) : 'src/main.ts';
  const profile = v8Profile(process.env);
  const v8 = asStarted ? [...profile.flags, ...(profile.nodeOptions ? [profile.nodeOptions] : [])] : [];
  const service = await spawnUp([entry], {
    REDIS_URL: target, REDIS_CLUSTER_NODES: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', LOAD_DEMO: 'never', CONSOLE_WEB: 'off',
    RECTIFY_SCHEDULER: 'off', RECTIFY_DELIVERY: 'off', DINGTALK_MODE: 'http', DINGTALK_CLIENT_ID: 'dingbench', DINGTALK_CLIENT_SECRET: SECRET,
    DINGTALK_OAPI_BASE: sinkUrl, DINGTALK_API_BASE: sinkUrl,
    BENCH_PROBE_REDIS_PORT: redisPort,
  }, /rectify-bot is up: http:\/\/localhost:(\d+)/, [...v8, ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])]);
  // BENCH_CPU_PROF=<dir>: both processes write a V8 CPU profile there (the reference's under reference/).
  const referenceProf = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.env.BENCH_CPU_PROF, 'reference')}`] : [];
  const reference = await spawnUp(['bench/reference.ts'], { REDIS_URL: target, SECRET, PORT: '0', BENCH_PROBE_REDIS_PORT: redisPort }, /reference up on (\d+)/, referenceProf);

  let seq = 0;
  const base = Date.now();
  const sent = new Map<string, number>();
  const run = async (port: number, text: (n: number) => string, seconds: number) => {
    const res = await autocannon({
      url: `http://127.0.0.1:${port}`, connections: 50, duration: seconds,
      requests: [{
        method: 'POST', path: '/dingtalk/callback',
        setupRequest: (req: Record<string, unknown>) => {
          const n = seq++;
          const msgId = `b${n}`;
          // One timestamp per callback (the sign replay guard refuses a reused sign with another msgId).
          const ts = String(base + n);
          sent.set(msgId, performance.now());
          return {
            ...req,
            headers: { 'content-type': 'application/json', timestamp: ts, sign: dingtalkSign(ts, SECRET) },
            body: JSON.stringify({
              msgId, msgtype: 'text', conversationId: chats[n % chats.length], conversationType: '2', senderStaffId: 'office-bench', senderNick: '王静',
              sessionWebhook: `${sinkUrl}/robot/sendBySession?session=${msgId}`, sessionWebhookExpiredTime: Date.now() + 3_600_000,
              text: { content: ` ${text(n)}` },
            }),
          };
        },
      }],
    });
    return res as { requests: { average: number }; latency: { p99: number }; non2xx: number; '2xx': number };
  };

  const measure = async (side: 'reference' | 'service', p: { child: ChildProcess; port: number }, text: (n: number) => string, seconds: number) => {
    sent.clear();
    arrivals.clear();
    await probe(p.child, 'reset');
    const calls0 = await redisCalls(redis);
    const cpu0 = cpuUs(p.child.pid!);
    const redisCpu0 = cpuUs(redisPid);
    const benchCpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await run(p.port, text, seconds);
    const acked = r['2xx'];
    // The service answers after the 200: wait for every acknowledged answer (at most 60 s).
    const end = Date.now() + 60_000;
    while (arrivals.size < acked && Date.now() < end) await new Promise((x) => setTimeout(x, 50));
    const last = Math.max(...arrivals.values());
    const lat = [...arrivals].map(([id, t]) => t - (sent.get(id) ?? t));
    const cpu = cpuUs(p.child.pid!) - cpu0;
    const redisCpu = cpuUs(redisPid) - redisCpu0;
    const benchCpu = process.cpuUsage(benchCpu0);
    const calls1 = await redisCalls(redis);
    const pr = await probe(p.child, 'read');
    return {
      side, acked, non2xx: r.non2xx, answered: arrivals.size,
      answers_per_s: +((arrivals.size / (last - t0)) * 1000).toFixed(0),
      answer_p50_ms: +q(lat, 0.5).toFixed(1), answer_p99_ms: +q(lat, 0.99).toFixed(1),
      http_requests_per_s: Math.round(r.requests.average), http_p99_ms: r.latency.p99,
      cpu_us_per_message: Math.round(cpu / Math.max(1, acked)),
      // The other processes on the machine, whose CPU the two sides compete with on a small machine:
      // redis-server (its CPU for this side's commands) and this process (autocannon and the sink).
      redis_cpu_us_per_message: Math.round(redisCpu / Math.max(1, acked)),
      bench_cpu_us_per_message: Math.round((benchCpu.user + benchCpu.system) / Math.max(1, acked)),
      // Commands Redis executed (INFO commandstats: a script's own commands count too) and round
      // trips the process made (writes to Redis: a pipeline or MULTI is one), idle polling included.
      redis_commands_per_message: +((sum(calls1) - sum(calls0)) / Math.max(1, acked)).toFixed(1),
      redis_commands_by_name: perMessage(calls0, calls1, acked),
      redis_round_trips_per_message: +(pr.redisRoundTrips / Math.max(1, acked)).toFixed(1),
      event_loop_delay_p99_ms: +pr.eldP99Ms.toFixed(1),
      // Share of the measured time the main thread was busy (includes the wait for the last answers).
      event_loop_utilisation: +pr.elu.toFixed(2),
    };
  };

  const seconds = o.seconds ?? (Number(process.env.BENCH_SBS_SECONDS) || 8);
  const pick = process.env.BENCH_SBS_COMMANDS?.split(',').map((x) => x.trim()).filter(Boolean);
  const codes = doc.measures.map((m) => m.code);
  const commands: Array<[string, (n: number) => string]> = [
    ['进度', () => '进度'],
    ['查看', (n) => `查看 ${codes[n % codes.length]}`],
    // Many units reporting at once: each message a different measure, round the ledger.
    ['进展', (n) => `进展 ${codes[n % codes.length]} 第${n}次推进：已召开专题会议部署`],
  ];
  const out: Record<string, unknown> = {};
  // Each side runs every command briefly first, so neither is charged for loading and compiling
  // its code on the first command it is measured with (BENCH_SBS_WARMUP_SECONDS, 0: none).
  const warmup = Number(process.env.BENCH_SBS_WARMUP_SECONDS ?? 2);
  try {
    if (warmup > 0) {
      for (const [name, text] of commands) {
        if (pick && !pick.includes(name)) continue;
        await measure('reference', reference, text, warmup);
        await measure('service', service, text, warmup);
      }
    }
    for (const [name, text] of commands) {
      if (pick && !pick.includes(name)) continue;
      const ref = await measure('reference', reference, text, seconds);
      const svc = await measure('service', service, text, seconds);
      out[name] = {
        reference: ref, service: svc,
        throughput_ratio: +(svc.answers_per_s / ref.answers_per_s).toFixed(2),
        p99_ratio: +(svc.answer_p99_ms / Math.max(0.1, ref.answer_p99_ms)).toFixed(2),
      };
    }
    out.service_runs_as = asStarted ? `node ${v8.join(' ')} dist/main.js (as npm start, V8 profile ${profile.name})`.replace(/ +/g, ' ') : 'src/main.ts through tsx, V8 defaults';
    out.targets = 'throughput ≥ 0.9× and p99 ≤ 1.5× the reference for 进度 and 查看; a write ≥ 0.7×';
  } finally {
    // Waited for, so a --cpu-prof profile is written before Redis goes away.
    const exited = (c: ChildProcess) => new Promise<void>((r) => { if (c.exitCode !== null) r(); else { c.once('exit', () => r()); setTimeout(r, 10_000).unref(); } });
    service.child.kill('SIGTERM');
    reference.child.kill('SIGTERM');
    await Promise.all([exited(service.child), exited(reference.child)]);
    sink.closeAllConnections();
    sink.close();
    redis.disconnect();
  }
  return out;
}
