// Finds (or installs) redis-server and runs it as a child process.
// Used by `npm start` (persistent, ./data) and `npm test` (temp dir, free port).
import { spawn, execSync, spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdirSync } from 'node:fs';

export function findRedisServer() {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    const r = spawnSync(p, ['--version']);
    if (r.status === 0) return p;
  }
  const r = spawnSync('sh', ['-c', 'command -v redis-server']);
  const found = r.stdout?.toString().trim();
  return found || null;
}

/** Returns a redis-server path, installing the Debian package when running as root. */
export function ensureRedisServer() {
  let bin = findRedisServer();
  if (bin) return bin;
  if (process.getuid && process.getuid() === 0) {
    console.error('[rectify] redis-server not found; installing the Debian package…');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server', { stdio: 'inherit' });
    bin = findRedisServer();
    if (bin) return bin;
  }
  console.error('redis-server is required. Install it with:\n  sudo apt-get install -y redis-server');
  process.exit(2);
}

/** redis-cli (Debian package redis-tools, a dependency of redis-server): needed to form a cluster. */
export function ensureRedisCli() {
  for (const p of ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli']) {
    if (spawnSync(p, ['--version']).status === 0) return p;
  }
  const found = spawnSync('sh', ['-c', 'command -v redis-cli']).stdout?.toString().trim();
  if (found) return found;
  if (process.getuid && process.getuid() === 0) {
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools', { stdio: 'inherit' });
    if (spawnSync('redis-cli', ['--version']).status === 0) return 'redis-cli';
  }
  console.error('redis-cli is required for Redis Cluster tests. Install it with:\n  sudo apt-get install -y redis-tools');
  process.exit(2);
}

/** True when nothing listens on 127.0.0.1:port. */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function waitForPort(port, timeoutMs = 10000) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.write('PING\r\n');
        s.once('data', (d) => {
          s.destroy();
          if (d.toString().startsWith('+PONG')) resolve();
          else retry();
        });
      });
      s.once('error', () => { s.destroy(); retry(); });
    };
    const retry = () => {
      if (Date.now() - started > timeoutMs) reject(new Error(`redis-server did not start on port ${port}`));
      else setTimeout(tryOnce, 50);
    };
    tryOnce();
  });
}

/**
 * Starts redis-server bound to 127.0.0.1. `persist` turns on append-only
 * persistence with fsync on every write (what `npm start` uses).
 */
export async function startRedis({ dir, port, persist = false, databases = 64 }) {
  const bin = ensureRedisServer();
  mkdirSync(dir, { recursive: true });
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--databases', String(databases), '--save', '', '--protected-mode', 'yes',
  ];
  if (persist) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--appendonly', 'no');
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.on('exit', () => { exited = true; });
  await waitForPort(port);
  // A PONG from another server already on the port must not pass for ours.
  await new Promise((r) => setTimeout(r, 100));
  if (exited) throw new Error(`redis-server could not start on port ${port} (is the port in use?)`);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    child,
    stop() {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
        setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5000).unref();
      });
    },
  };
}
