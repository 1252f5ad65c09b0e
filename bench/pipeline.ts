import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { OpenServices } from '../src/app/services.js';
import { createPipeline, type Pipeline } from '../src/pipeline/pipeline.js';
import { Metrics } from '../src/core/metrics.js';
import { silentLogger } from '../src/core/logger.js';
import { syntheticDoc } from './synthetic.js';

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const total = s.reduce((a, b) => a + b, 0);
  return { n: s.length, p50_ms: +q(0.5).toFixed(3), p99_ms: +q(0.99).toFixed(3), ops_per_s: +((s.length / total) * 1000).toFixed(1) };
}

const SHAPES = { 100: [2, 10, 5], 10000: [10, 100, 10] } as const;
type Size = keyof typeof SHAPES;

interface Bench { size: Size; importMs: number; say(text: string): Promise<unknown>; code(): string }

async function setup(open: OpenServices, pipeline: Pipeline, size: Size): Promise<Bench> {
  const [A, P, M] = SHAPES[size];
  const id = `bench-${size}`;
  const t0 = performance.now();
  await open.services.ledgers.saveDoc(syntheticDoc(id, A, P, M), undefined, { wipeHistory: true });
  const importMs = performance.now() - t0;
  await open.services.directory.bind({ platform: 'console', chatId: id, ledgerId: id, channel: {}, boundAt: new Date().toISOString() });
  let i = 0;
  return {
    size, importMs,
    say: (text) => pipeline.handle({ platform: 'console', chatId: id, chatType: 'group', messageId: randomUUID(), senderId: 'bench-office', text }),
    code: () => { const k = i++; return `${'一二三四五六七八九十'[k % A]}.${(Math.floor(k / A) % P) + 1}.${(k % M) + 1}`; },
  };
}

/**
 * In-process pipeline latency for 进度 / 查看 / 完成 on ledgers of 100 and
 * 10,000 measures. The two ledgers are measured alternately, sample by
 * sample, so machine noise and GC debt fall on both alike.
 */
export async function benchPipeline(open: OpenServices, rounds = 1000) {
  await open.services.directory.putUsers([{ platform: 'console', userId: 'bench-office', name: '王静', department: '综合办公室', role: 'office' }]);
  const pipeline = createPipeline({ services: open.services, logger: silentLogger(), metrics: new Metrics(), claim: open.claim });
  const benches = [await setup(open, pipeline, 100), await setup(open, pipeline, 10000)];
  (globalThis as { gc?: () => void }).gc?.();
  const samples = benches.map(() => ({ 进度: [] as number[], 查看: [] as number[], 完成: [] as number[] }));
  const timed = async (f: () => Promise<unknown>) => { const t = performance.now(); await f(); return performance.now() - t; };
  for (const b of benches) for (let w = 0; w < 50; w++) { await b.say('进度'); await b.say(`查看 ${b.code()}`); }
  for (let r = 0; r < rounds; r++) {
    for (const [j, b] of benches.entries()) {
      samples[j].进度.push(await timed(() => b.say('进度')));
      samples[j].查看.push(await timed(() => b.say(`查看 ${b.code()}`)));
      const c = b.code();
      await b.say(`退回 ${c} 基准复位`); // so the small ledger never runs out of open items; not timed
      samples[j].完成.push(await timed(() => b.say(`完成 ${c} 基准测试完成`)));
    }
  }
  const out = benches.map((b, j) => ({
    measures: b.size, import_ms: +b.importMs.toFixed(1),
    进度: stats(samples[j].进度), 查看: stats(samples[j].查看), 完成: stats(samples[j].完成),
  }));
  return { small: out[0], large: out[1] };
}
