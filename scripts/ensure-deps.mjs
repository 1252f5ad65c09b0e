// Installs npm dependencies when node_modules is missing or stale, so `npm start`
// and `npm test` work on a fresh clone with no prior step.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function ensureDeps() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  console.error('[rectify] installing npm dependencies…');
  // `npm install` honours package-lock.json; `npm ci` (npm 11.19) rejects this lock over optional
  // platform packages of msgpackr-extract that it never recorded, so it cannot be used here.
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

if (import.meta.url === `file://${process.argv[1]}`) ensureDeps();
