import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';
import { fixedClock } from '../../src/core/clock.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { testRedisUrl } from '../helpers/redis.js';

let open: OpenServices;
let pipeline: Pipeline;
const L = `big-${randomUUID().slice(0, 6)}`;
beforeAll(async () => {
  open = await openServices({ redisUrl: testRedisUrl(), clock: fixedClock('2026-11-22T02:00:00Z') });
  // 1,000 measures; deadlines spread from 30 days ago to 89 days ahead of 2026-11-22.
  await open.services.ledgers.saveDoc(syntheticDoc(L, 5, 20, 10));
  await open.services.directory.bind({ platform: 'console', chatId: L, ledgerId: L, channel: {}, boundAt: new Date().toISOString() });
  pipeline = createPipeline({ services: open.services, logger: silentLogger(), metrics: new Metrics(), claim: open.claim });
});
afterAll(async () => { await open.close(); });

const say = async (text: string) => (await pipeline.handle({ platform: 'console', chatId: L, chatType: 'group', messageId: randomUUID(), senderId: 'v', text }))!.text;

describe('lists on a large ledger', () => {
  it('逾期 and 临期 give the full count from the index, the earliest 20, and how many more', async () => {
    const doc = (await open.services.ledgers.loadDoc(L))!;
    const open_ = doc.measures.filter((m) => !['待销号', '已完成', '已完成并长期坚持', '已销号'].includes(m.status) && m.deadline.type === 'date');
    const red = open_.filter((m) => (m.deadline as { date: string }).date < '2026-11-22').length;
    expect(red).toBeGreaterThan(20);
    const t = await say('逾期');
    expect(t).toContain(`逾期事项（${red}项）`);
    expect(t.split('\n').filter((l) => l.startsWith('- ')).length).toBe(20);
    expect(t).toContain(`另有${red - 20}项未列出`);
    const soon = open_.filter((m) => { const d = (m.deadline as { date: string }).date; return d >= '2026-11-22' && d <= '2026-12-22'; }).length;
    expect(await say('临期 30')).toContain(`30天内到期（${soon}项）`);
  });

  it('搜索 lists the first 20 in document order and says how many there are in all', async () => {
    const doc = (await open.services.ledgers.loadDoc(L))!;
    const matching = [...doc.problems, ...doc.measures].filter((i) => i.title.includes('台账'));
    expect(matching.length).toBeGreaterThan(20);
    const t = await say('搜索 台账');
    expect(t).toContain(`共找到${matching.length.toLocaleString('en-US')}项`);
    expect(t).toContain('显示前20项');
    const listed = t.split('\n').filter((l) => l.startsWith('- '));
    expect(listed).toHaveLength(20);
    // Document order: the first hits of the ledger, problems before their measures.
    const order = new Map((await open.services.ledgers.orderedIds(L)).map((id, i) => [id, i]));
    const first = matching.sort((a, b) => order.get(a.id)! - order.get(b.id)!).slice(0, 20);
    first.forEach((item, i) => expect(listed[i]).toMatch(new RegExp(`^- (\\S+ )?${item.code.replace(/\./g, '\\.')}[（ ]`)));
    // A keyword made of common bigrams that never occur together: counted exactly as none.
    expect(await say('搜索 台账执行')).toContain('共找到0项');
    expect(await say('搜索 第999条')).toContain('共找到1项');
  });

  it('an unknown code gets near suggestions without reading every alias', async () => {
    const t = await say('查看 1.2.13');
    expect(t).toContain('未找到编号');
    expect(t).toMatch(/您要找的是不是：.*一\.2\.1/);
  });
});

