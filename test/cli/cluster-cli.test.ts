import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testClusterTarget } from '../helpers/redis.js';

/**
 * The CLI on a real 3-master Redis Cluster (REDIS_CLUSTER_NODES, which wins
 * over REDIS_URL): import, status, export → re-import, users, bind, chat.
 * Before hash-tagged global keys, the ledger import half-applied and the
 * users import and bind aborted with CROSSSLOT on a cluster.
 */
const bin = path.resolve('bin/rectify.js');
const nodes = testClusterTarget().replace('redis-cluster://', '');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-cluster-cli-'));
const fixture = (name: string) => path.resolve('test/fixtures/reports', name);
const L = `cc-${randomUUID().slice(0, 8)}`;

function rectify(args: string[], input?: string) {
  const env = { ...process.env, REDIS_CLUSTER_NODES: nodes, REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' };
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', env, timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const status = (ledger: string) => JSON.parse(rectify(['status', '--ledger', ledger, '--as-of', '2021-07-09']).out);

describe('the CLI on a Redis Cluster', () => {
  it('imports a ledger, exports it and imports the export back to the same figures', () => {
    const r = rectify(['ledger', 'import', fixture('seed003-per-aspect.csv'), '--ledger', L, '--title', '芦淞区法院巡察整改台账']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = status(L);
    expect(s.problems).toBe(8);
    expect(s.measures).toBe(12);
    const out = path.join(tmp, 'export.json');
    expect(rectify(['ledger', 'export', '--ledger', L, '--format', 'json', '--out', out]).code).toBe(0);
    expect(rectify(['ledger', 'import', out, '--ledger', `${L}-rt`]).code).toBe(0);
    expect({ ...status(`${L}-rt`), ledger: L }).toEqual(s);
  }, 60000);

  it('imports users, binds a chat and answers in it', () => {
    const r = rectify(['users', 'import', fixture('users-zh.csv')]);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/已导入 \d+ 位用户/);
    const list = JSON.parse(rectify(['users', 'list']).out) as Array<{ userId: string; role: string }>;
    expect(list).toContainEqual(expect.objectContaining({ userId: 'manager4021', role: 'leader' }));
    expect(rectify(['bind', '--platform', 'console', '--chat', `chat-${L}`, '--ledger', L]).out).toContain(`console:chat-${L} → ${L}`);
    expect(rectify(['demo']).code).toBe(0);
    const chat = rectify(['chat', '--as', 'office', '--chat', 'demo'], '进度\n');
    expect(chat.out).toContain('整改措施');
  }, 60000);
});
