import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { openServices } from '../src/app/services.js';
import { createPipeline } from '../src/pipeline/pipeline.js';
import { Metrics } from '../src/core/metrics.js';
import { silentLogger } from '../src/core/logger.js';
import type { LedgerDoc } from '../src/ledger/types.js';
import { syntheticDoc } from './synthetic.js';
import { writeLedgerCsv, writeLedgerXlsx } from './ledger-files.js';

/** A full GC between measured phases when run with --expose-gc (npm run bench does). */
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const SHAPE = [10, 1000, 10] as const; // aspects × problems × measures = 100,000 measures
const LEDGER = 'bench-import';

interface CliRun { wall_ms: number; peak_rss_mb: number; rss_source: string; exit: number; out: string }

/**
 * Runs the real CLI (`rectify ledger import`) as one process and measures its
 * peak RSS: GNU time's "Maximum resident set size" when /usr/bin/time exists,
 * else VmHWM polled from /proc/<pid>/status.
 */
async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const cli = [process.execPath, '--import', 'tsx', path.resolve('src/cli/main.ts'), ...args];
  const gnuTime = existsSync('/usr/bin/time');
  const cmd = gnuTime ? ['/usr/bin/time', '-v', ...cli] : cli;
  const t0 = performance.now();
  const child = spawn(cmd[0], cmd.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  let hwm = 0;
  const poll = gnuTime ? undefined : setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]));
    } catch { /* exited */ }
  }, 20);
  const exit = await new Promise<number>((res) => child.on('exit', (c) => res(c ?? 1)));
  clearInterval(poll);
  const wall = performance.now() - t0;
  if (gnuTime) hwm = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0);
  if (exit !== 0) throw new Error(`ledger import failed (${exit}): ${err.slice(0, 2000)}`);
  return { wall_ms: Math.round(wall), peak_rss_mb: Math.round(hwm / 1024), rss_source: gnuTime ? '/usr/bin/time -v' : '/proc VmHWM', exit, out: out.trim() };
}

/** PINGs every 10 ms on its own connection and records how long each answer took. */
function stallProbe(url: string) {
  const r = new Redis(url, { lazyConnect: false });
  const lat: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      await r.ping();
      lat.push(performance.now() - t);
      await new Promise((res) => setTimeout(res, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      r.disconnect();
      const s = [...lat].sort((a, b) => a - b);
      return { pings: s.length, max_ms: +s[s.length - 1].toFixed(2), p99_ms: +s[Math.floor(s.length * 0.99)].toFixed(2) };
    },
  };
}

/**
 * Redis's own latency monitor: the longest single event (command) inside the server, which a PING from
 * another client can exceed only by waiting behind it (or, on a busy machine, for a CPU).
 */
async function redisLatency(r: Redis, what: 'reset' | 'read'): Promise<Record<string, number>> {
  try {
    if (what === 'reset') {
      await r.config('SET', 'latency-monitor-threshold', '5');
      await r.call('LATENCY', 'RESET');
      return {};
    }
    const latest = (await r.call('LATENCY', 'LATEST')) as Array<[string, number, number, number]>;
    return { server_longest_event_ms: Math.max(0, ...latest.map((e) => Number(e[3]))) };
  } catch {
    return {};
  }
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50_ms: +s[Math.floor(s.length / 2)].toFixed(2), p99_ms: +s[Math.min(s.length - 1, Math.floor(s.length * 0.99))].toFixed(2), max_ms: +s[s.length - 1].toFixed(2) };
}

/** 搜索 through the real pipeline on the imported 100k-measure ledger, per keyword and over all of them. */
async function benchSearch(url: string) {
  const open = await openServices({ redisUrl: url });
  try {
    await open.services.directory.bind({ platform: 'console', chatId: LEDGER, ledgerId: LEDGER, channel: {}, boundAt: new Date().toISOString() });
    const pipeline = createPipeline({ services: open.services, logger: silentLogger(), metrics: new Metrics(), claim: open.claim });
    const keywords: Record<string, string> = {
      common_2char: '制度', common_long: '管理完善', common_combo: '规范台账管理', rare: '第99999条', one_char: '车', absent: '不存在的词语',
    };
    const all: number[] = [];
    const per: Record<string, unknown> = {};
    let n = 0;
    for (const [name, kw] of Object.entries(keywords)) {
      const samples: number[] = [];
      let reply = '';
      gc();
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        const r = await pipeline.handle({ platform: 'console', chatId: LEDGER, chatType: 'group', messageId: `bench-search-${n++}`, senderId: 'v', text: `搜索 ${kw}` });
        samples.push(performance.now() - t);
        reply = r?.text.split('\n')[0] ?? '';
      }
      all.push(...samples);
      per[name] = { keyword: kw, ...stats(samples), reply_head: reply };
    }
    return { ...stats(all), keywords: per, target: '搜索 p99 ≤ 30 ms on 100k measures whatever the keyword' };
  } finally {
    await open.close();
  }
}

/**
 * Import benchmark: a 100,000-measure ledger as CSV and as XLSX, imported by
 * the real CLI (the XLSX run re-imports over the CSV one, so it also switches
 * generations and deletes the old one): wall time, peak RSS of the CLI, the
 * longest Redis stall seen by a client PINGing every 10 ms; then 搜索 p99.
 */
export async function benchImport(o: { redisUrl: string }): Promise<Record<string, unknown>> {
  const url = `${o.redisUrl.replace(/\/\d+$/, '')}/9`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-bench-import-'));
  const admin = new Redis(url);
  try {
    await admin.flushdb();
    const csv = path.join(dir, 'ledger.csv');
    const xlsx = path.join(dir, 'ledger.xlsx');
    let doc: LedgerDoc | null = syntheticDoc(LEDGER, ...SHAPE);
    const measures = doc.measures.length;
    await writeLedgerCsv(doc, csv);
    await writeLedgerXlsx(doc, xlsx);
    // The probe runs in this process: drop the 100k-measure document so a GC pause here is not counted as a Redis stall.
    doc = null;
    gc();
    const env = { ...process.env, REDIS_URL: url, LOG_LEVEL: 'silent' };
    const memBefore = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1] ?? 0);
    const runs: Record<string, unknown> = {};
    for (const [name, file] of [['csv_first_import', csv], ['xlsx_reimport', xlsx]] as const) {
      await redisLatency(admin, 'reset');
      const probe = stallProbe(url);
      const run = await runCli(['ledger', 'import', file, '--ledger', LEDGER], env);
      const stall = await probe.stop();
      runs[name] = { file_mb: +(statSync(file).size / 1e6).toFixed(1), ...run, redis_stall: { ...stall, ...(await redisLatency(admin, 'read')) } };
    }
    const memAfter = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1] ?? 0);
    return {
      measures,
      ...runs,
      redis_used_memory_mb: Math.round((memAfter - memBefore) / 1e6),
      target: 'peak RSS < 500 MB; no Redis stall > 100 ms',
      search: await benchSearch(url),
    };
  } finally {
    await admin.flushdb().catch(() => undefined);
    admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default benchImport;
