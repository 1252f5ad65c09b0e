import { afterAll, describe, expect, it } from 'vitest';
import { countAll } from '../../src/ledger/counters.js';
import { k } from '../../src/store/keys.js';
import { isCluster } from '../../src/store/redis.js';
import { makeWorld, type World } from '../helpers/world.js';
// @ts-expect-error plain ESM helper without types
import { startCluster } from '../../scripts/cluster.mjs';

interface TestCluster { target: string; ports: number[]; kill(i: number): Promise<void>; restart(i: number): Promise<void>; stop(): Promise<void> }

let cluster: TestCluster | undefined;
let w: World | undefined;
afterAll(async () => {
  await w?.close();
  await cluster?.stop();
});

describe('a cluster master killed mid-run', () => {
  it('replies say the service is unavailable, and after the node restarts every acknowledged write is there', async () => {
    // A private, persistent (append-only, fsync always) cluster this test may kill a node of.
    cluster = (await startCluster({ masters: 3, persist: true })) as TestCluster;
    w = await makeWorld({ redisUrl: cluster.target });
    const redis = w.open.redis;
    if (!isCluster(redis)) throw new Error('expected a Cluster client');
    // The master that serves this ledger's slot.
    const slot = Number(await redis.cluster('KEYSLOT', k.meta(w.ledgerId)));
    const range = (await redis.cluster('SLOTS')).find((s) => slot >= s[0] && slot <= s[1])!;
    const victim = cluster.ports.indexOf(range[2][1]);
    expect(victim).toBeGreaterThanOrEqual(0);

    const replies: Array<{ text: string } | null> = [];
    let acked = 0;
    let i = 0;
    let killed: Promise<void> | undefined;
    let refused = 0;
    const writer = async () => {
      // Each refused write waits up to the command timeout: stop soon after the first few.
      while (i < 40 && refused < 4) {
        const n = i++;
        const r = await w!.say('office', `进展 二.${(n % 3) + 1}.1 第${n}次推进`);
        replies.push(r);
        if (r!.text.includes('服务暂时不可用')) refused++;
        if (r!.text.includes('已记录进展') && ++acked === 10) killed = cluster!.kill(victim);
      }
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    await killed;
    expect((await w.say('owner', '进度'))!.text).toContain('服务暂时不可用');
    // Every answer is one of the two (the list names any other, so a failure shows what was said).
    expect(replies.map((r) => r!.text).filter((t) => !t.includes('已记录进展') && !t.includes('服务暂时不可用'))).toEqual([]);
    expect(replies.filter((r) => r!.text.includes('服务暂时不可用')).length).toBeGreaterThan(0);

    await cluster.restart(victim);
    let back = '';
    for (let t = 0; t < 100 && !back.includes('21条整改措施'); t++) {
      back = (await w.say('owner', '进度'))!.text;
      if (!back.includes('21条整改措施')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(back).toContain('21条整改措施');
    const acknowledged = replies.filter((r) => r!.text.includes('已记录进展')).length;
    const landed = (await w.open.services.ledgers.events(w.ledgerId)).filter((e) => e.action === '进展').length;
    // Acknowledged writes all survive; a write in flight at the kill may or may not have landed.
    expect(landed).toBeGreaterThanOrEqual(acknowledged);
    expect(landed).toBeLessThanOrEqual(acknowledged + 4);
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const have = Object.fromEntries(Object.entries(await w.open.services.ledgers.counters(w.ledgerId)).filter(([, v]) => v !== 0));
    expect(have).toEqual(countAll(doc.problems, doc.measures));
  }, 60000);
});
