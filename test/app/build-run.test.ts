import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error: a plain .mjs script without type declarations
import { buildRun } from '../../scripts/build-run.mjs';

// `npm start` runs the service from dist/ (scripts/build-run.mjs): TypeScript as plain Node runs it.
const root = mkdtempSync(path.join(tmpdir(), 'rb-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));

describe('buildRun', () => {
  it('transpiles src/ into dist/ one file per module, runnable by plain node, with no temp files left', async () => {
    mkdirSync(path.join(root, 'src/core'), { recursive: true });
    writeFileSync(path.join(root, 'src/core/words.ts'), "export enum Light { Red = '红', Green = '绿' }\nexport interface Shape { n: number }\nexport const twice = (s: Shape): number => s.n * 2;\n");
    writeFileSync(path.join(root, 'src/main.ts'), "import type { Shape } from './core/words.js';\nimport { Light, twice } from './core/words.js';\nclass A { constructor(private readonly s: Shape) {} show(): string { return `${Light.Red}${twice(this.s)}`; } }\nconsole.log(new A({ n: 21 }).show(), import.meta.url.endsWith('/dist/main.js'));\n");
    writeFileSync(path.join(root, 'src/types.d.ts'), 'declare const never: number;\n');
    writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
    const entry = await buildRun(root);
    expect(entry).toBe(path.join(root, 'dist/main.js'));
    expect(files(path.join(root, 'dist')).map((f) => path.relative(root, f)).sort()).toEqual(['dist/core/words.js', 'dist/main.js']);
    expect(execFileSync(process.execPath, [entry], { encoding: 'utf8' }).trim()).toBe('红42 true');
  });

  it('throws on a syntax error (start.mjs then falls back to tsx)', async () => {
    writeFileSync(path.join(root, 'src/broken.ts'), 'export const = ;\n');
    await expect(buildRun(root)).rejects.toThrow();
  });
});
