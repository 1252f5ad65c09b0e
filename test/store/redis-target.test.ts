import { describe, expect, it } from 'vitest';
import { clusterTarget, parseTarget } from '../../src/store/redis.js';
import { loadConfig } from '../../src/config.js';

describe('Redis targets', () => {
  it.each([
    ['redis://127.0.0.1:6379/2', { kind: 'single', url: 'redis://127.0.0.1:6379/2' }],
    ['rediss://u:p@h:6380', { kind: 'single', url: 'rediss://u:p@h:6380' }],
    ['redis-cluster://10.0.0.1:7000,10.0.0.2:7001', { kind: 'cluster', tls: false, nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }] }],
    ['rediss-cluster://app:s%40cret@r1.example:6379', { kind: 'cluster', tls: true, username: 'app', password: 's@cret', nodes: [{ host: 'r1.example', port: 6379 }] }],
    ['redis-cluster://:pw@h:1/', { kind: 'cluster', tls: false, password: 'pw', nodes: [{ host: 'h', port: 1 }] }],
  ])('%s', (t, want) => {
    expect(parseTarget(t)).toEqual(want);
  });

  it('refuses what is not a target, naming the bad node, without echoing a password', () => {
    expect(() => parseTarget('redis-cluster://h:1,nohost')).toThrow('bad cluster node "nohost"');
    expect(() => parseTarget('http://u:secret@h')).toThrow(/not a Redis target/);
    expect(() => parseTarget('http://u:secret@h')).not.toThrow(/secret/);
  });

  it('REDIS_CLUSTER_NODES: host:port list or URL; unset is null', () => {
    expect(clusterTarget('a:1, b:2')).toBe('redis-cluster://a:1, b:2');
    expect(parseTarget(clusterTarget('a:1, b:2')!)).toMatchObject({ nodes: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }] });
    expect(clusterTarget('rediss-cluster://a:1')).toBe('rediss-cluster://a:1');
    expect(clusterTarget(undefined)).toBeNull();
    expect(clusterTarget('  ')).toBeNull();
  });

  it('config: REDIS_CLUSTER_NODES wins over REDIS_URL; one of them is required; a bad list is named', () => {
    expect(loadConfig({ REDIS_URL: 'redis://x:1' }).REDIS_URL).toBe('redis://x:1');
    expect(loadConfig({ REDIS_URL: 'redis://x:1', REDIS_CLUSTER_NODES: 'a:1,b:2' }).REDIS_URL).toBe('redis-cluster://a:1,b:2');
    expect(loadConfig({ REDIS_URL: 'redis-cluster://a:1' }).REDIS_URL).toBe('redis-cluster://a:1');
    expect(() => loadConfig({})).toThrow(/REDIS_URL: set REDIS_URL \(one server\) or REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a' })).toThrow(/REDIS_CLUSTER_NODES: must be host:port/);
  });
});
