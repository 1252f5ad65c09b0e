/**
 * Evidence bytes in a local directory (default DATA_DIR/evidence). A write goes
 * to a temporary file in the same directory, is flushed, then renamed into
 * place, so a reader never sees a half-written file and a crash leaves at most
 * a stray temporary file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { EvidenceStorage } from './types.js';
import { assertSafeKey } from './storage-key.js';

export class LocalEvidenceStorage implements EvidenceStorage {
  readonly kind = 'local' as const;
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private file(key: string): string {
    assertSafeKey(key);
    const f = path.resolve(this.root, ...key.split('/'));
    // Defence in depth: the key check already forbids "..".
    if (!f.startsWith(this.root + path.sep)) throw new Error('unsafe evidence storage key');
    return f;
  }

  async put(key: string, bytes: Buffer, _mime?: string): Promise<void> {
    const f = this.file(key);
    await mkdir(path.dirname(f), { recursive: true });
    const tmp = `${f}.${randomBytes(6).toString('hex')}.tmp`;
    const h = await open(tmp, 'wx', 0o600);
    try {
      await h.writeFile(bytes);
      await h.sync();
    } catch (e) {
      await h.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await h.close();
    try {
      await rename(tmp, f);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.file(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }
}
