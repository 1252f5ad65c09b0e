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
 * cluster_state:ok. `persist` turns on append-only with fsync always (tests
 * that kill a node and check what survived). Returns the seed list
 * (`host:port,…`), kill(i) / restart(i) of one node, waitOk() and stop().
 */
export async function startCluster({ dir, masters = 3, persist = false } = {}) {
  const server = ensureRedisServer();
  const redisCli = ensureRedisCli();
  const base = dir ?? mkdtempSync(path.join(os.tmpdir(), 'rectify-cluster-'));
  const ports = [];
  const buses = [];
  const children = [];
  const exited = (c) => c.exitCode !== null || c.signalCode !== null;
  const spawnNode = (i) => {
    const nodeDir = path.join(base, String(ports[i]));
    mkdirSync(nodeDir, { recursive: true });
    children[i] = spawn(server, [
      '--port', String(ports[i]), '--cluster-port', String(buses[i]), '--bind', '127.0.0.1', '--dir', nodeDir,
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000',
      '--save', '', '--protected-mode', 'yes',
      ...(persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ], { stdio: ['ignore', 'ignore', 'inherit'] });
  };
  const waitOk = async (timeoutMs = 20000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const infos = await Promise.all(ports.map((p) => cli(redisCli, p, 'cluster', 'info').catch((e) => String(e))));
      if (infos.every((s) => /cluster_state:ok/.test(s) && /cluster_known_nodes:(\d+)/.exec(s)?.[1] === String(masters))) return;
      if (Date.now() > until) throw new Error(`cluster did not become ok:\n${infos.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const kill = (i, signal = 'SIGKILL') => new Promise((resolve) => {
    const c = children[i];
    if (exited(c)) return resolve();
    c.once('exit', resolve);
    c.kill(signal);
  });
  const stop = async () => {
    await Promise.all(children.map((c, i) => {
      if (exited(c)) return undefined;
      setTimeout(() => { if (!exited(c)) c.kill('SIGKILL'); }, 5000).unref();
      return kill(i, 'SIGTERM');
    }));
    rmSync(base, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      ports.push(await freePort());
      let bus = await freePort();
      while (ports.includes(bus) || buses.includes(bus)) bus = await freePort();
      buses.push(bus);
      spawnNode(i);
    }
    await Promise.all(ports.map((p) => waitForPort(p)));
    await run(redisCli, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30000 });
    await waitOk();
  } catch (e) {
    await stop();
    throw e;
  }
  const nodes = ports.map((p) => `127.0.0.1:${p}`).join(',');
  return {
    nodes, target: `redis-cluster://${nodes}`, ports, dir: base, stop, kill, waitOk,
    get pids() { return children.map((c) => c.pid); },
    /** Starts node i again on its port, data dir and node id (after kill). */
    async restart(i) {
      spawnNode(i);
      await waitForPort(ports[i]);
      await waitOk();
    },
  };
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
