// Installs npm dependencies when node_modules is missing or stale, so `npm start`
// and `npm test` work on a fresh clone with no prior step.
import { existsSync, lstatSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function ensureDeps() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  // A node_modules linked from another checkout is that checkout's: `npm ci` here would empty it
  // through the link (and break whatever runs there). Say so and go on with it as it is.
  const nm = path.join(root, 'node_modules');
  if (existsSync(nm) && lstatSync(nm).isSymbolicLink()) {
    console.error('[rectify] node_modules is a symbolic link and looks stale: not reinstalling through it; run `npm ci` in the tree it points to if needed.');
    return;
  }
  console.error('[rectify] installing npm dependencies (npm ci)…');
  // `npm ci` installs exactly the committed lock and fails when package.json and the lock disagree,
  // so a broken lock shows up here instead of silently resolving other versions.
  try {
    execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  } catch {
    console.error('[rectify] npm ci failed: if package.json changed, run `npm install` to update package-lock.json and commit it.');
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureDeps();
