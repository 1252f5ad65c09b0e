// A real Redis Cluster of local redis-server processes (no Docker), for tests
// and for trying the service on a cluster:
//   node scripts/cluster.mjs [masters]   → starts it, prints REDIS_CLUSTER_NODES, Ctrl-C stops and cleans up.
// Each node: cluster mode, no persistence, its own port and bus port, a temp dir.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureRedisServer, ensureRedisCli, freePort, waitForPort } from './redis.mjs';

const run = promisify(execFile);

async function cli(bin, port, ...args) {
  const { stdout } = await run(bin, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 20000 });
  return stdout;
}

/**
 * Starts `masters` cluster-enabled redis-servers under `dir`, joins them with
 * `redis-cli --cluster create` (no replicas) and waits until every node says
 * cluster_state:ok. Returns the seed list (`host:port,…`) and stop().
 */
export async function startCluster({ dir, masters = 3 } = {}) {
  const server = ensureRedisServer();
  const redisCli = ensureRedisCli();
  const base = dir ?? mkdtempSync(path.join(os.tmpdir(), 'rectify-cluster-'));
  const ports = [];
  const children = [];
  const stop = async () => {
    await Promise.all(children.map((c) => new Promise((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', resolve);
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 5000).unref();
    })));
    rmSync(base, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      let bus = await freePort();
      while (bus === port) bus = await freePort();
      const nodeDir = path.join(base, String(port));
      mkdirSync(nodeDir, { recursive: true });
      const child = spawn(server, [
        '--port', String(port), '--cluster-port', String(bus), '--bind', '127.0.0.1', '--dir', nodeDir,
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000',
        '--appendonly', 'no', '--save', '', '--protected-mode', 'yes',
      ], { stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
      ports.push(port);
    }
    await Promise.all(ports.map((p) => waitForPort(p)));
    await run(redisCli, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30000 });
    const until = Date.now() + 20000;
    for (;;) {
      const infos = await Promise.all(ports.map((p) => cli(redisCli, p, 'cluster', 'info')));
      if (infos.every((s) => /cluster_state:ok/.test(s) && /cluster_known_nodes:(\d+)/.exec(s)?.[1] === String(masters))) break;
      if (Date.now() > until) throw new Error(`cluster did not become ok:\n${infos.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const nodes = ports.map((p) => `127.0.0.1:${p}`).join(',');
  return { nodes, target: `redis-cluster://${nodes}`, ports, pids: children.map((c) => c.pid), dir: base, stop };
}

/** Several independent clusters (one per test worker); RECTIFY_TEST_CLUSTER_NODES lists them `;`-separated. */
export async function startTestClusters(count = 2, masters = 3) {
  const clusters = await Promise.all(Array.from({ length: count }, () => startCluster({ masters })));
  return {
    clusters,
    env: clusters.map((c) => c.nodes).join(';'),
    stop: () => Promise.all(clusters.map((c) => c.stop())),
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const c = await startCluster({ masters: Number(process.argv[2] ?? 3) });
  console.log(`REDIS_CLUSTER_NODES=${c.nodes}`);
  console.error(`[rectify] ${c.ports.length}-master Redis Cluster up (data in ${c.dir}); Ctrl-C stops it`);
  const stop = async () => { await c.stop(); process.exit(0); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
