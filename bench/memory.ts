// Issue 10's memory targets as figures: Redis bytes per measure of a 100,000-measure ledger (with a
// breakdown by key family), then the real service (src/main.ts, DingTalk HTTP mode) bound to a chat
// of that ledger, driven by 1,000 mixed signed callbacks, and its RSS (VmRSS, VmHWM) read after.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { dingtalkSign } from '../src/bot/dingtalk/signature.js';
import { openServices } from '../src/app/services.js';
import { syntheticDoc } from './synthetic.js';

const SECRET = 'bench-memory-secret-0123456789';
const LEDGER = 'bench-mem';
const root = path.resolve(import.meta.dirname, '..');
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const usedMemory = async (r: Redis) => Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1] ?? 0);

/** The family a key of the ledger belongs to (by its name after the generation prefix). */
function family(key: string): string {
  const rest = key.replace(/^rb:\{[^}]*\}:(g\d+:)?/, '');
  if (rest.startsWith('i:')) return 'item_hashes';
  // Title blocks (sb:, sx, the bigram bitmaps sg) now; a sorted set per bigram (g:) and the text hash before.
  if (rest.startsWith('sb:') || rest === 'sx' || rest === 'sg' || rest.startsWith('g:')) return 'search_index';
  if (rest === 'text') return 'search_text';
  return 'other_indexes';
}

/** MEMORY USAGE of every key of the ledger (SAMPLES 0: exact for aggregates), summed per family. */
async function families(r: Redis, measures: number) {
  const sums: Record<string, { keys: number; bytes: number }> = {};
  const encodings: Record<string, Record<string, number>> = {};
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `rb:{${LEDGER}}:*`, 'COUNT', 2000);
    cursor = next;
    const p = r.pipeline();
    for (const key of keys) { p.memory('USAGE', key, 'SAMPLES', 0); p.object('ENCODING', key); }
    const res = (await p.exec()) ?? [];
    keys.forEach((key, i) => {
      const f = family(key);
      const s = (sums[f] ??= { keys: 0, bytes: 0 });
      s.keys++;
      s.bytes += Number(res[2 * i]?.[1] ?? 0);
      const enc = String(res[2 * i + 1]?.[1] ?? '?');
      (encodings[f] ??= {})[enc] = (encodings[f][enc] ?? 0) + 1;
    });
  } while (cursor !== '0');
  return Object.fromEntries(Object.entries(sums).map(([f, s]) => [f, {
    keys: s.keys, mb: +(s.bytes / 1e6).toFixed(1), bytes_per_measure: Math.round(s.bytes / measures), encodings: encodings[f],
  }]));
}

/** Descendants of `pid` (Linux /proc), children first. */
function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { /* exited */ }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/**
 * The real start path, `npm start` (scripts/start.mjs → dist/main.js, REDIS_URL passed through):
 * returns the start script's child handle and the pid of the service's process.
 */
function spawnService(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number; pid: number }> {
  const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /rectify-bot is up: http:\/\/localhost:(\d+)/.exec(out);
      if (!m) return;
      // dist/main.js (the compiled start), or src/main.ts under tsx (RECTIFY_START=tsx; not tsx's own launcher).
      const pid = descendants(child.pid!).find((p) => { try { const c = readFileSync(`/proc/${p}/cmdline`, 'utf8'); return /dist\/main\.js|src\/main\.ts/.test(c) && !c.includes('tsx/dist/cli'); } catch { return false; } });
      if (pid) resolve({ child, port: Number(m[1]), pid });
      else reject(new Error('service process not found under scripts/start.mjs'));
    });
    child.stderr!.on('data', (d: Buffer) => { err += d; });
    child.once('exit', (c) => reject(new Error(`scripts/start.mjs exited (${c}): ${err.slice(-1500)}`)));
  });
}

/** One POST on its own connection (a kept-alive socket the server closed while we waited would reset). */
function post(port: number, p: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** VmRSS and VmHWM of a process, in MB. */
function rss(pid: number) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0);
  return { vm_rss_mb: Math.round(kb('VmRSS') / 1024), vm_hwm_mb: Math.round(kb('VmHWM') / 1024) };
}

export async function benchMemory(o: { redisUrl: string; commands?: number }) {
  const url = `${o.redisUrl.replace(/\/\d+$/, '')}/10`;
  const admin = new Redis(url);
  await admin.flushdb();
  const count = o.commands ?? (Number(process.env.BENCH_MEMORY_COMMANDS) || 1_000);
  // One ledger alone in Redis: used_memory before and after its import is the ledger's footprint.
  const before = await usedMemory(admin);
  let doc: ReturnType<typeof syntheticDoc> | null = syntheticDoc(LEDGER, 10, 1000, 10);
  const measures = doc.measures.length;
  const codes = doc.measures.filter((_, i) => i % 97 === 0).map((m) => m.code);
  const open = await openServices({ redisUrl: url });
  const t0 = performance.now();
  await open.services.ledgers.saveDoc(doc, { actor: 'bench', note: 'memory bench' }, { awaitCleanup: true });
  const importMs = Math.round(performance.now() - t0);
  doc = null;
  gc();
  await open.services.directory.putUsers([
    { platform: 'dingtalk', userId: 'office-mem', name: '王静', department: '综合办公室', role: 'office' },
    { platform: 'dingtalk', userId: 'owner-mem', name: '陈敏', department: '政治部', role: 'owner' },
  ]);
  const chats = Array.from({ length: 10 }, (_, i) => `cid-mem-${i}`);
  for (const c of chats) await open.services.directory.bind({ platform: 'dingtalk', chatId: c, ledgerId: LEDGER, channel: {}, boundAt: new Date().toISOString() });
  await open.close();
  const after = await usedMemory(admin);
  const redisFigures = {
    measures, import_ms: importMs,
    used_memory_mb: +((after - before) / 1e6).toFixed(1),
    bytes_per_measure: Math.round((after - before) / measures),
    families: await families(admin, measures),
    target: 'Redis ≤ 1,500 bytes per measure',
  };

  const answered = new Set<string>();
  const sink = createServer((req, res) => {
    const id = new URL(req.url!, 'http://x').searchParams.get('session') ?? '';
    req.resume();
    req.on('end', () => { answered.add(id); res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"errcode":0,"errmsg":"ok"}'); });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const svc = await spawnService({
    REDIS_URL: url, REDIS_CLUSTER_NODES: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', LOAD_DEMO: 'never', CONSOLE_WEB: 'off',
    DINGTALK_MODE: 'http', DINGTALK_CLIENT_ID: 'dingmem', DINGTALK_CLIENT_SECRET: SECRET, DINGTALK_OAPI_BASE: sinkUrl, DINGTALK_API_BASE: sinkUrl,
  });
  const pid = svc.pid;
  const atStart = rss(pid);
  const allTexts: Array<(n: number) => string> = [
    () => '进度',
    (n) => `查看 ${codes[n % codes.length]}`,
    () => '逾期',
    () => '我的',
    (n) => `搜索 ${['制度', '规范台账管理', `第${n * 37}条`, '管理完善'][n % 4]}`,
    (n) => `进展 ${codes[n % codes.length]} 第${n}次推进：已召开专题会议部署`,
    () => '临期 30',
    () => '部门 政治部 逾期',
    () => '待销号',
    (n) => `历史 ${codes[n % codes.length]}`,
  ];
  // BENCH_MEMORY_TEXTS=2,4 drives only those kinds of command (0-based, the list above): which one grows the heap.
  const pick = process.env.BENCH_MEMORY_TEXTS?.split(',').map(Number).filter((i) => allTexts[i]);
  const texts = pick?.length ? pick.map((i) => allTexts[i]!) : allTexts;
  const base = Date.now();
  let retried = 0;
  const t1 = performance.now();
  try {
    for (let n = 0; n < count; n++) {
      const msgId = `mem${n}`;
      const ts = String(base + n);
      const sender = n % 3 === 0 ? ['owner-mem', '陈敏'] : ['office-mem', '王静'];
      const body = JSON.stringify({
        msgId, msgtype: 'text', conversationId: chats[n % chats.length], conversationType: '2', senderStaffId: sender[0], senderNick: sender[1],
        sessionWebhook: `${sinkUrl}/robot/sendBySession?session=${msgId}`, sessionWebhookExpiredTime: Date.now() + 3_600_000,
        text: { content: ` ${texts[n % texts.length](n)}` },
      });
      // A 503 ("temporarily unavailable": not kept) is what DingTalk retries; so does the bench, with a fresh sign.
      for (let attempt = 0; ; attempt++) {
        const stamp = attempt ? String(base + count + n * 100 + attempt) : ts;
        const status = await post(svc.port, '/dingtalk/callback', { 'content-type': 'application/json', timestamp: stamp, sign: dingtalkSign(stamp, SECRET) }, body);
        if (status === 200) break;
        if (status !== 503 || attempt >= 20) throw new Error(`callback ${n} answered HTTP ${status}`);
        retried++;
        await new Promise((x) => setTimeout(x, 200));
      }
      // A few in flight at once, like a busy group; never an unbounded backlog.
      if (n % 8 === 7) while (answered.size < n - 16) await new Promise((x) => setTimeout(x, 5));
    }
    const end = Date.now() + 120_000;
    while (answered.size < count && Date.now() < end) await new Promise((x) => setTimeout(x, 50));
    const driveMs = Math.round(performance.now() - t1);
    // A settled process: what it keeps, not a burst in flight.
    await new Promise((x) => setTimeout(x, 2000));
    const mem = rss(pid);
    // And once V8's memory reducer has had an idle stretch to give back heap it grew for the burst.
    const idleS = Number(process.env.BENCH_MEMORY_IDLE_S ?? 20);
    await new Promise((x) => setTimeout(x, idleS * 1000));
    const idle = { idle_s: idleS + 2, ...rss(pid) };
    // The start script and tsx's launcher stay resident beside the service (their own, small, processes).
    const wrappers = [svc.child.pid!, ...descendants(svc.child.pid!).filter((p) => p !== pid && !descendants(pid).includes(p))];
    const wrapperMb = wrappers.reduce((a, p) => { try { return a + rss(p).vm_rss_mb; } catch { return a; } }, 0);
    return {
      redis: { ...redisFigures, met: redisFigures.bytes_per_measure <= 1500 },
      service: {
        start_path: `node scripts/start.mjs (→ ${process.env.RECTIFY_START === 'tsx' ? 'tsx → src/main.ts' : 'dist/main.js'}); figures are of the service process`,
        commands: count, answered: answered.size, retried_503: retried, drive_ms: driveMs, at_start: atStart, ...mem, after_idle: idle, launcher_processes_rss_mb: wrapperMb,
        target: 'service RSS ≤ 150 MB serving a 100,000-measure ledger after 1,000 commands', met: mem.vm_rss_mb <= 150,
      },
    };
  } finally {
    svc.child.kill('SIGTERM');
    sink.closeAllConnections();
    sink.close();
    await admin.flushdb().catch(() => undefined);
    admin.disconnect();
  }
}

export default benchMemory;
